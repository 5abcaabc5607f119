"""Presence as changes: who came and went, told to the room at most once a second per process.

A member coming online or going away is noted here by the socket that saw it (no query,
no frame). Each room's notes wait at most MAJLIS_PRESENCE_SECONDS, then go out as one
`presence.changed` frame with the room's online count (one COUNT query per room per
flush, however many members came), published to the room's group so every process's
sockets hear it. A thousand members reconnecting at once cost a few frames a second, not
a thousand lists to a thousand sockets.

Each process also keeps, per room, who the room shows online (`OnlineView`), so that
`hello` lists them and counts them without a query that grows with the room: read from
the database once, then changed by what its own sockets saw and by the `presence.changed`
frames of other processes (room hubs hand them over), and read again only as a safety
net (every RESYNC_SECONDS, or within a second of a frame that may have left someone out).

Each process also forgets, on a timer, the open-socket rows of processes that went away
without closing them (they stopped refreshing their rows), and tells those rooms.
"""

import asyncio
import collections
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
# A process reads who is online in a room afresh at least this often (OnlineView).
RESYNC_SECONDS = 30.0
# This process's own presence frames remembered per room, to know them when they come back.
OWN_FRAMES_KEPT = 8


class OnlineView:
    """Who one room shows online, as this process knows it: profile id → name.

    Read from the database by the room's first connect in this process, then kept up to
    date without a query: by what this process's sockets note (`came`, `went`) and by the
    presence frames of the other processes (`heard`). Read afresh by a connect every
    RESYNC_SECONDS, as a safety net (a frame lost on the channel layer), and sooner, at
    most once per MAJLIS_PRESENCE_SECONDS, when another process's frame may have left
    someone out (it lists at most ONLINE_LISTED arrivals). So a crowd arriving at one
    process costs no read of every member online, however many connect.
    """

    def __init__(self):
        self.people: dict[str, str] = {}
        self.read_at = float("-inf")  # when the latest read began
        self.stale = True  # never read, or it may have missed someone
        # While a read is under way: the changes noted meanwhile, applied again after it (the
        # read may or may not have seen them). None: no read under way.
        self._noted: list[tuple[str, str | None]] | None = None
        self._claimed_after = self.read_at  # the read before the one under way
        self._listed: list[dict] | None = None  # `listed()`, until a change touches it
        self._listed_ids: frozenset[str] = frozenset()
        self._listed_text: str | None = None  # `listed_text()`, as long as `_listed`

    def add(self, profile_id: str, name: str) -> None:
        if self._noted is not None:
            self._noted.append((profile_id, name))
        if self.people.get(profile_id) == name:
            return
        new = profile_id not in self.people
        self.people[profile_id] = name
        # Members are listed in the order noted: a newcomer past the first ONLINE_LISTED
        # changes the count only, and the list kept for `hello` stays as it is.
        if not new or len(self.people) <= selectors.ONLINE_LISTED:
            self._listed = None

    def remove(self, profile_id: str) -> None:
        if self._noted is not None:
            self._noted.append((profile_id, None))
        if self.people.pop(profile_id, None) is not None and profile_id in self._listed_ids:
            self._listed = None  # someone listed went: the next in line is listed now

    def claim_read(self) -> bool:
        """Whether this connect should read the room's online members afresh (see above);
        one read at a time. The claimant hands the answer to `read`, whatever happens."""
        if self._noted is not None:
            return False
        now = time.monotonic()
        if now - self.read_at < (settings.MAJLIS_PRESENCE_SECONDS if self.stale else RESYNC_SECONDS):
            return False
        self._noted, self._claimed_after = [], self.read_at
        self.read_at = now
        return True

    def read(self, people: list[tuple[str, str]] | None) -> None:
        """What the claimed read found (None: it was not made, the connect was refused)."""
        noted, self._noted = self._noted or [], None
        if people is None:
            self.read_at = self._claimed_after  # the next connect reads instead
            return
        self.people, self.stale, self._listed = dict(people), False, None
        for profile_id, name in noted:
            if name is None:
                self.remove(profile_id)
            else:
                self.add(profile_id, name)

    def listed(self) -> list[dict]:
        """Up to ONLINE_LISTED of them (the first noted: no sort of the whole room), by name.

        Kept until a change touches it: a crowd connecting at once gets one list, not one
        each (the same list object goes into every `hello`; nobody changes it)."""
        if self._listed is None:
            first = itertools.islice(self.people.items(), selectors.ONLINE_LISTED)
            self._listed = sorted(
                ({"id": pid, "name": name} for pid, name in first), key=lambda p: (p["name"], p["id"])
            )
            self._listed_ids = frozenset(p["id"] for p in self._listed)
            self._listed_text = None
        return self._listed

    def listed_text(self) -> str:
        """`listed()`, encoded once for every `hello` until it changes."""
        listed = self.listed()
        if self._listed_text is None:
            self._listed_text = broadcast.encode(listed)
        return self._listed_text

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
        # The frames this process told the room, until its hub hands them back (`heard`).
        self.own_frames: collections.deque[str] = collections.deque(maxlen=OWN_FRAMES_KEPT)

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
            text = broadcast.encode(protocol.presence_changed(joined, left, count))
            self.own_frames.append(text)
            layer = get_channel_layer()
            await layer.group_send(broadcast.room_group(self.slug), {"type": "frame.forward", "text": text})
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
    """A frame the room's hub delivered: another process's presence change updates the
    room's online view. This process's own changes are in the view already, and applying
    them again when they come back would bring back a member who left meanwhile."""
    if not text.startswith(_PRESENCE_PREFIX):
        return
    room = _process().room(slug)
    if text in room.own_frames:
        room.own_frames.remove(text)
        return
    frame = json.loads(text)
    joined = frame.get("joined", ())
    for person in joined:
        room.view.add(person["id"], person["name"])
    for profile_id in frame.get("left", ()):
        room.view.remove(profile_id)
    if len(joined) >= selectors.ONLINE_LISTED:  # it may have left arrivals out: read again soon
        room.view.stale = True


def came(slug: str, person: dict) -> None:
    _process().note(slug, came=person)


def went(slug: str, profile_id: str) -> None:
    _process().note(slug, went=profile_id)
