"""The coalition's pages act on open sockets (issue 14): a revoke made on /manage/ closes
the member's room socket within a second; a coalition-wide ban closes every socket of the
member, in every room, with 4403."""

import time

import pytest
from channels.db import database_sync_to_async

from tests.realtime.conftest import logged_in_client

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_revoke_on_the_places_page_closes_the_room_socket_within_a_second(member, admin_user, room, connect):
    socket = await connect(member)
    admin = await database_sync_to_async(logged_in_client)(admin_user)
    started = time.monotonic()
    answer = await database_sync_to_async(admin.post)("/manage/grants/", {
        "action": "revoke", "perm": "view_room", "place": "room:aden", "holder": "group:members"})
    assert answer.status_code == 302
    await socket.expect_closed(4404, timeout=1)
    assert time.monotonic() - started < 1.5


async def test_a_coalition_wide_ban_closes_every_socket_of_the_member_with_4403(member, admin_user, make_room, connect):
    await database_sync_to_async(make_room)("aden")
    await database_sync_to_async(make_room)("taiz")
    sockets = [await connect(member, "aden"), await connect(member, "taiz")]
    admin = await database_sync_to_async(logged_in_client)(admin_user)
    answer = await database_sync_to_async(admin.post)("/manage/bans/", {
        "username": member.username, "reason": "Shared a witness's address", "days": ""})
    assert answer.status_code == 302
    for socket in sockets:
        await socket.expect_closed(4403, timeout=1)
    again = await connect(member, "aden", client=sockets[0].client, expect_open=False)
    await again.expect_closed(4401)  # the session is gone too
