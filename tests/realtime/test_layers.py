"""The embedded default's channel layer behaves as Channels' in-memory layer, only cheaper."""

import time

from realtime.layers import FanoutInMemoryChannelLayer


async def test_group_send_reaches_every_member_once_each_with_its_own_copy():
    layer = FanoutInMemoryChannelLayer()
    channels = [await layer.new_channel() for _ in range(3)]
    for channel in channels:
        await layer.group_add("room.aden", channel)
    await layer.group_send("room.aden", {"type": "frame.forward", "text": "{}"})
    received = [await layer.receive(channel) for channel in channels]
    assert received == [{"type": "frame.forward", "text": "{}"}] * 3
    received[0]["text"] = "changed"
    assert received[1]["text"] == "{}"


async def test_group_send_drops_silently_past_a_members_capacity():
    layer = FanoutInMemoryChannelLayer(capacity=2)
    slow = await layer.new_channel()
    await layer.group_add("room.aden", slow)
    for n in range(3):
        await layer.group_send("room.aden", {"type": "frame.forward", "n": n})
    assert [(await layer.receive(slow))["n"] for _ in range(2)] == [0, 1]
    assert layer.channels.get(slow) is None  # the third was dropped, nothing waits


async def test_nested_events_are_copied_deeply():
    layer = FanoutInMemoryChannelLayer()
    a, b = await layer.new_channel(), await layer.new_channel()
    for channel in (a, b):
        await layer.group_add("g", channel)
    await layer.group_send("g", {"type": "x", "items": [1]})
    first = await layer.receive(a)
    first["items"].append(2)
    assert (await layer.receive(b))["items"] == [1]


async def test_expired_messages_and_members_are_still_swept(monkeypatch):
    layer = FanoutInMemoryChannelLayer(expiry=1)
    channel = await layer.new_channel()
    await layer.group_add("room.aden", channel)
    await layer.group_send("room.aden", {"type": "x"})
    later = time.time() + 5
    monkeypatch.setattr(time, "time", lambda: later)
    monkeypatch.setattr(time, "monotonic", lambda: later)
    layer._clean_expired()
    assert channel not in layer.channels and channel not in layer.groups.get("room.aden", {})


def test_the_sweep_runs_at_most_once_a_second(monkeypatch):
    layer = FanoutInMemoryChannelLayer()
    sweeps = []
    monkeypatch.setattr(
        "channels.layers.InMemoryChannelLayer._clean_expired", lambda self: sweeps.append(1)
    )
    for _ in range(1000):
        layer._clean_expired()
    assert len(sweeps) == 1
