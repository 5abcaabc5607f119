"""Ending a session from the sessions page (issue 13, item 2) closes that session's room
and notification sockets with 4401 within a second, and leaves this session's open."""

import time

import pytest
from channels.db import database_sync_to_async

from forum.models import SessionRecord
from tests.realtime.conftest import Socket, logged_in_client, open_communicator

pytestmark = pytest.mark.django_db(transaction=True)


def record_of(client) -> SessionRecord:
    return SessionRecord.objects.get(session_key=client.session.session_key)


async def sockets_of(connect, member, client) -> tuple[Socket, Socket]:
    room = await connect(member, client=client)
    notifications = Socket(await open_communicator("/ws/notifications/", client), client)
    await notifications.expect("unread")
    return room, notifications


async def test_ending_one_session_closes_its_sockets_at_once_and_no_other(member, room, connect):
    phone_client = await database_sync_to_async(logged_in_client)(member)
    laptop_client = await database_sync_to_async(logged_in_client)(member)
    phone = await sockets_of(connect, member, phone_client)
    laptop = await sockets_of(connect, member, laptop_client)
    phone_id = (await database_sync_to_async(record_of)(phone_client)).public_id

    started = time.monotonic()
    answer = await database_sync_to_async(laptop_client.post)("/accounts/sessions/", {"end": phone_id})
    assert answer.status_code == 302

    for socket in phone:
        await socket.expect_closed(4401, timeout=1)
    assert time.monotonic() - started < 1.5
    room_socket, notification_socket = laptop
    await room_socket.send({"type": "ping"})
    await room_socket.expect("pong")
    assert await notification_socket.communicator.receive_nothing(0.2)
    again = await connect(None, client=phone_client, expect_open=False)
    await again.expect_closed(4401)


async def test_ending_all_other_sessions_closes_each_of_their_sockets(member, room, connect):
    clients = [await database_sync_to_async(logged_in_client)(member) for _ in range(3)]
    this, others = clients[0], clients[1:]
    mine = await sockets_of(connect, member, this)
    theirs = [await sockets_of(connect, member, client) for client in others]

    answer = await database_sync_to_async(this.post)("/accounts/sessions/", {"end": "others"})
    assert answer.status_code == 302

    for pair in theirs:
        for socket in pair:
            await socket.expect_closed(4401, timeout=1)
    await mine[0].send({"type": "ping"})
    await mine[0].expect("pong")
