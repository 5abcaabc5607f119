"""A member's read position in a room: their own state, moved as they read (realtime.unread
says what counts as unread). No event is recorded: it is nobody else's business."""

from forum import sql
from realtime.models import Room, RoomRead


def note_room_read(user, room: Room, seq: int) -> None:
    """They were shown the room up to message `seq`: their position moves forward, never
    past the room's newest message, and never back."""
    seq = min(seq, room.seq)
    if seq > 0:
        sql.upsert_forward(RoomRead, {"user": user.pk, "room": room.pk}, "seq", seq)
