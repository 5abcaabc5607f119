"""The wire format of `/ws/rooms/<slug>/` (DESIGN.md, Wire protocol): frames in, frames out.

Reading a client frame checks its shape only (size, JSON, object, known type, field
types); what the frame may do is the services' business. Every frame the server sends
is built here, so the format lives in one place.
"""

import json
from datetime import UTC, datetime
from typing import Any

from attachments.wire import attachment_json
from forum.errors import BadRequest, DomainError, TooLong
from forum.former import person_of
from realtime import broadcast

MAX_FRAME_BYTES = 64 * 1024
HISTORY_ON_CONNECT = 50
HISTORY_MAX = 100
SYNC_MAX = 500
# daphne's WebSocket refuses to send a message over 1 MiB (autobahn's payload limit): it
# raises, and the socket closes with 1011. Catch-up frames stop at half of that and say
# `has_more`; the client asks for the rest.
FRAME_BUDGET = 512 * 1024
MUTE_MINUTES_MAX = 60 * 24 * 30
SLOW_MODE_MAX = 60 * 60

MEMBER_COMMANDS = frozenset({"send", "history", "sync", "edit", "delete", "typing", "ping", "report"})
MODERATOR_COMMANDS = frozenset({"mute", "unmute", "ban", "unban", "slow_mode", "read_only"})
COMMANDS = MEMBER_COMMANDS | MODERATOR_COMMANDS

_MISSING = object()


# --- Client frames -------------------------------------------------------------------

def parse(text_data: str | None, bytes_data: bytes | None) -> dict[str, Any]:
    """A room frame as a dict with a known `type`, or BadRequest / TooLong."""
    frame = parse_object(text_data, bytes_data)
    kind = frame.get("type")
    if not isinstance(kind, str) or kind not in COMMANDS:  # `[]` or `{}` is no type (nor hashable)
        raise BadRequest("Unknown frame type.")
    return frame


def parse_object(text_data: str | None, bytes_data: bytes | None) -> dict[str, Any]:
    """Any socket's client frame as a JSON object, or BadRequest / TooLong.

    Whatever a client sends ends here as one of those two errors, never as an exception
    that would close the socket (DESIGN.md: errors never close the socket).
    """
    if text_data is None:
        if bytes_data is not None and len(bytes_data) > MAX_FRAME_BYTES:
            raise TooLong("A frame can have at most 64 KiB.")
        raise BadRequest("Frames are JSON text, not binary.")
    # Measured before parsing: a huge frame costs us nothing but this length check.
    if len(text_data) > MAX_FRAME_BYTES or (
        len(text_data) * 4 > MAX_FRAME_BYTES
        and len(text_data.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES
    ):
        raise TooLong("A frame can have at most 64 KiB.")
    try:
        frame = json.loads(text_data, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):  # RecursionError: JSON nested a thousand deep
        raise BadRequest("A frame must be JSON.")
    if not isinstance(frame, dict):
        raise BadRequest("A frame must be a JSON object.")
    # No database or encoder takes a lone surrogate. One can hide in the text itself
    # (when not from daphne, which checks its UTF-8) or in a `\\ud800`-style escape.
    try:
        text_data.encode("utf-8")
        if "\\u" in text_data:
            json.dumps(frame, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, RecursionError):
        raise BadRequest("A frame's text must be valid Unicode (no lone surrogates).")
    return frame


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def ref_of(frame: dict) -> str | None:
    """What an error answer points back to: the frame's client_id, when it has one."""
    client_id = frame.get("client_id")
    return client_id if isinstance(client_id, str) and len(client_id) <= 64 else None


def text(frame: dict, name: str, default: Any = _MISSING) -> str:
    value = frame.get(name, default)
    if not isinstance(value, str):
        raise BadRequest(f"'{name}' must be a string.")
    return value


def integer(frame: dict, name: str, low: int, high: int, default: Any = _MISSING) -> int:
    value = frame.get(name, default)
    # bool is an int to Python, but `true` is not a number on the wire.
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadRequest(f"'{name}' must be a whole number from {low} to {high}.")
    return value


def id_list(frame: dict, name: str, most: int) -> list[str]:
    """An optional list of at most `most` public ids (strings of up to 16 characters)."""
    value = frame.get(name, [])
    if not isinstance(value, list) or len(value) > most or not all(
        isinstance(item, str) and 0 < len(item) <= 16 for item in value
    ):
        raise BadRequest(f"'{name}' must be a list of at most {most} ids.")
    return value


def optional_integer(frame: dict, name: str, low: int, high: int) -> int | None:
    if frame.get(name) is None:
        return None
    return integer(frame, name, low, high)


def boolean(frame: dict, name: str) -> bool:
    value = frame.get(name)
    if not isinstance(value, bool):
        raise BadRequest(f"'{name}' must be true or false.")
    return value


# --- Server frames -------------------------------------------------------------------

def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def person(profile) -> dict:
    return {"id": profile.public_id, "name": profile.display_name}


def message(message) -> dict:
    """`M`: load it with its author's profile (select_related("author__profile")) and its
    attachments (prefetched, or `message.attached` as the service that sent it left them)."""
    return {
        "id": message.public_id,
        "seq": message.seq,
        "rev": message.rev,
        "room": message.room.slug,
        "author": person_of(message.author),  # a former member: id null
        "body_html": "" if message.deleted else message.body_html,
        "created": iso(message.created),
        "edited": iso(message.edited),
        "deleted": message.deleted,
        "client_id": message.client_id,
        "attachments": attachments(message),
    }


def attachments(message) -> list[dict]:
    """A message's files as `{id, name, size, type, url, preview_url}`; none once deleted."""
    if message.deleted:
        return []
    attached = getattr(message, "attached", None)
    if attached is None:
        attached = message.attachments.all()
    return [attachment_json(attachment) for attachment in attached]


def message_event(kind: str, msg) -> dict:
    """`message`, `message.edited` or `message.deleted`, with the message's current state."""
    return {"type": kind, "message": message(msg)}


def hello(room, profile, *, can_post: bool, can_moderate: bool, online: list[dict], online_count: int) -> dict:
    """The first frame: the room, who I am, its revision, and who is online (at most
    ONLINE_LISTED of them by name, and how many in all)."""
    return {
        "type": "hello",
        "room": {
            "slug": room.slug,
            "name": room.name,
            "topic": room.topic,
            "can_post": can_post,
            "can_moderate": can_moderate,
            "read_only": room.read_only,
            "slow_mode_seconds": room.slow_mode_seconds,
        },
        "me": person(profile),
        "rev": room.rev,
        "online": online,
        "online_count": online_count,
    }


def hello_text(room, profile, *, can_post: bool, can_moderate: bool, online_text: str, online_count: int) -> str:
    """`hello`, encoded as `broadcast.encode` would, its online list given encoded already.

    The list is the same for everyone who connects until someone listed comes or goes
    (OnlineView.listed_text): encoding it again for each of a crowd's hellos was a tenth
    of the event loop's work while the crowd connected (bench/sockets.py)."""
    frame = hello(room, profile, can_post=can_post, can_moderate=can_moderate, online=[], online_count=0)
    del frame["online"], frame["online_count"]  # the last two: spliced in below, in the same order
    text = broadcast.encode(frame)
    return f'{text[:-1]},"online":{online_text},"online_count":{int(online_count)}}}'


def history(messages: list, has_more: bool) -> dict:
    """Messages by `seq`, oldest first; past the frame budget the oldest are left out."""
    kept, trimmed = _within_budget([message(m) for m in reversed(messages)])
    return {"type": "history", "messages": kept[::-1], "has_more": has_more or trimmed}


def sync(messages: list, has_more: bool, rev: int) -> dict:
    """Messages by `rev`, oldest change first; past the frame budget the newest wait."""
    kept, trimmed = _within_budget([message(m) for m in messages])
    return {"type": "sync", "messages": kept, "has_more": has_more or trimmed, "rev": rev}


def _within_budget(messages: list[dict]) -> tuple[list[dict], bool]:
    """The leading messages whose encoding fits FRAME_BUDGET (at least one), and whether any were left out."""
    size = 0
    for n, item in enumerate(messages):
        size += len(json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode("utf-8")) + 1
        if size > FRAME_BUDGET and n > 0:
            return messages[:n], True
    return messages, False


def moderation(action: str, *, profile=None, until: datetime | None = None, reason: str = "",
               **extra) -> dict:
    """What a moderator did, for the room. `extra` carries a room setting's new value."""
    return {
        "type": "moderation",
        "action": action,
        "user": person(profile) if profile is not None else None,
        "until": iso(until),
        "reason": reason,
        **extra,
    }


def presence_changed(joined: list[dict], left: list[str], online_count: int) -> dict:
    """Who came and went since the room last heard (never a member who hides presence)."""
    return {"type": "presence.changed", "joined": joined, "left": left, "online_count": online_count}


def typing(profile) -> dict:
    return {"type": "typing", "user": person(profile)}


def pong(rev: int) -> dict:
    return {"type": "pong", "rev": rev}


def reported(message_id: str) -> dict:
    return {"type": "reported", "id": message_id}


def error(err: DomainError, ref: str | None) -> dict:
    frame = {"type": "error", "code": err.code, "detail": err.detail, "ref": ref}
    if hasattr(err, "retry_after"):
        frame["retry_after"] = err.retry_after
    return frame
