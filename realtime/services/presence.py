"""Who has a room open, and who is typing: told to the room, never about hidden members.

Open sockets are rows (OpenSocket), so presence is right with several processes; a
member with two tabs is online once. A socket opening or closing costs the same whatever
the number of members online: it writes its row and says whether the member came or
went; the room is told of the change later, coalesced (realtime/sockets/presence.py).
A hidden member's comings and goings are no change at all.
"""

import time
from functools import cache
from threading import Lock

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from forum import sql
from forum.models import Profile
from realtime import broadcast, protocol, selectors
from realtime.models import OpenSocket, Room

_typing_lock = Lock()
_last_typing: dict[tuple[int, int], float] = {}


def socket_opened(*, room: Room, user, channel_name: str) -> bool:
    """Count a new socket; True when the member just came online (and shows it)."""
    now = timezone.now()
    # Two tabs opening at once may both count as coming online: the room is told twice
    # that the member came, which its clients take as once.
    was_online = selectors.is_online(room, user, now)
    sql.execute(_add_open_socket_sql(), [channel_name, room.pk, user.pk, sql.db_datetime(now)])
    return not was_online and not user.profile.hide_presence


@cache
def _add_open_socket_sql() -> str:
    # Every connect writes one: plain SQL (forum/sql.py says why).
    names = ", ".join(sql.column(OpenSocket, f) for f in ("channel_name", "room", "user", "seen_at"))
    return f"INSERT INTO {sql.table(OpenSocket)} ({names}) VALUES (%s, %s, %s, %s)"


def socket_closed(*, room: Room, user, channel_name: str) -> bool:
    """Forget a socket; True when it was the member's last in the room (and they show it).

    Two statements in plain SQL: a server that stops closes thousands of sockets at once,
    and the sooner it is gone, the sooner its members are back on the next one."""
    sql.execute(_forget_open_socket_sql(), [channel_name])
    still_online, hidden = sql.fetch_one(_still_online_sql(), [
        room.pk, user.pk, sql.db_datetime(selectors.stale_before()), user.pk,
    ])
    return not still_online and hidden is not None and not hidden


@cache
def _forget_open_socket_sql() -> str:
    return f"DELETE FROM {sql.table(OpenSocket)} WHERE {sql.column(OpenSocket, 'channel_name')} = %s"


@cache
def _still_online_sql() -> str:
    """Parameters: room, user, stale before; user. Whether the member still has the room
    open in another tab, and whether they hide their presence (None: no profile)."""
    online = (
        f"SELECT 1 FROM {sql.table(OpenSocket)} WHERE {sql.column(OpenSocket, 'room')} = %s"
        f" AND {sql.column(OpenSocket, 'user')} = %s AND {sql.column(OpenSocket, 'seen_at')} >= %s"
    )
    hidden = (
        f"SELECT {sql.column(Profile, 'hide_presence')} FROM {sql.table(Profile)}"
        f" WHERE {sql.column(Profile, 'user')} = %s"
    )
    return f"SELECT EXISTS ({online}), ({hidden})"


def sockets_seen(channel_names: list[str]) -> None:
    """These sockets are still open: their process is alive (its timer says so)."""
    OpenSocket.objects.filter(channel_name__in=channel_names).update(seen_at=timezone.now())


def sweep_stale_sockets() -> dict[str, list[str]]:
    """Forget the rows of sockets whose process went away without closing them; return,
    per room slug, the profile ids of shown members who are online there no more."""
    now = timezone.now()
    with transaction.atomic():
        stale = OpenSocket.objects.filter(seen_at__lt=selectors.stale_before(now))
        gone = set(stale.values_list("room__slug", "room_id", "user_id"))
        if not gone:
            return {}
        stale.delete()
        left: dict[str, list[str]] = {}
        for slug, room_id, user_id in gone:
            still = OpenSocket.objects.filter(room_id=room_id, user_id=user_id).exists()
            profile = Profile.objects.filter(user_id=user_id, hide_presence=False).first()
            if not still and profile is not None:
                left.setdefault(slug, []).append(profile.public_id)
    return left


def typing(*, room: Room, user) -> bool:
    """Tell the others that the member is typing: at most once per interval, never if hidden.

    The interval is kept per process (a member's tabs on two processes may each send one).
    """
    if user.profile.hide_presence or room.read_only or selectors.active_mute(room, user):
        return False
    interval = settings.MAJLIS_TYPING_INTERVAL
    key, now = (room.pk, user.pk), time.monotonic()
    with _typing_lock:
        if now - _last_typing.get(key, -interval) < interval:
            return False
        _last_typing[key] = now
        if len(_last_typing) > 10_000:  # forget members who stopped typing long ago
            for old in [k for k, at in _last_typing.items() if now - at >= interval]:
                del _last_typing[old]
    broadcast.publish_frame_to_others(broadcast.room_group(room.slug), protocol.typing(user.profile), user.pk)
    return True
