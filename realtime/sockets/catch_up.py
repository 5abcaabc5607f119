"""What a room socket sends on opening after `hello`: the room's latest history, or every
change after the client's `?after=<rev>`.

After a restart every member of a room reconnects within seconds and, without `after`, asks
for the same latest history. Reading and encoding fifty messages per connect was most of a
connect's cost, so each process keeps the latest history of a room encoded once per room
revision. A revision counts every message sent, edited or deleted, and is read by the
socket's standing check just before: a history cached at revision R holds every change up
to R (commit order is counter order), and whatever comes after R reaches the socket through
the room hub it joined before its check. The little a revision does not count (an author's
new display name, a retention purge between two messages) is bounded by FRESH_SECONDS.
"""

import threading
import time
from collections import OrderedDict

from realtime import broadcast, protocol, selectors
from realtime.models import Room

FRESH_SECONDS = 2.0
ROOMS_KEPT = 256  # rooms whose history a process keeps encoded

# Per room: (its creation, its revision, until when, the encoded frame). The creation tells
# a room from a deleted one whose primary key SQLite gave again.
_latest: "OrderedDict[int, tuple[object, int, float, str]]" = OrderedDict()
_lock = threading.Lock()  # database threads may be several


def opening_frame(room: Room, after: int | None) -> str:
    """The encoded `history` (latest) or `sync` (after `after`) frame for a new socket."""
    if after is not None:
        messages, has_more, rev = selectors.changes_since(room, after=after, limit=protocol.SYNC_MAX)
        return broadcast.encode(protocol.sync(messages, has_more, rev))
    return latest_history(room)


def latest_history(room: Room) -> str:
    now = time.monotonic()
    with _lock:
        kept = _latest.get(room.pk)
        if kept is not None and kept[:2] == (room.created_at, room.rev) and kept[2] > now:
            _latest.move_to_end(room.pk)
            return kept[3]
    page = selectors.messages_before(room, before=None, limit=protocol.HISTORY_ON_CONNECT)
    text = broadcast.encode(protocol.history(*page))
    with _lock:
        _latest[room.pk] = (room.created_at, room.rev, now + FRESH_SECONDS, text)
        _latest.move_to_end(room.pk)
        while len(_latest) > ROOMS_KEPT:
            _latest.popitem(last=False)
    return text


def forget() -> None:
    """Drop every kept history (tests that rewrite a room behind its revision's back)."""
    with _lock:
        _latest.clear()
