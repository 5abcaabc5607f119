"""What a room socket's client frames do (DESIGN.md, Wire protocol): one method per `type`.

Each runs in the database thread, after the socket's standing was read afresh
(`run_command`), and calls one service or selector with the fresh user and room. A
moderator's command is refused before any of its fields is read.

This is where a room socket translates what a service refuses: in the member's language
(their profile's, else their browser's, as for pages) and time zone, so that an `error` frame's
`detail` is the text a page shows for the same refusal (realtime/checks.py); and a
ValidationError (a reason too long, say) becomes `too_long` or `bad_request`. The grants
read for the re-check are the ones the command's checks use (`grants_cached`).
"""

from datetime import timedelta
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import parse_cookie
from django.utils import timezone, translation

from forum import permissions, times
from forum.errors import BadRequest, DomainError, RoomGone, TooLong
from realtime import broadcast, checks, protocol, selectors, services
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
        with permissions.grants_cached():
            standing = self.standing(grants=kind not in _GRANTS_READ_BY_THE_SERVICE)
            if standing.close_code:
                return standing, []
            with translation.override(self.language_of(standing.user)), timezone.override(times.zone_of(standing.user)):
                try:
                    if kind in protocol.MODERATOR_COMMANDS:
                        checks.check_moderate_room(standing.user, standing.room)  # before reading any field
                    return standing, getattr(self, f"command_{kind}")(standing, frame)
                except RoomGone:  # the member may not view the room (any more)
                    return Standing(close_code=broadcast.NOT_FOUND), []
                except ValidationError as error:
                    raise _domain_error(error) from error

    def language_of(self, user) -> str:
        """The member's profile language; else the browser's, as LocaleMiddleware reads it."""
        profile = getattr(user, "profile", None)
        if profile is not None and profile.language:
            return profile.language
        headers: dict[bytes, bytes] = {}
        for name, value in self.scope.get("headers", []):
            headers.setdefault(name, value)  # the first of each, as Channels reads the cookie
        browser = SimpleNamespace(
            COOKIES=parse_cookie(headers.get(b"cookie", b"").decode("latin1")),
            META={"HTTP_ACCEPT_LANGUAGE": headers.get(b"accept-language", b"").decode("latin1")},
        )
        return translation.get_language_from_request(browser)

    def command_send(self, standing: Standing, frame: dict) -> list[dict]:
        message, created = services.post_message(
            author=standing.user, room=standing.room,
            body=protocol.text(frame, "body"), client_id=protocol.text(frame, "client_id"),
            attachments=protocol.id_list(frame, "attachments", settings.MAJLIS_ATTACHMENTS_PER_MESSAGE),
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
        checks.check_write_grant(standing.user, standing.room)  # a muted member's typing is harmless
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



def _domain_error(error: ValidationError) -> DomainError:
    """A service's ValidationError as the wire's error: `too_long` when that is what it says."""
    fields = error.error_dict.values() if hasattr(error, "error_dict") else [error.error_list]
    codes = {item.code for items in fields for item in items}
    return (TooLong if "too_long" in codes else BadRequest)(" ".join(error.messages))
