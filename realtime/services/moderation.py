"""Moderators run their rooms: mute, ban, slow mode, read-only. Each action is recorded.

Every action is a ModerationEvent (scope: the room) and a `moderation` frame to the
room, sent after the commit. A ban also closes the member's sockets in the room (4403).
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from forum import permissions
from forum.models import Action, StandingScope
from forum.models.moderation import REASON_MAX
from forum.services.audit import record_moderation_event
from forum.services.standing import standing_changed
from realtime import broadcast, protocol
from forum.errors import BadRequest, Forbidden, NotFound, TooLong
from realtime.models import Room, RoomBan, RoomMute
from realtime.selectors import in_force


def _check_moderator(by, room: Room) -> None:
    verbs = permissions.perms_for(by, room)
    if permissions.MODERATE not in verbs:
        raise Forbidden("Only the room's moderators can do this.")


def _clean_reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if len(reason) > REASON_MAX:
        raise TooLong(f"A reason can have at most {REASON_MAX} characters.")
    return reason


def _check_target(room: Room, member) -> None:
    if permissions.MODERATE in permissions.perms_for(member, room):
        raise Forbidden("A moderator of this room cannot be muted or banned in it.")


def _announce(room: Room, frame: dict) -> None:
    broadcast.publish_on_commit(broadcast.room_group(room.slug), frame)


def _record(by, action: str, room: Room, member, reason: str = "", **details) -> None:
    record_moderation_event(
        actor=by, action=action, scope=room, target_kind="member",
        target_id=member.profile.public_id, subject=member, reason=reason,
        details={key: protocol.iso(value) if isinstance(value, datetime) else value
                 for key, value in details.items()},
    )


def mute_member(*, by, room: Room, member, until: datetime, reason: str = "") -> RoomMute:
    """Until then, the member reads the room but cannot write in it."""
    _check_moderator(by, room)
    reason = _clean_reason(reason)
    _check_target(room, member)
    if until <= timezone.now():
        raise BadRequest("A mute ends in the future.")
    with transaction.atomic():
        mute, _created = RoomMute.objects.update_or_create(
            room=room, user=member, defaults={"until": until, "reason": reason, "by": by, "created": timezone.now()},
        )
        _record(by, Action.MUTE, room, member, reason, until=until)
        _announce(room, protocol.moderation(Action.MUTE, profile=member.profile, until=until, reason=reason))
    return mute


def unmute_member(*, by, room: Room, member, reason: str = "") -> None:
    _check_moderator(by, room)
    reason = _clean_reason(reason)
    with transaction.atomic():
        if not RoomMute.objects.filter(in_force(), room=room, user=member).delete()[0]:
            raise NotFound("This member is not muted here.")
        _record(by, Action.UNMUTE, room, member, reason)
        _announce(room, protocol.moderation(Action.UNMUTE, profile=member.profile, reason=reason))


def ban_member(*, by, room: Room, member, reason: str = "", until: datetime | None = None) -> RoomBan:
    """Shut the member out of the room until then (or until unbanned); their sockets close."""
    _check_moderator(by, room)
    reason = _clean_reason(reason)
    _check_target(room, member)
    if until is not None and until <= timezone.now():
        raise BadRequest("A ban ends in the future.")
    with transaction.atomic():
        ban, _created = RoomBan.objects.update_or_create(
            room=room, user=member, defaults={"until": until, "reason": reason, "by": by, "created": timezone.now()},
        )
        _record(by, Action.BAN, room, member, reason, until=until)
        _announce(room, protocol.moderation(Action.BAN, profile=member.profile, until=until, reason=reason))
        broadcast.publish_event_on_commit(
            broadcast.room_member_group(room.slug, member.pk), "socket.close", code=broadcast.BANNED
        )
        # The order above may be lost, or not reach another process: the log reaches all.
        standing_changed(StandingScope.USER, member.pk)
    return ban


def unban_member(*, by, room: Room, member, reason: str = "") -> None:
    _check_moderator(by, room)
    reason = _clean_reason(reason)
    with transaction.atomic():
        if not RoomBan.objects.filter(in_force(), room=room, user=member).delete()[0]:
            raise NotFound("This member is not banned here.")
        _record(by, Action.UNBAN, room, member, reason)
        _announce(room, protocol.moderation(Action.UNBAN, profile=member.profile, reason=reason))


def set_slow_mode(*, by, room: Room, seconds: int) -> Room:
    """Each member may send one message every `seconds` (0 turns slow mode off)."""
    _check_moderator(by, room)
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not 0 <= seconds <= protocol.SLOW_MODE_MAX:
        raise BadRequest(f"Slow mode is from 0 to {protocol.SLOW_MODE_MAX} seconds.")
    with transaction.atomic():
        Room.objects.filter(pk=room.pk).update(slow_mode_seconds=seconds)
        room.slow_mode_seconds = seconds
        record_moderation_event(
            actor=by, action=Action.SLOW_MODE, scope=room, target_kind="room", target_id=room.slug,
            details={"seconds": seconds},
        )
        _announce(room, protocol.moderation(Action.SLOW_MODE, seconds=seconds))
    return room


def set_read_only(*, by, room: Room, on: bool) -> Room:
    """While on, every `send` in the room answers `read_only`."""
    _check_moderator(by, room)
    with transaction.atomic():
        Room.objects.filter(pk=room.pk).update(read_only=on)
        room.read_only = on
        record_moderation_event(
            actor=by, action=Action.READ_ONLY, scope=room, target_kind="room", target_id=room.slug,
            details={"on": on},
        )
        _announce(room, protocol.moderation(Action.READ_ONLY, on=on))
    return room
