"""Opening a room socket: who is refused with which code, and what an accepted socket gets first."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.contrib.sessions.models import Session
from django.utils import timezone

from forum.models.people import Location
from forum.sanitiser import render_markdown
from realtime.services import ban_member, delete_message, post_message
from tests.realtime.conftest import open_communicator

pytestmark = pytest.mark.django_db(transaction=True)


async def test_an_anonymous_socket_is_closed_with_4401(room, connect):
    socket = await connect(None, expect_open=False)
    await socket.expect_closed(4401)


async def test_a_socket_with_an_unknown_session_is_closed_with_4401(member, room, connect, client_for):
    client = await database_sync_to_async(client_for)(member)
    client.cookies["sessionid"] = "not-a-session-we-made"
    socket = await connect(member, client=client, expect_open=False)
    await socket.expect_closed(4401)


async def test_an_expired_session_or_a_disabled_account_is_closed_with_4401(member, make_member, room, connect, client_for):
    expired_client = await database_sync_to_async(client_for)(member)
    key = expired_client.cookies["sessionid"].value
    await database_sync_to_async(
        lambda: Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    )()
    disabled = await database_sync_to_async(make_member)()
    disabled_client = await database_sync_to_async(client_for)(disabled)
    disabled.is_active = False
    await database_sync_to_async(disabled.save)()

    for client in (expired_client, disabled_client):
        socket = await connect(None, client=client, expect_open=False)
        await socket.expect_closed(4401)


async def test_each_socket_belongs_to_the_member_its_session_logs_in(member, make_member, room, connect):
    other = await database_sync_to_async(make_member)(display_name="Sami")
    mine, theirs = await connect(member), await connect(other)
    profiles = await database_sync_to_async(lambda: (member.profile.public_id, other.profile.public_id))()
    assert (mine.hello["me"]["id"], theirs.hello["me"]["id"]) == profiles


async def test_a_missing_room_and_a_room_without_grant_are_refused_alike_with_4404(
    member, make_room, connect
):
    await database_sync_to_async(make_room)("secret", grant_to="diaspora")  # member is in-country
    missing = await connect(member, "no-such-room", expect_open=False)
    forbidden = await connect(member, "secret", expect_open=False)
    assert await missing.receive() == await forbidden.receive() == {"type": "<closed>", "code": 4404}
    assert await missing.communicator.receive_nothing(0.05)
    assert await forbidden.communicator.receive_nothing(0.05)


async def test_a_banned_member_is_closed_with_4403(member, moderator, room, connect):
    await database_sync_to_async(ban_member)(by=moderator, room=room, member=member, reason="spam")
    socket = await connect(member, expect_open=False)
    await socket.expect_closed(4403)


async def test_a_foreign_origin_is_refused_at_the_handshake_by_the_real_application(member, room, client_for):
    client = await database_sync_to_async(client_for)(member)
    cookie = (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())
    for origin in ([(b"origin", b"https://evil.example")], []):
        with pytest.raises(AssertionError, match="refused"):
            await open_communicator("/ws/rooms/aden/", None, headers=[(b"host", b"testserver"), cookie, *origin])


async def test_an_accepted_socket_gets_hello_then_the_latest_50_messages_oldest_first(
    member, make_member, room, connect, settings
):
    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, "room_message": (1000, 5)}
    author = await database_sync_to_async(make_member)(display_name="Sami", location=Location.DIASPORA)
    for n in range(1, 56):
        await database_sync_to_async(post_message)(author=author, room=room, body=f"m{n}", client_id=f"c{n}")

    socket = await connect(member)

    profile = await database_sync_to_async(lambda: member.profile)()
    assert socket.hello == {
        "type": "hello",
        "room": {"slug": "aden", "name": "Aden", "topic": "", "can_post": True, "can_moderate": False,
                 "read_only": False, "slow_mode_seconds": 0},
        "me": {"id": profile.public_id, "name": "Layla"},
        "rev": 55,
        "online": [{"id": profile.public_id, "name": "Layla"}],
        "online_count": 1,
    }
    history = socket.catch_up
    assert [m["seq"] for m in history["messages"]] == list(range(6, 56))
    assert history["has_more"] is True
    first = history["messages"][0]
    assert set(first) == {"id", "seq", "rev", "room", "author", "body_html", "created", "edited", "deleted", "client_id",
                          "attachments"}  # DESIGN.md: M gains attachments (issue 17)
    assert first["room"] == "aden" and first["body_html"] == render_markdown("m6") and first["client_id"] == "c6"
    assert first["author"]["name"] == "Sami" and first["created"].endswith("Z")
    assert first["edited"] is None and first["deleted"] is False


async def test_a_moderator_is_told_so_in_hello(moderator, connect):
    socket = await connect(moderator)
    assert socket.hello["room"]["can_moderate"] is True and socket.hello["room"]["can_post"] is True


async def test_a_reader_without_post_grant_is_told_it_cannot_post(make_member, make_room, connect):
    reader = await database_sync_to_async(make_member)()
    await database_sync_to_async(make_room)("news", perms=("view_room",))
    socket = await connect(reader, "news")
    assert socket.hello["room"]["can_post"] is False


async def test_after_rev_sends_sync_with_every_change_since_including_tombstones(member, make_member, room, connect):
    author = await database_sync_to_async(make_member)()
    first, _ = await database_sync_to_async(post_message)(author=author, room=room, body="one", client_id="1")
    await database_sync_to_async(post_message)(author=author, room=room, body="two", client_id="2")
    await database_sync_to_async(post_message)(author=author, room=room, body="three", client_id="3")
    await database_sync_to_async(delete_message)(by=author, room=room, message_id=first.public_id)

    socket = await connect(member, query="?after=2")

    sync = socket.catch_up
    assert [(m["seq"], m["rev"], m["deleted"]) for m in sync["messages"]] == [(3, 3, False), (1, 4, True)]
    assert sync["messages"][1]["body_html"] == ""
    assert sync["has_more"] is False and sync["rev"] == 4 and socket.hello["rev"] == 4


async def test_a_nonsense_after_falls_back_to_history(member, room, connect):
    socket = await connect(member, query="?after=-3")
    assert socket.catch_up == {"type": "history", "messages": [], "has_more": False}
