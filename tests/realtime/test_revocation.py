"""Revocation (DESIGN.md): a ban, a revoked grant, a logout, a password change or a disabled
account take effect on open sockets at once, and even when the order to close is lost."""

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import Group

from forum.services.accounts import set_account_active
from forum.services.grants import do_revoke_permission
from realtime import broadcast
from realtime.models import RoomMessage
from realtime.services import post_message
from tests.realtime.conftest import logged_in_client

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def lose_broadcasts(monkeypatch):
    """The channel layer delivers at most once: pretend every order to sockets is lost."""
    def lose():
        monkeypatch.setattr(broadcast, "publish", lambda *args, **kwargs: None)
    return lose


def members_group():
    return Group.objects.get(name="members")


async def test_a_revoked_view_grant_closes_every_socket_it_opened_at_once(member, make_member, room, connect):
    other = await database_sync_to_async(make_member)()
    first, second = await connect(member), await connect(other)
    group = await database_sync_to_async(members_group)()

    await database_sync_to_async(do_revoke_permission)(actor=None, via="tests", perm="view_room", obj=room, to=group)

    await first.expect_closed(4404)
    await second.expect_closed(4404)


async def test_after_a_revocation_no_message_of_the_room_reaches_the_socket(member, make_member, room, grant, connect):
    other = await database_sync_to_async(make_member)()
    await database_sync_to_async(grant)("post_in_room", room, other)
    await database_sync_to_async(grant)("view_room", room, other)
    watcher = await connect(member)
    group = await database_sync_to_async(members_group)()

    await database_sync_to_async(do_revoke_permission)(actor=None, via="tests", perm="view_room", obj=room, to=group)
    await database_sync_to_async(post_message)(author=other, room=room, body="secret plan", client_id="s")

    await watcher.expect_closed(4404)
    assert await watcher.communicator.receive_nothing(0.1)


async def test_a_lost_revocation_is_caught_on_the_next_frame(member, room, connect, lose_broadcasts):
    socket = await connect(member)
    await socket.nothing_but_background()
    lose_broadcasts()
    group = await database_sync_to_async(members_group)()

    await database_sync_to_async(do_revoke_permission)(actor=None, via="tests", perm="post_in_room", obj=room, to=group)
    assert await socket.communicator.receive_nothing(0.1)  # the order was lost
    await socket.send({"type": "send", "body": "hi", "client_id": "x"})
    assert (await socket.expect("error"))["code"] == "forbidden"

    await database_sync_to_async(do_revoke_permission)(actor=None, via="tests", perm="view_room", obj=room, to=group)
    await socket.send({"type": "ping"})
    await socket.expect_closed(4404)


@pytest.mark.parametrize("frame", [
    {"type": "send", "body": "still here?", "client_id": "x"}, {"type": "edit", "id": "x", "body": "y"},
    {"type": "history"}, {"type": "typing"},
])
async def test_a_lost_view_revocation_closes_the_socket_on_whatever_frame_comes_next(
    member, room, connect, lose_broadcasts, frame
):
    socket = await connect(member)
    lose_broadcasts()
    group = await database_sync_to_async(members_group)()
    await database_sync_to_async(do_revoke_permission)(actor=None, via="tests", perm="view_room", obj=room, to=group)

    await socket.send(frame)

    await socket.expect_closed(4404)
    assert await database_sync_to_async(RoomMessage.objects.count)() == 0


async def test_a_lost_revocation_closes_the_socket_within_the_recheck_interval(
    member, room, connect, lose_broadcasts, settings
):
    settings.MAJLIS_SOCKET_RECHECK_SECONDS = 0.1
    socket = await connect(member)
    lose_broadcasts()
    group = await database_sync_to_async(members_group)()

    await database_sync_to_async(do_revoke_permission)(actor=None, via="tests", perm="view_room", obj=room, to=group)

    await socket.expect_closed(4404, timeout=1)


async def test_a_lost_ban_closes_the_socket_within_the_recheck_interval(
    member, moderator, room, connect, lose_broadcasts, settings
):
    from realtime.services import ban_member

    settings.MAJLIS_SOCKET_RECHECK_SECONDS = 0.1
    socket = await connect(member)
    lose_broadcasts()
    await database_sync_to_async(ban_member)(by=moderator, room=room, member=member)
    await socket.expect_closed(4403, timeout=1)


async def test_logout_closes_that_sessions_sockets_with_4401_and_no_other(member, room, connect):
    phone_client = await database_sync_to_async(logged_in_client)(member)
    laptop_client = await database_sync_to_async(logged_in_client)(member)
    phone, laptop = await connect(member, client=phone_client), await connect(member, client=laptop_client)

    response = await database_sync_to_async(phone_client.post)("/accounts/logout/")
    assert response.status_code == 302

    await phone.expect_closed(4401)
    await laptop.send({"type": "ping"})
    await laptop.expect("pong")
    again = await connect(None, client=phone_client, expect_open=False)
    await again.expect_closed(4401)


async def test_a_password_change_closes_the_other_sessions_sockets_with_4401(member, room, connect, password):
    changer_client = await database_sync_to_async(logged_in_client)(member)
    other_client = await database_sync_to_async(logged_in_client)(member)
    other = await connect(member, client=other_client)

    response = await database_sync_to_async(changer_client.post)("/accounts/password/", {
        "old_password": password, "new_password1": "a-new-long-passphrase-2026",
        "new_password2": "a-new-long-passphrase-2026",
    })
    assert response.status_code == 302

    await other.expect_closed(4401)
    # The session that changed the password goes on, under its new key.
    again = await connect(member, client=changer_client)
    assert again.hello["type"] == "hello"
    refused = await connect(member, client=other_client, expect_open=False)
    await refused.expect_closed(4401)


async def test_a_disabled_account_has_its_sockets_closed_with_4401(member, admin_user, room, connect):
    socket = await connect(member)
    await database_sync_to_async(set_account_active)(user=member, active=False, by=admin_user)
    await socket.expect_closed(4401)
    again = await connect(member, expect_open=False)
    await again.expect_closed(4401)
