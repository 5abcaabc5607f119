"""No message is ever lost: a client that was away catches up by `rev`, and concurrent
senders get gap-free `seq` numbers that every client ends up holding exactly once."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from realtime.models import RoomMessage
from realtime.services import delete_message, post_message

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_client_back_with_after_rev_gets_exactly_the_changes_it_missed_in_rev_order(
    member, make_member, moderator, room, connect, settings
):
    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, "room_message": (100, 5)}
    author = await database_sync_to_async(make_member)()
    old, _ = await database_sync_to_async(post_message)(author=author, room=room, body="old", client_id="old")
    away = await connect(member)
    seen_rev = away.hello["rev"]
    await away.close()

    sent = []
    for n in range(20):
        message, _ = await database_sync_to_async(post_message)(author=author, room=room, body=f"n{n}", client_id=f"n{n}")
        sent.append(message.public_id)
    await database_sync_to_async(delete_message)(by=moderator, room=room, message_id=old.public_id)

    back = await connect(member, query=f"?after={seen_rev}")

    changes = back.catch_up["messages"]
    assert [m["id"] for m in changes] == sent + [old.public_id]
    assert [m["rev"] for m in changes] == list(range(seen_rev + 1, seen_rev + 22))
    assert changes[-1]["deleted"] is True and changes[-1]["body_html"] == ""
    assert back.catch_up["has_more"] is False and back.catch_up["rev"] == seen_rev + 21
    await back.nothing_but_background()  # and nothing twice


async def hold_everything(socket, expected: int) -> dict[int, dict]:
    """What a client does (DESIGN.md, Reliability): keep messages by id, remember the
    highest `rev` seen, and `sync` from it when a broadcast skips a `rev` or all is quiet."""
    held: dict[str, dict] = {}
    highest = socket.hello["rev"]

    async def sync_from(rev):
        await socket.send({"type": "sync", "after": rev})

    while len(held) < expected:
        if await socket.communicator.receive_nothing(0.3):
            await sync_from(highest)  # the last broadcasts may have been dropped
            continue
        frame = await socket.receive()
        if frame["type"] == "message":
            message = frame["message"]
            held[message["id"]] = message
            if message["rev"] > highest + 1:
                await sync_from(highest)
            highest = max(highest, message["rev"])
        elif frame["type"] == "sync":
            for message in frame["messages"]:
                held[message["id"]] = message
            highest = max([highest] + [m["rev"] for m in frame["messages"]])
    return {message["seq"]: message for message in held.values()}


async def test_concurrent_senders_get_gap_free_seq_and_every_client_holds_every_message_once(
    make_member, room, connect, settings
):
    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, "room_message": (1000, 5)}
    senders, per_sender = 5, 20
    users = [await database_sync_to_async(make_member)() for _ in range(senders)]
    sockets = [await connect(user) for user in users]

    async def send_all(index, socket):
        for n in range(per_sender):
            await socket.send({"type": "send", "body": f"{index}:{n}", "client_id": f"s{index}-{n}"})

    await asyncio.gather(*(send_all(i, s) for i, s in enumerate(sockets)))
    total = senders * per_sender
    held = await asyncio.gather(*(hold_everything(socket, total) for socket in sockets))

    seqs = await database_sync_to_async(lambda: list(RoomMessage.objects.order_by("seq").values_list("seq", flat=True)))()
    assert seqs == list(range(1, total + 1))
    for messages in held:
        assert sorted(messages) == list(range(1, total + 1))
