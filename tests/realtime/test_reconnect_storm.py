"""What keeps a restart's reconnect storm cheap (realtime/sockets/catch_up.py, presence.py,
base.py): answers kept per room revision and never stale past it, a resume that is up to
date reads nothing, a handshake daphne gave up on costs no database work, and a process's
view of who is online follows the other processes' presence frames."""

import pytest
from channels.db import database_sync_to_async
from django.db import connection
from django.test.utils import CaptureQueriesContext

from realtime import broadcast, protocol, services
from realtime.models import OpenSocket, Room, RoomMessage
from realtime.sockets import catch_up, presence

pytestmark = pytest.mark.django_db(transaction=True)


def send(room, author, body):
    return services.post_message(author=author, room=room, body=body, client_id=f"c{abs(hash(body))}")[0]


def bodies(frame: dict) -> list[str]:
    return [m["body_html"].strip() for m in frame["messages"]]


def fresh(room) -> Room:
    return Room.objects.get(pk=room.pk)


async def test_a_new_message_reaches_the_next_connects_history_though_the_last_one_was_kept(room, member, connect):
    await database_sync_to_async(send)(room, member, "first")
    before = await connect(member)
    assert bodies(before.catch_up) == ['<p dir="auto">first</p>']
    await database_sync_to_async(send)(room, member, "second")
    after = await connect(member)
    assert bodies(after.catch_up) == ['<p dir="auto">first</p>', '<p dir="auto">second</p>']


async def test_a_deleted_message_is_a_tombstone_in_the_next_connects_history(room, member, connect):
    message = await database_sync_to_async(send)(room, member, "regret")
    await connect(member)  # the history with the message, kept
    await database_sync_to_async(services.delete_message)(by=member, room=room, message_id=message.public_id)
    again = await connect(member)
    (shown,) = again.catch_up["messages"]
    assert shown["deleted"] is True and "regret" not in str(shown)


def test_a_resume_that_is_up_to_date_reads_nothing_and_one_behind_is_read_once_per_revision(room, member):
    send(room, member, "one")
    send(room, member, "two")
    room = fresh(room)
    catch_up.forget()
    with CaptureQueriesContext(connection) as up_to_date:
        frame = catch_up.opening_frame(room, room.rev)
    assert len(up_to_date) == 0
    assert frame == broadcast.encode(protocol.sync([], False, room.rev))

    with CaptureQueriesContext(connection) as first:
        behind = catch_up.opening_frame(room, room.rev - 1)
    with CaptureQueriesContext(connection) as second:
        assert catch_up.opening_frame(room, room.rev - 1) == behind
    assert len(first) >= 1 and len(second) == 0
    assert ">two</p>" in behind and ">one</p>" not in behind

    send(room, member, "three")  # a new revision: read again
    room = fresh(room)
    with CaptureQueriesContext(connection) as third:
        newer = catch_up.opening_frame(room, room.rev - 2)
    assert len(third) >= 1 and ">three</p>" in newer


def test_a_room_made_anew_under_the_same_key_never_gets_the_old_rooms_history(make_room, member):
    old = make_room("taiz")
    send(old, member, "from the old room")
    old = fresh(old)
    catch_up.opening_frame(old, None)  # kept
    RoomMessage.objects.filter(room=old).delete()
    # The same primary key and revision, as SQLite may give them again after a delete.
    Room.objects.filter(pk=old.pk).update(created_at=old.created_at.replace(year=old.created_at.year + 1))
    again = fresh(old)
    assert again.pk == old.pk and again.rev == old.rev
    assert "from the old room" not in catch_up.opening_frame(again, None)


async def test_a_handshake_that_waited_past_daphnes_patience_is_closed_with_4503_and_costs_nothing(
    room, member, connect, settings
):
    settings.MAJLIS_SOCKET_OPEN_BUDGET = 0  # every handshake has waited too long
    socket = await connect(member, expect_open=False)
    await socket.expect_closed(broadcast.TRY_AGAIN)
    assert not await database_sync_to_async(OpenSocket.objects.exists)()


async def test_a_process_hears_who_came_and_went_on_other_processes(room, member, connect):
    await connect(member)
    view = presence.online_view(room.slug)
    assert [p["name"] for p in view.listed()] == ["Layla"] and view.count() == 1
    elsewhere = protocol.presence_changed([{"id": "p-far", "name": "Noor"}], [], 2)
    presence.heard(room.slug, broadcast.encode(elsewhere))
    assert [p["name"] for p in view.listed()] == ["Layla", "Noor"] and view.count() == 2
    presence.heard(room.slug, broadcast.encode(protocol.presence_changed([], ["p-far"], 1)))
    assert view.count() == 1
    presence.heard(room.slug, broadcast.encode({"type": "message", "joined": [{"id": "x", "name": "y"}]}))
    assert view.count() == 1  # only presence frames count
