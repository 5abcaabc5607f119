"""What a room socket sends on opening after `hello`: the room's latest history, or every
change after the client's `?after=<rev>`.

After a restart every member of a room reconnects within seconds, and asks either for the
same latest history (no `after`) or, mostly, for the changes after the same revision (the
room's last before the restart). Reading and encoding them was most of a connect's cost,
so each process keeps both answers encoded, per room revision. A revision counts every
message sent, edited or deleted, and is read by the socket's standing check just before:
an answer kept at revision R holds every change up to R (commit order is counter order),
and whatever comes after R reaches the socket through the room hub it joined before its
check. The little a revision does not count (an author's new display name, a retention
purge) is bounded by FRESH_SECONDS.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from realtime import broadcast, protocol, selectors
from realtime.models import Room

FRESH_SECONDS = 2.0
ANSWERS_KEPT = 512  # (room, question) answers a process keeps encoded

# (room pk, `after` or None) → (the room's creation, its revision, until when, the frame).
# The creation tells a room from a deleted one whose primary key SQLite gave again.
_kept: "OrderedDict[tuple[int, int | None], tuple[object, int, float, str]]" = OrderedDict()
_lock = threading.Lock()  # database threads may be several


def opening_frame(room: Room, after: int | None) -> str:
    """The encoded `history` (latest) or `sync` (after `after`) frame for a new socket."""
    if after is None:
        return _kept_or_made(room, None, lambda: protocol.history(
            *selectors.messages_before(room, before=None, limit=protocol.HISTORY_ON_CONNECT)))
    if after >= room.rev:  # up to date (or ahead of a room made anew): nothing to read
        return broadcast.encode(protocol.sync([], False, room.rev))
    return _kept_or_made(room, after, lambda: _sync_up_to(room, after))


def _sync_up_to(room: Room, after: int) -> dict:
    messages, has_more, rev = selectors.changes_since(room, after=after, limit=protocol.SYNC_MAX, rev=room.rev)
    return protocol.sync(messages, has_more, rev)


def _kept_or_made(room: Room, after: int | None, make: Callable[[], dict]) -> str:
    key, now = (room.pk, after), time.monotonic()
    with _lock:
        kept = _kept.get(key)
        if kept is not None and kept[:2] == (room.created_at, room.rev) and kept[2] > now:
            _kept.move_to_end(key)
            return kept[3]
    text = broadcast.encode(make())
    with _lock:
        _kept[key] = (room.created_at, room.rev, now + FRESH_SECONDS, text)
        _kept.move_to_end(key)
        while len(_kept) > ANSWERS_KEPT:
            _kept.popitem(last=False)
    return text


def forget() -> None:
    """Drop every kept answer (tests that count what a connect reads)."""
    with _lock:
        _kept.clear()
