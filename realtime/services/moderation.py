"""Moderators run their rooms: mute, ban, slow mode, read-only. Each action is recorded.

Every action is one ModerationEvent (scope: the room) and a `moderation` frame to the
room, sent after the commit. A member's standing in a room changes through one function,
`sanction` (mute, ban, and lifting either); `mute_member`, `ban_member`, `unmute_member`
and `unban_member` are its named shortcuts. A ban also closes the member's sockets in the
room (4403).
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum.errors import BadRequest, NotFound
from forum.models import Action, StandingScope
from forum.services.audit import clean_reason, record_moderation_event
from forum.services.standing import standing_changed
from realtime import broadcast, checks, protocol
from realtime.models import Room, RoomBan, RoomMute
from realtime.selectors import in_force

# What each action puts on (or takes off), and the rule it asks.
_MODELS = {Action.MUTE: RoomMute, Action.BAN: RoomBan, Action.UNMUTE: RoomMute, Action.UNBAN: RoomBan}
_CHECKS = {
    Action.MUTE: checks.check_mute, Action.BAN: checks.check_ban,
    Action.UNMUTE: checks.check_unmute, Action.UNBAN: checks.check_unban,
}
_LIFTS = {Action.UNMUTE, Action.UNBAN}


def _announce(room: Room, frame: dict) -> None:
    broadcast.publish_on_commit(broadcast.room_group(room.slug), frame)


def sanction(
    *, action: str, by, room: Room, member, until: datetime | None = None, reason: str = "",
) -> RoomMute | RoomBan | None:
    """Mute or ban `member` in `room` until `until` (a ban may have none: until lifted), or
    lift their mute or ban (`Action.UNMUTE`, `Action.UNBAN`). Returns the sanction put on.

    A mute lets the member read but not write; a ban shuts them out and closes their
    sockets in the room. Putting one on again replaces it.
    """
    _CHECKS[action](by, room, member)
    reason = clean_reason(reason, required=False)
    if action == Action.MUTE and until is None:
        raise BadRequest(_("A mute needs an end."))
    if until is not None and until <= timezone.now():
        raise BadRequest(_("A mute ends in the future.") if action == Action.MUTE else _("A ban ends in the future."))
    model = _MODELS[action]
    with transaction.atomic():
        if action in _LIFTS:
            if not model.objects.filter(in_force(), room=room, user=member).delete()[0]:
                raise NotFound(_("This member is not muted here.") if action == Action.UNMUTE
                               else _("This member is not banned here."))
            imposed = None
        else:
            imposed, _created = model.objects.update_or_create(
                room=room, user=member,
                defaults={"until": until, "reason": reason, "by": by, "created": timezone.now()},
            )
        record_moderation_event(
            actor=by, action=action, scope=room, target=member, reason=reason,
            details={} if action in _LIFTS else {"until": until and protocol.iso(until)},
        )
        _announce(room, protocol.moderation(action, profile=member.profile, until=until, reason=reason))
        if action == Action.BAN:
            broadcast.publish_event_on_commit(
                broadcast.room_member_group(room.slug, member.pk), "socket.close", code=broadcast.BANNED
            )
            # The order above may be lost, or not reach another process: the log reaches all.
            standing_changed(StandingScope.USER, member.pk)
    return imposed


def mute_member(*, by, room: Room, member, until: datetime, reason: str = "") -> RoomMute:
    """Until then, the member reads the room but cannot write in it."""
    return sanction(action=Action.MUTE, by=by, room=room, member=member, until=until, reason=reason)


def ban_member(*, by, room: Room, member, reason: str = "", until: datetime | None = None) -> RoomBan:
    """Shut the member out of the room until then (or until unbanned); their sockets close."""
    return sanction(action=Action.BAN, by=by, room=room, member=member, until=until, reason=reason)


def unmute_member(*, by, room: Room, member, reason: str = "") -> None:
    sanction(action=Action.UNMUTE, by=by, room=room, member=member, reason=reason)


def unban_member(*, by, room: Room, member, reason: str = "") -> None:
    sanction(action=Action.UNBAN, by=by, room=room, member=member, reason=reason)


def set_slow_mode(*, by, room: Room, seconds: int) -> Room:
    """Each member may send one message every `seconds` (0 turns slow mode off)."""
    checks.check_set_slow_mode(by, room)
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not 0 <= seconds <= protocol.SLOW_MODE_MAX:
        raise BadRequest(_("Slow mode is from 0 to %(max)d seconds.") % {"max": protocol.SLOW_MODE_MAX})
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
    checks.check_set_read_only(by, room)
    with transaction.atomic():
        Room.objects.filter(pk=room.pk).update(read_only=on)
        room.read_only = on
        record_moderation_event(
            actor=by, action=Action.READ_ONLY, scope=room, target_kind="room", target_id=room.slug,
            details={"on": on},
        )
        _announce(room, protocol.moderation(Action.READ_ONLY, on=on))
    return room
