"""Moderators run the room from the socket; every action is recorded and announced to the room."""

import pytest
from channels.db import database_sync_to_async

from forum.models import ModerationEvent
from realtime.models import RoomBan, RoomMessage, RoomMute
from realtime.services import post_message

pytestmark = pytest.mark.django_db(transaction=True)


def events():
    """Moderation events other than the fixtures' grants."""
    return list(
        ModerationEvent.objects.exclude(action="grant").order_by("created_at", "id")
        .values_list("action", "target_kind", "reason")
    )


@pytest.mark.parametrize("frame", [
    {"type": "mute", "user": "x", "minutes": 10, "reason": "r"}, {"type": "mute"},
    {"type": "unmute", "user": "x"}, {"type": "ban", "user": "x", "reason": "r"}, {"type": "ban", "user": 5},
    {"type": "unban"}, {"type": "slow_mode", "seconds": 10}, {"type": "slow_mode", "seconds": "lots"},
    {"type": "read_only", "on": True}, {"type": "read_only"},
])
async def test_moderator_frames_from_a_member_get_forbidden_before_their_fields_are_read(member, room, connect, frame):
    socket = await connect(member)
    await socket.send(frame)
    assert (await socket.expect("error"))["code"] == "forbidden"
    assert await database_sync_to_async(events)() == []


async def test_mute_and_unmute_are_announced_recorded_and_enforced(member, moderator, room, connect):
    target, mod = await connect(member), await connect(moderator)
    who = target.hello["me"]

    await mod.send({"type": "mute", "user": who["id"], "minutes": 10, "reason": "cool down"})
    for socket in (target, mod):
        frame = await socket.expect("moderation")
        assert {k: frame[k] for k in ("action", "user", "reason")} == {"action": "mute", "user": who, "reason": "cool down"}
        assert frame["until"].endswith("Z")
    await target.send({"type": "send", "body": "hey", "client_id": "h"})
    assert (await target.expect("error"))["code"] == "muted"

    await mod.send({"type": "unmute", "user": who["id"]})
    assert await target.expect("moderation") == {
        "type": "moderation", "action": "unmute", "user": who, "until": None, "reason": ""}
    await target.send({"type": "send", "body": "thanks", "client_id": "t"})
    assert (await target.expect("message"))["message"]["client_id"] == "t"
    assert await database_sync_to_async(events)() == [("mute", "member", "cool down"), ("unmute", "member", "")]
    assert not await database_sync_to_async(RoomMute.objects.exists)()


async def test_moderator_frames_check_their_fields(moderator, member, room, connect):
    mod = await connect(moderator)
    profile_id = (await connect(member)).hello["me"]["id"]
    for frame, code in [
        ({"type": "mute", "user": profile_id, "minutes": 0}, "bad_request"),
        ({"type": "mute", "user": profile_id, "minutes": "10"}, "bad_request"),
        ({"type": "mute", "user": "no-such-member", "minutes": 5}, "not_found"),
        ({"type": "unmute", "user": profile_id}, "not_found"),  # not muted
        ({"type": "unban", "user": profile_id}, "not_found"),  # not banned
        ({"type": "ban", "user": profile_id, "reason": "x" * 501}, "too_long"),
        ({"type": "slow_mode", "seconds": -1}, "bad_request"),
        ({"type": "read_only", "on": "yes"}, "bad_request"),
        ({"type": "ban", "user": mod.hello["me"]["id"]}, "forbidden"),  # moderators cannot be banned
    ]:
        await mod.send(frame)
        assert (await mod.expect("error"))["code"] == code, frame
    assert await database_sync_to_async(events)() == []


async def test_ban_closes_the_members_sockets_in_the_room_at_once_and_they_cannot_come_back(
    member, moderator, room, make_room, connect
):
    await database_sync_to_async(make_room)("taiz")
    in_room, second_tab, elsewhere = await connect(member), await connect(member), await connect(member, "taiz")
    mod = await connect(moderator)

    await mod.send({"type": "ban", "user": in_room.hello["me"]["id"], "reason": "threats"})

    for socket in (in_room, second_tab):
        assert (await socket.expect("moderation"))["action"] == "ban"
        await socket.expect_closed(4403)
    assert (await mod.expect("moderation"))["until"] is None
    await elsewhere.send({"type": "ping"})
    await elsewhere.expect("pong")  # another room is untouched
    again = await connect(member, expect_open=False)
    await again.expect_closed(4403)
    assert await database_sync_to_async(events)() == [("ban", "member", "threats")]

    await mod.send({"type": "unban", "user": in_room.hello["me"]["id"]})
    assert (await mod.expect("moderation"))["action"] == "unban"
    assert not await database_sync_to_async(RoomBan.objects.exists)()
    back = await connect(member)
    assert back.hello["type"] == "hello"


async def test_slow_mode_and_read_only_are_announced_with_their_new_value(member, moderator, room, connect):
    target, mod = await connect(member), await connect(moderator)
    await mod.send({"type": "slow_mode", "seconds": 20})
    assert await target.expect("moderation") == {
        "type": "moderation", "action": "slow_mode", "user": None, "until": None, "reason": "", "seconds": 20}
    await mod.send({"type": "read_only", "on": True})
    assert await target.expect("moderation") == {
        "type": "moderation", "action": "read_only", "user": None, "until": None, "reason": "", "on": True}
    await target.send({"type": "send", "body": "x", "client_id": "x"})
    assert (await target.expect("error"))["code"] == "read_only"
    assert [e[0] for e in await database_sync_to_async(events)()] == ["slow_mode", "read_only"]


async def test_a_moderator_deletes_any_message_as_a_recorded_tombstone(member, moderator, room, connect):
    message, _ = await database_sync_to_async(post_message)(author=member, room=room, body="bad", client_id="b")
    target, mod = await connect(member), await connect(moderator)

    await mod.send({"type": "delete", "id": message.public_id})

    for socket in (target, mod):
        assert (await socket.expect("message.deleted"))["message"]["deleted"] is True
        assert await socket.expect("moderation") == {
            "type": "moderation", "action": "delete", "user": target.hello["me"], "until": None, "reason": ""}
    assert await database_sync_to_async(events)() == [("delete", "message", "")]
    assert await database_sync_to_async(RoomMessage.objects.filter(deleted=True).count)() == 1
