"""What a room socket's client frames do (DESIGN.md, Wire protocol): one method per `type`.

Each runs in the database thread, after the socket's standing was read afresh
(`run_command`), and calls one service or selector with the fresh user and room. A
moderator's command is refused before any of its fields is read.
"""

from datetime import timedelta

from django.utils import timezone

from realtime import broadcast, protocol, selectors, services
from forum.errors import Forbidden, RoomGone
from realtime.selectors import Standing

BIGGEST_COUNTER = 2**63 - 1
# These frames' services read the member's grants themselves (and raise RoomGone without
# view_room): reading them for the socket's re-check too would double the permission
# queries of the busiest frame, `send`.
_GRANTS_READ_BY_THE_SERVICE = frozenset({"send", "edit"})


class RoomCommands:
    """Mixed into RoomSocket (rooms.py), which provides `standing(grants=...)`."""

    def run_command(self, frame: dict) -> tuple[Standing, list[dict]]:
        """In the database thread: re-check the socket, then run the frame's command."""
        kind = frame["type"]
        standing = self.standing(grants=kind not in _GRANTS_READ_BY_THE_SERVICE)
        if standing.close_code:
            return standing, []
        if kind in protocol.MODERATOR_COMMANDS and not standing.can_moderate:
            raise Forbidden("Only the room's moderators can do this.")  # before reading any field
        try:
            return standing, getattr(self, f"command_{kind}")(standing, frame)
        except RoomGone:  # the service found the member without view_room
            return Standing(close_code=broadcast.NOT_FOUND), []

    def command_send(self, standing: Standing, frame: dict) -> list[dict]:
        message, created = services.post_message(
            author=standing.user, room=standing.room,
            body=protocol.text(frame, "body"), client_id=protocol.text(frame, "client_id"),
        )
        # A new message reaches the sender with everyone else; a repeat is answered here.
        return [] if created else [protocol.message_event("message", message)]

    def command_history(self, standing: Standing, frame: dict) -> list[dict]:
        before = protocol.optional_integer(frame, "before", 0, BIGGEST_COUNTER)
        limit = protocol.integer(frame, "limit", 1, protocol.HISTORY_MAX, default=protocol.HISTORY_ON_CONNECT)
        return [protocol.history(*selectors.messages_before(standing.room, before=before, limit=limit))]

    def command_sync(self, standing: Standing, frame: dict) -> list[dict]:
        after = protocol.integer(frame, "after", 0, BIGGEST_COUNTER)
        return [protocol.sync(*selectors.changes_since(standing.room, after=after, limit=protocol.SYNC_MAX))]

    def command_edit(self, standing: Standing, frame: dict) -> list[dict]:
        services.edit_message(
            by=standing.user, room=standing.room,
            message_id=protocol.text(frame, "id"), body=protocol.text(frame, "body"),
        )
        return []

    def command_delete(self, standing: Standing, frame: dict) -> list[dict]:
        services.delete_message(by=standing.user, room=standing.room, message_id=protocol.text(frame, "id"))
        return []

    def command_typing(self, standing: Standing, frame: dict) -> list[dict]:
        if not standing.can_post:
            raise Forbidden("You cannot write in this room.")
        services.typing(room=standing.room, user=standing.user)
        return []

    def command_ping(self, standing: Standing, frame: dict) -> list[dict]:
        return [protocol.pong(standing.room.rev)]

    def command_report(self, standing: Standing, frame: dict) -> list[dict]:
        message_id = protocol.text(frame, "id")
        services.report_message(
            by=standing.user, room=standing.room, message_id=message_id, reason=protocol.text(frame, "reason"),
        )
        return [protocol.reported(message_id)]

    def command_mute(self, standing: Standing, frame: dict) -> list[dict]:
        member = selectors.member_by_public_id(protocol.text(frame, "user"))
        minutes = protocol.integer(frame, "minutes", 1, protocol.MUTE_MINUTES_MAX)
        services.mute_member(
            by=standing.user, room=standing.room, member=member,
            until=timezone.now() + timedelta(minutes=minutes), reason=protocol.text(frame, "reason", ""),
        )
        return []

    def command_unmute(self, standing: Standing, frame: dict) -> list[dict]:
        member = selectors.member_by_public_id(protocol.text(frame, "user"))
        services.unmute_member(by=standing.user, room=standing.room, member=member)
        return []

    def command_ban(self, standing: Standing, frame: dict) -> list[dict]:
        member = selectors.member_by_public_id(protocol.text(frame, "user"))
        services.ban_member(
            by=standing.user, room=standing.room, member=member, reason=protocol.text(frame, "reason", ""),
        )
        return []

    def command_unban(self, standing: Standing, frame: dict) -> list[dict]:
        member = selectors.member_by_public_id(protocol.text(frame, "user"))
        services.unban_member(by=standing.user, room=standing.room, member=member)
        return []

    def command_slow_mode(self, standing: Standing, frame: dict) -> list[dict]:
        seconds = protocol.integer(frame, "seconds", 0, protocol.SLOW_MODE_MAX)
        services.set_slow_mode(by=standing.user, room=standing.room, seconds=seconds)
        return []

    def command_read_only(self, standing: Standing, frame: dict) -> list[dict]:
        services.set_read_only(by=standing.user, room=standing.room, on=protocol.boolean(frame, "on"))
        return []
