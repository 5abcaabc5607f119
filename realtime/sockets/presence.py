"""Presence as changes: who came and went, told to the room at most once a second per process.

A member coming online or going away is noted here by the socket that saw it (no query,
no frame). Each room's notes wait at most MAJLIS_PRESENCE_SECONDS, then go out as one
`presence.changed` frame with the room's online count (one COUNT query per room per
flush, however many members came), published to the room's group so every process's
sockets hear it. A thousand members reconnecting at once cost a few frames a second, not
a thousand lists to a thousand sockets.

Each process also keeps, per room, who the room shows online (`OnlineView`), so that
`hello` lists them and counts them without a query that grows with the room: read from
the database at most once per MAJLIS_PRESENCE_SECONDS, and changed in between by what its
own sockets saw and by the `presence.changed` frames of other processes (room hubs hand
them over). What it misses is at most a second old, and the next frame corrects the count.

Each process also forgets, on a timer, the open-socket rows of processes that went away
without closing them (they stopped refreshing their rows), and tells those rooms.
"""

import asyncio
import itertools
import json
import logging
import time
import weakref

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from realtime import broadcast, protocol, selectors, services

logger = logging.getLogger(__name__)

# Presence frames a process sends per room and second, at most (see RoomPresence.interval).
PRESENCE_SENDS_PER_SECOND = 500
# Presence rows refreshed per statement.
REFRESH_BATCH = 500


class OnlineView:
    """Who one room shows online, as this process knows it: profile id → name."""

    def __init__(self):
        self.people: dict[str, str] = {}
        self.read_at = self.claimed_at = float("-inf")
        self._listed: list[dict] | None = None  # `listed()`, until someone comes or goes

    def add(self, profile_id: str, name: str) -> None:
        self.people[profile_id] = name
        self._listed = None

    def remove(self, profile_id: str) -> None:
        if self.people.pop(profile_id, None) is not None:
            self._listed = None

    def claim_read(self) -> bool:
        """Whether this connect should read the room's online members afresh: at most one
        a second, however many connect at once."""
        now = time.monotonic()
        if now - self.claimed_at < settings.MAJLIS_PRESENCE_SECONDS:
            return False
        self.claimed_at = now
        return True

    def reset(self, people: list[tuple[str, str]], read_at: float) -> None:
        """What the database said at `read_at` (taken before the read began)."""
        if read_at >= self.read_at:
            self.people, self.read_at, self._listed = dict(people), read_at, None

    def listed(self) -> list[dict]:
        """Up to ONLINE_LISTED of them (the first noted: no sort of the whole room), by name.

        Kept until the next change: a crowd connecting at once gets one list, not one each
        (the same list object goes into every `hello`; nobody changes it)."""
        if self._listed is None:
            first = itertools.islice(self.people.items(), selectors.ONLINE_LISTED)
            self._listed = sorted(
                ({"id": pid, "name": name} for pid, name in first), key=lambda p: (p["name"], p["id"])
            )
        return self._listed

    def count(self) -> int:
        return len(self.people)


class RoomPresence:
    """The changes of one room not yet told, in one process, and who it shows online."""

    def __init__(self, slug: str):
        self.slug = slug
        self.joined: dict[str, dict] = {}
        self.left: set[str] = set()
        self.last_told = 0.0
        self.task: asyncio.Task | None = None
        self.view = OnlineView()
        self.sockets = 0  # open in this process

    def came(self, person: dict) -> None:
        self.left.discard(person["id"])
        self.joined[person["id"]] = person
        self.view.add(person["id"], person["name"])

    def went(self, profile_id: str) -> None:
        self.joined.pop(profile_id, None)
        self.left.add(profile_id)
        self.view.remove(profile_id)

    def interval(self) -> float:
        """At most one frame a second; in a room with more than PRESENCE_SENDS_PER_SECOND
        sockets in this process, less often, so that presence never costs this process more
        than that many sends a second (a frame goes to every socket of the room)."""
        return settings.MAJLIS_PRESENCE_SECONDS * max(1.0, self.sockets / PRESENCE_SENDS_PER_SECOND)

    async def tell_soon(self) -> None:
        wait = self.last_told + self.interval() - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        self.last_told = time.monotonic()
        # At most as many arrivals as `hello` lists: the rest are in the count. A frame goes to
        # every socket of the room, so a list of everyone who came in a crowded second would
        # make a reconnecting crowd cost O(n²) bytes again.
        first = itertools.islice(self.joined.values(), selectors.ONLINE_LISTED)
        joined, left = sorted(first, key=lambda p: (p["name"], p["id"])), sorted(self.left)
        self.joined, self.left = {}, set()
        try:
            count = await database_sync_to_async(selectors.online_count)(self.slug)
            frame = protocol.presence_changed(joined, left, count)
            layer = get_channel_layer()
            await layer.group_send(broadcast.room_group(self.slug), {"type": "frame.forward", "text": broadcast.encode(frame)})
        except Exception:  # presence is a courtesy: the next change tells the count again
            logger.warning("could not tell a room who came and went", exc_info=True)


class ProcessPresence:
    """Every room's pending changes in this process (one event loop), and its timer: it
    refreshes the presence rows of the sockets open here (the rows say the process is
    alive) and forgets the rows of processes that went away."""

    def __init__(self):
        self.rooms: dict[str, RoomPresence] = {}
        self.channels: set[str] = set()  # of the room sockets open here
        self.sweeper: asyncio.Task | None = None

    def room(self, slug: str) -> RoomPresence:
        room = self.rooms.get(slug)
        if room is None:
            room = self.rooms[slug] = RoomPresence(slug)
        return room

    def note(self, slug: str, *, came: dict | None = None, went: str | None = None) -> None:
        room = self.room(slug)
        if came is not None:
            room.came(came)
        if went is not None:
            room.went(went)
        if room.task is None or room.task.done():
            room.task = asyncio.create_task(room.tell_soon())

    async def sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(settings.MAJLIS_SOCKET_RECHECK_SECONDS)
            channels = list(self.channels)
            for start in range(0, len(channels), REFRESH_BATCH):
                try:
                    await database_sync_to_async(services.sockets_seen)(channels[start:start + REFRESH_BATCH])
                except Exception:  # the next round refreshes them, long before they go stale
                    logger.warning("could not refresh presence rows", exc_info=True)
            try:
                gone = await database_sync_to_async(services.sweep_stale_sockets)()
            except Exception:
                logger.warning("could not sweep stale sockets", exc_info=True)
                continue
            for slug, profile_ids in gone.items():
                for profile_id in profile_ids:
                    self.note(slug, went=profile_id)


_processes: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ProcessPresence]" = weakref.WeakKeyDictionary()


def _process() -> ProcessPresence:
    loop = asyncio.get_running_loop()
    process = _processes.get(loop)
    if process is None:
        process = _processes[loop] = ProcessPresence()
    return process


def socket_opened(slug: str, channel_name: str) -> None:
    """A room socket opened in this process (the timer runs while any is open)."""
    process = _process()
    process.room(slug).sockets += 1
    process.channels.add(channel_name)
    if process.sweeper is None:
        process.sweeper = asyncio.create_task(process.sweep_forever())


def socket_closed(slug: str, channel_name: str) -> None:
    process = _process()
    process.room(slug).sockets -= 1
    process.channels.discard(channel_name)
    if not process.channels and process.sweeper is not None:
        process.sweeper.cancel()
        process.sweeper = None


def online_view(slug: str) -> OnlineView:
    return _process().room(slug).view


# How a `presence.changed` frame begins, as broadcast.encode writes it (compact, `type` first).
_PRESENCE_PREFIX = '{"type":"presence.changed"'


def heard(slug: str, text: str) -> None:
    """A frame the room's hub delivered: a presence change (another process's, or ours
    coming back) updates the room's online view."""
    if not text.startswith(_PRESENCE_PREFIX):
        return
    view = _process().room(slug).view
    frame = json.loads(text)
    for person in frame.get("joined", ()):
        view.add(person["id"], person["name"])
    for profile_id in frame.get("left", ()):
        view.remove(profile_id)


def came(slug: str, person: dict) -> None:
    _process().note(slug, came=person)


def went(slug: str, profile_id: str) -> None:
    _process().note(slug, went=profile_id)
