"""The embedded default's channel layer: Channels' in-memory layer, made cheap to fan out.

Channels' InMemoryChannelLayer sweeps every channel and every group membership for
expired entries on each `receive` and `group_send` — so on every delivery of a
broadcast. A room socket belongs to four groups (room, user, session, room-member),
and with 200 sockets that sweep alone costs ~140 µs per delivery, more than delivering
the frame. Its `group_send` also starts one asyncio task per member.

This layer sweeps at most once a second, puts a group's messages straight onto the
members' queues, and builds a channel's queue only when it has none. Behaviour is otherwise the same (capacity, expiry, ChannelFull
dropping silently in group_send). Use it as the `BACKEND` of the in-memory
CHANNEL_LAYERS; with REDIS_URL, channels-redis is used instead and none of this applies.
"""

import time
from asyncio import Queue, QueueFull
from copy import deepcopy

from channels.layers import InMemoryChannelLayer

_IMMUTABLE = (str, int, float, bool, bytes, type(None))


class FanoutInMemoryChannelLayer(InMemoryChannelLayer):
    sweep_interval = 1.0  # seconds between two sweeps for expired messages and memberships

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._last_sweep = 0.0

    def _clean_expired(self):
        now = time.monotonic()
        if now - self._last_sweep >= self.sweep_interval:
            self._last_sweep = now
            super()._clean_expired()

    async def receive(self, channel):
        self.require_valid_channel_name(channel)
        self._clean_expired()
        queue = self.channels.get(channel)
        if queue is None:
            queue = self.channels[channel] = Queue(maxsize=self.get_capacity(channel))
        try:
            _, message = await queue.get()
        finally:
            if queue.empty():  # as in Channels: an idle channel keeps no queue
                self.channels.pop(channel, None)
        return message

    async def group_send(self, group, message):
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        # Each member gets its own copy, as with send(); a flat event of strings and
        # numbers (every event of ours) needs no deep copy.
        flat = all(isinstance(value, _IMMUTABLE) for value in message.values())
        expires = time.time() + self.expiry
        for channel in list(self.groups.get(group, ())):
            queue = self.channels.get(channel)
            if queue is None:  # its consumer is between two receives (an idle channel keeps no queue)
                queue = self.channels[channel] = Queue(maxsize=self.get_capacity(channel))
            try:
                queue.put_nowait((expires, dict(message) if flat else deepcopy(message)))
            except QueueFull:
                pass  # like group_send's ChannelFull: dropped; clients catch up by `rev`
