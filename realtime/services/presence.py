"""Who has a room open, and who is typing: told to the room, never about hidden members.

Open sockets are rows (OpenSocket), so presence is right with several processes; a
member with two tabs is online once. Presence goes out only when the visible list
changes, so a hidden member's comings and goings cause no frame at all.
"""

import time
from functools import partial
from threading import Lock

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from forum.models import Profile
from realtime import broadcast, protocol, selectors
from realtime.models import OpenSocket, Room

_typing_lock = Lock()
_last_typing: dict[tuple[int, int], float] = {}


def _is_online(room: Room, user, now) -> bool:
    return OpenSocket.objects.filter(room=room, user=user, seen_at__gte=selectors.stale_before(now)).exists()


def _announce_presence(room: Room) -> dict:
    frame = protocol.presence(selectors.online_people(room))
    transaction.on_commit(partial(broadcast.publish_frame, broadcast.room_group(room.slug), frame))
    return frame


def socket_opened(*, room: Room, user, channel_name: str) -> tuple[dict, bool]:
    """Count a new socket; return the presence frame and whether the room was sent it."""
    now = timezone.now()
    with transaction.atomic():
        OpenSocket.objects.filter(room=room, seen_at__lt=selectors.stale_before(now)).delete()
        was_online = _is_online(room, user, now)
        OpenSocket.objects.update_or_create(
            channel_name=channel_name, defaults={"room": room, "user": user, "seen_at": now}
        )
        if was_online or user.profile.hide_presence:
            return protocol.presence(selectors.online_people(room)), False
        return _announce_presence(room), True


def socket_closed(*, room_slug: str, user, channel_name: str) -> None:
    """Forget a socket; when it was the member's last one in the room, tell the room."""
    with transaction.atomic():
        OpenSocket.objects.filter(channel_name=channel_name).delete()
        room = Room.objects.filter(slug=room_slug).first()
        hidden = Profile.objects.filter(user=user, hide_presence=True).exists()
        if room is not None and not hidden and not _is_online(room, user, timezone.now()):
            _announce_presence(room)


def socket_seen(*, channel_name: str) -> None:
    """The socket is still open (its periodic re-check passed)."""
    OpenSocket.objects.filter(channel_name=channel_name).update(seen_at=timezone.now())


def typing(*, room: Room, user) -> bool:
    """Tell the others that the member is typing: at most once per interval, never if hidden.

    The interval is kept per process (a member's tabs on two processes may each send one).
    """
    if user.profile.hide_presence or room.read_only or selectors.active_mute(room, user):
        return False
    interval = getattr(settings, "MAJLIS_TYPING_INTERVAL", 3)
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
