"""One channel-layer subscription per room per process, fanned out to the room's sockets.

A room's broadcast is published once to the room's group (`broadcast.room_group`). If
every socket joined that group itself, each delivery would cost a trip through the
layer: a queue per socket (with Redis, one copy per socket in Redis), a wake-up of the
socket's task and Channels' dispatch. Instead the process joins the group once, through
its `RoomHub`, and hands the frame's text to each of its sockets in one loop. With Redis
each process then receives one copy of a frame, however many sockets it serves.

Sockets keep their own channel for what concerns them alone (their user, their session,
their membership of the room: bans and logouts). A socket that is re-checking its
standing *holds* the room's frames until the check is done, so none reaches a member who
just lost the room (`RoomSocket.hold`).
"""

import asyncio
import logging
import weakref
from typing import Protocol

from realtime import broadcast
from realtime.sockets import presence

logger = logging.getLogger(__name__)

# Channels forgets a group membership after `group_expiry` (a day by default): a hub
# that outlives that renews its membership.
RENEW_MEMBERSHIP_SECONDS = 3600


class RoomSocket(Protocol):
    """What a hub needs of a socket (realtime.sockets.rooms.RoomSocket)."""

    user_pk: int

    async def deliver(self, text: str) -> None: ...

    def room_event(self, event: dict) -> None: ...


class RoomHub:
    def __init__(self, layer, slug: str):
        self.layer, self.slug = layer, slug
        self.group = broadcast.room_group(slug)
        self.sockets: set[RoomSocket] = set()
        self.channel: str | None = None
        self.joined = asyncio.get_running_loop().create_future()
        self.tasks: list[asyncio.Task] = []

    async def start(self) -> None:
        try:
            # The default prefix, as the sockets' own channels: channels-redis reads a
            # process's channels from one Redis list per prefix, one list at a time.
            self.channel = await self.layer.new_channel()
            await self.layer.group_add(self.group, self.channel)
        except BaseException as error:
            self.joined.set_exception(error)
            raise
        self.tasks = [asyncio.create_task(self._read()), asyncio.create_task(self._renew())]
        self.joined.set_result(None)

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        if self.channel is not None:
            try:
                await self.layer.group_discard(self.group, self.channel)
            except Exception:  # the membership expires on its own
                logger.warning("could not leave a room's group", exc_info=True)

    async def _read(self) -> None:
        rejoin = False
        while True:
            try:
                if rejoin:  # a Redis that restarted without its data forgot the room's group
                    await self.layer.group_add(self.group, self.channel)
                    rejoin = False
                event = await self.layer.receive(self.channel)
                await self.dispatch(event)
            except asyncio.CancelledError:
                raise
            except Exception:  # one bad event, or the layer away, must not silence the room
                if not rejoin:
                    logger.warning("room hub could not read or handle an event", exc_info=True)
                rejoin = True
                await asyncio.sleep(0.5)

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(RENEW_MEMBERSHIP_SECONDS)
            try:
                await self.layer.group_add(self.group, self.channel)
            except Exception:
                logger.warning("could not renew a room's group membership", exc_info=True)

    async def dispatch(self, event: dict) -> None:
        # A delivery hands the text to daphne, which writes it without suspending: the
        # loop reaches every socket before any other task runs.
        kind = event.get("type")
        if kind == "frame.forward":
            text = event["text"]
            presence.heard(self.slug, text)
            for socket in list(self.sockets):
                await socket.deliver(text)
        elif kind == "frame.others":
            text, author = event["text"], event["user"]
            for socket in list(self.sockets):
                if socket.user_pk != author:
                    await socket.deliver(text)
        else:  # grants changed, and whatever else concerns each socket on its own
            for socket in list(self.sockets):
                socket.room_event(event)


# Hubs belong to the event loop that reads for them, and to one channel layer instance.
_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict]" = weakref.WeakKeyDictionary()


async def join(layer, slug: str, socket: RoomSocket) -> None:
    """Add a socket to its room's hub, once the hub is in the room's group.

    When this returns, every frame published to the room from now on reaches the socket
    (through `deliver`): read what the client lacks only after it.
    """
    hubs = _hubs.setdefault(asyncio.get_running_loop(), {})
    hub = hubs.get((id(layer), slug))
    if hub is None or hub.layer is not layer:
        hub = hubs[(id(layer), slug)] = RoomHub(layer, slug)
        hub.sockets.add(socket)
        try:
            await hub.start()
        except BaseException:
            if hubs.get((id(layer), slug)) is hub:
                del hubs[(id(layer), slug)]
            raise
        return
    hub.sockets.add(socket)
    await asyncio.shield(hub.joined)


async def leave(layer, slug: str, socket: RoomSocket) -> None:
    hubs = _hubs.get(asyncio.get_running_loop(), {})
    hub = hubs.get((id(layer), slug))
    if hub is None or socket not in hub.sockets:
        return
    hub.sockets.discard(socket)
    if not hub.sockets:
        # Forgotten at once, so that a socket joining meanwhile starts a new hub.
        del hubs[(id(layer), slug)]
        try:
            await asyncio.shield(hub.joined)
        except Exception:  # it never joined: nothing to stop
            return
        await hub.stop()
