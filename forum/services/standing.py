"""Announce a change of standing: who may see or do what, somewhere (forum/models/standing.py).

Call `standing_changed` inside the transaction that makes the change. It writes the row
every process polls (so the change reaches every open socket within a second, on any
channel layer and from any process), and, once the transaction commits, tells the
sockets concerned at once through the channel layer: the fast path, which may drop it.
"""

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from forum.models import StandingChange, StandingScope
from realtime import broadcast

# The channel-layer group of the sockets each scope concerns (None: only the log).
_GROUP_OF: dict[str, Callable[[str], str] | None] = {
    StandingScope.ROOM: broadcast.room_group,
    StandingScope.CATEGORY: lambda key: broadcast.category_group(int(key)),
    StandingScope.THREAD: broadcast.thread_group,
    StandingScope.USER: lambda key: broadcast.user_group(int(key)),
    StandingScope.EVERYONE: None,
}


def standing_changed(scope: StandingScope, key: object = "") -> None:
    """The sockets of `scope`/`key` must re-check before they forward another frame."""
    key = str(key)
    StandingChange.objects.create(scope=scope, key=key)
    group_of = _GROUP_OF[scope]
    if group_of is not None:
        group = group_of(key)
        broadcast.publish_event_on_commit(group, broadcast.STANDING_CHANGED)


# Processes read the log twice a second; an hour-old row concerns no one any more.
KEEP_STANDING_CHANGES = timedelta(hours=1)


def forget_old_standing_changes(now=None) -> int:
    """Delete log rows older than KEEP_STANDING_CHANGES (`purge_expired`, from cron)."""
    cutoff = (now or timezone.now()) - KEEP_STANDING_CHANGES
    return StandingChange.objects.filter(created_at__lt=cutoff).delete()[0]
