"""A room moderator whose session used no second factor moderates nothing from a socket
(issue 13): every moderator frame gets `forbidden` with the reason, checked before its
fields are read, and `hello` offers no moderation; with a factor used, all of it works."""

import pytest
from channels.db import database_sync_to_async
from django.utils import translation

from forum.errors import SecondFactorRequired
from forum.models import ModerationEvent
from realtime.models import RoomBan, RoomMute
from tests.realtime.conftest import logged_in_client

pytestmark = pytest.mark.django_db(transaction=True)

MODERATOR_FRAMES = [
    {"type": "mute", "user": "TARGET", "minutes": 10, "reason": "r"},
    {"type": "unmute", "user": "TARGET"},
    {"type": "ban", "user": "TARGET", "reason": "r"},
    {"type": "unban", "user": "TARGET"},
    {"type": "slow_mode", "seconds": 10},
    {"type": "read_only", "on": True},
]


def sanctions_and_events():
    return (RoomMute.objects.count(), RoomBan.objects.count(),
            ModerationEvent.objects.exclude(action="grant").count())


@pytest.mark.parametrize("frame", MODERATOR_FRAMES)
async def test_moderator_frames_without_a_factor_are_forbidden_with_the_reason(member, moderator, room, connect, frame):
    target = await connect(member)
    client = await database_sync_to_async(logged_in_client)(moderator, second_factor=False)
    mod = await connect(moderator, client=client)
    assert mod.hello["room"]["can_moderate"] is False

    frame = {key: target.hello["me"]["id"] if value == "TARGET" else value for key, value in frame.items()}
    await mod.send(frame)
    error = await mod.expect("error")
    assert error["code"] == "forbidden"
    with translation.override("en"):
        assert error["detail"] == str(SecondFactorRequired.default_detail)
    assert await database_sync_to_async(sanctions_and_events)() == (0, 0, 0)
    await target.send({"type": "send", "body": "still here", "client_id": "s"})
    assert (await target.expect("message"))["message"]["client_id"] == "s"


async def test_with_a_factor_used_the_same_moderator_mutes(member, moderator, room, connect):
    target, mod = await connect(member), await connect(moderator)
    assert mod.hello["room"]["can_moderate"] is True
    await mod.send({"type": "mute", "user": target.hello["me"]["id"], "minutes": 10, "reason": "cool down"})
    assert (await target.expect("moderation"))["action"] == "mute"
    assert await database_sync_to_async(sanctions_and_events)() == (1, 0, 1)


async def test_the_room_page_offers_no_moderation_without_a_factor(moderator, room):
    def pages():
        without = logged_in_client(moderator, second_factor=False).get("/rooms/aden/").content.decode()
        with_factor = logged_in_client(moderator).get("/rooms/aden/").content.decode()
        return without, with_factor

    without, with_factor = await database_sync_to_async(pages)()
    assert 'data-can-moderate="false"' in without
    assert 'data-can-moderate="true"' in with_factor


async def test_deleting_someone_elses_message_without_a_factor_is_forbidden_with_the_reason(member, moderator, room,
                                                                                            connect):
    target = await connect(member)
    await target.send({"type": "send", "body": "keep me", "client_id": "k"})
    message = (await target.expect("message"))["message"]
    client = await database_sync_to_async(logged_in_client)(moderator, second_factor=False)
    mod = await connect(moderator, client=client)
    await mod.send({"type": "delete", "id": message["id"]})
    error = await mod.expect("error")
    assert error["code"] == "forbidden"
    with translation.override("en"):
        assert error["detail"] == str(SecondFactorRequired.default_detail)
    assert await database_sync_to_async(sanctions_and_events)() == (0, 0, 0)
