"""A process joins a room's group once and fans the room's frames out to its sockets."""

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.contrib.auth.models import Group
from guardian.shortcuts import remove_perm

from realtime import broadcast, protocol
from realtime.services import post_message

pytestmark = pytest.mark.django_db(transaction=True)


async def room_group_members(slug="aden") -> set[str]:
    layer, group = get_channel_layer(), broadcast.room_group(slug)
    if hasattr(layer, "groups"):  # in memory
        return set(layer.groups.get(group, {}))
    redis = layer.connection(layer.consistent_hash(group))  # channels-redis: a sorted set
    return {member.decode() for member in await redis.zrange(layer._group_key(group), 0, -1)}


async def test_a_room_group_holds_one_channel_however_many_sockets_the_process_serves(
    member, make_member, room, connect
):
    others = [await database_sync_to_async(make_member)() for _ in range(3)]
    sockets = [await connect(member)] + [await connect(other) for other in others]
    assert len(await room_group_members()) == 1

    await database_sync_to_async(post_message)(author=member, room=room, body="hello all", client_id="a")

    for socket in sockets:
        message = (await socket.expect("message"))["message"]
        assert message["client_id"] == "a" and "hello all" in message["body_html"]
    for socket in sockets:
        await socket.nothing_but_background()  # and nothing twice


async def test_the_last_socket_to_leave_takes_the_process_out_of_the_group_and_a_new_one_rejoins(
    member, make_member, room, connect
):
    first = await connect(member)
    await first.close()
    assert await room_group_members() == set()

    other = await database_sync_to_async(make_member)()
    second = await connect(other)
    assert len(await room_group_members()) == 1
    await database_sync_to_async(post_message)(author=member, room=room, body="still here", client_id="b")
    assert (await second.expect("message"))["message"]["client_id"] == "b"


async def test_sockets_of_different_rooms_hear_only_their_own_room(member, make_room, room, connect):
    await database_sync_to_async(make_room)("marib")
    aden, marib = await connect(member, "aden"), await connect(member, "marib")

    await database_sync_to_async(post_message)(author=member, room=room, body="for aden", client_id="c")

    assert (await aden.expect("message"))["message"]["client_id"] == "c"
    await marib.nothing_but_background()


async def test_a_frame_that_follows_a_re_check_order_waits_for_the_check(member, room, connect):
    """Still allowed: the frame comes once the check passed. Lost the room: it never comes."""
    socket = await connect(member)
    await socket.nothing_but_background()
    layer, group = get_channel_layer(), broadcast.room_group("aden")
    frame = broadcast.encode(protocol.pong(7))  # any frame that is not background

    await layer.group_send(group, {"type": "standing.changed"})
    await layer.group_send(group, {"type": "frame.forward", "text": frame})
    assert (await socket.expect("pong"))["rev"] == 7

    members = await database_sync_to_async(Group.objects.get)(name="members")
    await database_sync_to_async(remove_perm)("view_room", members, room)  # nobody is told…
    await layer.group_send(group, {"type": "standing.changed"})  # …until this order
    await layer.group_send(group, {"type": "frame.forward", "text": frame})
    await socket.expect_closed(4404)
    assert await socket.communicator.receive_nothing(0.2)
