"""Every process notices a change of standing made anywhere within a second.

Grants, bans and account changes are announced on the channel layer (the fast path), but
that layer delivers at most once, and the embedded default's in-memory layer does not
reach from a management command or another process into daphne at all. So each change
also writes a row of the standing log (forum/models/standing.py), and each event loop
that has sockets open runs one `StandingWatch`: every `MAJLIS_STANDING_POLL_SECONDS`
(half a second) it reads the rows added since the last read — one indexed query per
process, whatever the number of sockets — and tells the sockets each row concerns to
re-check. A socket told so holds the frames it would forward until its check is done.
"""

import asyncio
import logging
import weakref
from collections import defaultdict
from typing import Protocol

from channels.db import database_sync_to_async
from django.conf import settings

from forum.models import StandingScope
from forum.selectors.standing import latest_standing_change, standing_changes_after

logger = logging.getLogger(__name__)

Key = tuple[str, str]


class WatchedSocket(Protocol):
    def recheck_soon(self) -> None:
        """Hold what the socket forwards, and re-check its standing now."""


def poll_seconds() -> float:
    return settings.MAJLIS_STANDING_POLL_SECONDS


class StandingWatch:
    def __init__(self):
        self.sockets: dict[Key, set[WatchedSocket]] = defaultdict(set)
        self.keys_of: dict[WatchedSocket, tuple[Key, ...]] = {}
        self.cursor = 0
        self.started = asyncio.get_running_loop().create_future()
        self.task: asyncio.Task | None = None
        self.stopped = False

    async def start(self) -> None:
        try:
            self.cursor = await database_sync_to_async(latest_standing_change)()
        except BaseException as error:
            self.started.set_exception(error)
            raise
        self.started.set_result(None)
        if not self.stopped:
            self.task = asyncio.create_task(self._poll())

    def stop(self) -> None:
        self.stopped = True
        if self.task is not None:
            self.task.cancel()

    def add(self, socket: WatchedSocket, keys: tuple[Key, ...]) -> None:
        self.discard(socket)
        self.keys_of[socket] = keys
        for key in keys:
            self.sockets[key].add(socket)

    def discard(self, socket: WatchedSocket) -> None:
        for key in self.keys_of.pop(socket, ()):
            sockets = self.sockets.get(key)
            if sockets is not None:
                sockets.discard(socket)
                if not sockets:
                    del self.sockets[key]

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(poll_seconds())
            try:
                self.cursor, changes = await database_sync_to_async(standing_changes_after)(self.cursor)
            except asyncio.CancelledError:
                raise
            except Exception:  # a database hiccup: the next poll reads from the same cursor
                logger.warning("could not read the standing log", exc_info=True)
                continue
            self.notify(changes)

    def notify(self, changes: list[tuple[str, str]] | None) -> None:
        """Tell the sockets concerned (all of them for None or a change for everyone)."""
        if changes is None or any(scope == StandingScope.EVERYONE for scope, _key in changes):
            concerned = set(self.keys_of)
        else:
            concerned = set()
            for key in set(changes):
                concerned.update(self.sockets.get(key, ()))
        for socket in concerned:
            socket.recheck_soon()


# One watch per event loop (tests run many loops; daphne runs one).
_watches: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, StandingWatch]" = weakref.WeakKeyDictionary()


async def watch(socket: WatchedSocket, keys: tuple[Key, ...], since: int | None = None) -> None:
    """Watch the standing log for `keys` on behalf of a socket.

    When this returns, every change committed from now on reaches the socket: check its
    standing only after it — or, with `since` (the log's latest id read before a check
    already made), the socket re-checks if the log has moved past it meanwhile.
    """
    loop = asyncio.get_running_loop()
    current = _watches.get(loop)
    if current is None:
        current = _watches[loop] = StandingWatch()
        current.add(socket, keys)
        try:
            await current.start()
        except BaseException:
            if _watches.get(loop) is current:
                del _watches[loop]
            raise
    else:
        current.add(socket, keys)
        await asyncio.shield(current.started)
    if since is not None and current.cursor > since:
        socket.recheck_soon()


def rewatch(socket: WatchedSocket, keys: tuple[Key, ...]) -> None:
    """Change the keys of a socket already watched (a thread that moved category)."""
    current = _watches.get(asyncio.get_running_loop())
    if current is not None and socket in current.keys_of:
        current.add(socket, keys)


def unwatch(socket: WatchedSocket) -> None:
    loop = asyncio.get_running_loop()
    current = _watches.get(loop)
    if current is None:
        return
    current.discard(socket)
    if not current.keys_of:
        del _watches[loop]
        current.stop()


def socket_keys(*, user_pk: int, room: str | None = None, thread: str | None = None,
                category_pk: int | None = None) -> tuple[Key, ...]:
    """The standing keys a socket answers to."""
    keys = [(StandingScope.USER.value, str(user_pk))]
    if room is not None:
        keys.append((StandingScope.ROOM.value, room))
    if thread is not None:
        keys.append((StandingScope.THREAD.value, thread))
    if category_pk is not None:
        keys.append((StandingScope.CATEGORY.value, str(category_pk)))
    return tuple(keys)
