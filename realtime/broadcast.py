"""Every channel-layer group name, and the one way to publish to a group.

This module imports no app of ours, so the forum may publish through it too (DESIGN.md,
Layout). Frames are JSON-encoded once here, by the publisher, and handed to every
socket of the group as text: consumers forward them without touching the database.

Publish only what was committed: `publish_on_commit` is the one way a service does it.
"""

import json
import logging
from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

# The close codes of DESIGN.md (Wire protocol), for every socket and for whatever closes one.
SESSION_ENDED = 4401  # not logged in, or the session ended
BANNED = 4403         # banned from this room
NOT_FOUND = 4404      # no such room or thread, or no grant to view it (the two look alike)
TOO_SLOW = 4408       # the client left too much unread; it reconnects and catches up by `rev`
TRY_AGAIN = 4503      # too busy to open the socket in time (HTTP 503 in the 4xxx range): reconnect later


def room_group(slug: str) -> str:
    return f"room.{slug}"


def user_group(user_pk: int) -> str:
    return f"user.{user_pk}"


def room_member_group(slug: str, user_pk: int) -> str:
    """The sockets one member has open in one room: a ban closes exactly these."""
    return f"room.{slug}.user.{user_pk}"


def session_group(session_key: str) -> str:
    return f"session.{session_key}"


def notifications_group(user_pk: int) -> str:
    """A member's notification sockets (frames for them alone, unlike the control group)."""
    return f"notifications.{user_pk}"


def category_group(category_pk: int) -> str:
    """Sockets that show something of a category: told when its grants change."""
    return f"category.{category_pk}"


def thread_group(thread_public_id: str) -> str:
    return f"thread.{thread_public_id}"


def encode(frame: dict) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def publish(group: str, handler: str, **event) -> None:
    """Send one event to a group; a failure loses nothing, clients catch up by `rev`."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": handler, **event})
    except Exception:  # the database already holds the change; never fail the writer
        logger.warning("channel layer publish to a group failed", exc_info=True)


def publish_frame(group: str, frame: dict) -> None:
    """A frame for every socket in the group, encoded once."""
    publish(group, "frame.forward", text=encode(frame))


def publish_frame_to_others(group: str, frame: dict, user_pk: int) -> None:
    """A frame for every socket in the group except those of the member it comes from."""
    publish(group, "frame.others", text=encode(frame), user=user_pk)


def publish_on_commit(group: str, frame: dict) -> None:
    """A frame for every socket in the group once the current transaction commits (at
    once outside a transaction); nothing at all if it rolls back."""
    transaction.on_commit(partial(publish_frame, group, frame))


def publish_event_on_commit(group: str, handler: str, **event) -> None:
    """An event other than a frame (a re-check order, a close) once the transaction commits."""
    transaction.on_commit(partial(publish, group, handler, **event))


# The order to re-check a socket's standing now (forum.services.standing sends it).
STANDING_CHANGED = "standing.changed"


def close_sockets(group: str, code: int) -> None:
    """Close every socket of a group (a session that ended, a banned member)."""
    publish(group, "socket.close", code=code)
