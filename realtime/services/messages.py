"""Writing in a room: post, edit, delete, report. Stored first, broadcast after the commit.

Every change to a room's messages advances the room's counters under a lock on the room
row (`_advance`), so commit order is counter order: `seq` has no gap, and a client that
catches up by `rev` misses nothing.
"""

import re
from datetime import timedelta
from functools import cache, partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from forum import erasure, pace, permissions, sql
from forum.models import Action, ReportStatus
from forum.models.moderation import REASON_MAX
from forum.mentions import render_with_mentions
from forum.services.audit import record_moderation_event
from forum.services.moderation import clean_reason as clean_moderator_reason
from realtime import broadcast, protocol, selectors
from forum.errors import BadRequest, Forbidden, Muted, NotFound, ReadOnly, RoomGone, TooLong
from realtime.models import BODY_MAX, MessageReport, Room, RoomMessage
from realtime.services.notify import notify_new_message

_CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def clean_body(body: str) -> str:
    source = body.strip()
    if not source:
        raise BadRequest("A message cannot be empty.")
    if len(source) > BODY_MAX:
        raise TooLong(f"A message can have at most {BODY_MAX} characters.")
    return source


def clean_client_id(client_id: str) -> str:
    if not _CLIENT_ID.fullmatch(client_id):
        raise BadRequest("'client_id' must be 1 to 64 of A-Z a-z 0-9 _ -.")
    return client_id


def clean_report_reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise BadRequest("Please give a reason.")
    if len(reason) > REASON_MAX:
        raise TooLong(f"A reason can have at most {REASON_MAX} characters.")
    return reason


def check_can_post(user, room: Room) -> None:
    """May the member write in the room by their grants? (Bans and mutes are read under the lock.)"""
    verbs = permissions.perms_for(user, room)
    if permissions.VIEW not in verbs:
        raise RoomGone()
    if permissions.POST not in verbs:
        raise Forbidden("You cannot write in this room.")


def _check_not_sanctioned(locked: Room) -> None:
    """The writer's ban and mute, as read with the room row by `_advance`."""
    if locked.banned:
        raise Forbidden("You are banned from this room.")
    if locked.muted_until is not None:
        raise Muted(f"You are muted in this room until {protocol.iso(locked.muted_until)}.")


def _advance(room: Room, *, new_message: bool, writer=None) -> Room:
    """Advance `rev` (and `seq` for a new message); return the room row as it now is.

    The UPDATE takes the row lock on PostgreSQL, and SQLite's IMMEDIATE transactions
    hold the database's write lock: either way it is held until the commit. Call it
    inside transaction.atomic(); a rollback gives the numbers back, so `seq` has no gap.
    The row is read after the UPDATE, so under the lock, with the writer's ban and mute
    (`banned`, `muted_until`) in the same query. Not `UPDATE … RETURNING` with them: on
    PostgreSQL its subqueries would see the bans as of before it waited for the lock.
    """
    sql.execute(_advance_sql(new_message), [room.pk])
    locked = selectors.room_for_member(writer, pk=room.pk)
    if locked is None:
        raise Room.DoesNotExist("The room was deleted.")
    return locked


@cache
def _advance_sql(new_message: bool) -> str:
    # Every message runs it: raw, like the reads of forum/sql.py.
    counters = [sql.column(Room, "rev")] + ([sql.column(Room, "seq")] if new_message else [])
    changes = ", ".join(f"{counter} = {counter} + 1" for counter in counters)
    return f"UPDATE {sql.table(Room)} SET {changes} WHERE {sql.column(Room, 'id')} = %s"


def _check_pace(room: Room, author, now) -> None:
    """Flood control and slow mode, read under the room lock so that racing sends count."""
    count, _seconds = pace.limit(pace.ROOM_MESSAGE)
    slow = room.slow_mode_seconds
    latest, nth_latest = selectors.send_pace(
        room, author, slow_since=now - timedelta(seconds=slow),
        window_since=pace.window_start(pace.ROOM_MESSAGE, now), nth=count,
    )
    pace.slow_mode(slow, latest=latest, now=now)
    pace.check_pace(pace.ROOM_MESSAGE, nth_latest=nth_latest, now=now)


def _stored(room: Room, author, client_id: str) -> RoomMessage | None:
    # Almost always there is none: ask the cheap question first (the unique index).
    pk = selectors.message_pk_by_client_id(room, author, client_id)
    if pk is None:
        return None
    return RoomMessage.objects.select_related(*selectors.MESSAGE_RELATIONS).get(pk=pk)


class _AlreadyStored(Exception):
    def __init__(self, message: RoomMessage):
        self.message = message


def _publish_on_commit(room: Room, frame: dict) -> None:
    broadcast.publish_on_commit(broadcast.room_group(room.slug), frame)


def post_message(*, author, room: Room, body: str, client_id: str) -> tuple[RoomMessage, bool]:
    """Store a message and broadcast it to the room; return it and whether it is new.

    The same `client_id` from the same author in the same room stores one message (a
    unique constraint decides races); a repeat returns the stored message unchanged, even
    to a member who is now muted or rate-limited: it was accepted when first sent.
    """
    source, client_id = clean_body(body), clean_client_id(client_id)
    check_can_post(author, room)
    html, mentioned = render_with_mentions(source)  # before taking the lock: keep the lock short
    try:
        with transaction.atomic():
            locked = _advance(room, new_message=True, writer=author)
            if locked.banned:
                raise Forbidden("You are banned from this room.")
            stored = _stored(room, author, client_id)
            if stored is not None:
                raise _AlreadyStored(stored)  # a repeat: the rollback gives the numbers back
            _check_not_sanctioned(locked)
            if locked.read_only:
                raise ReadOnly()
            now = timezone.now()
            _check_pace(locked, author, now)
            message = RoomMessage.objects.create(
                room=locked, seq=locked.seq, rev=locked.rev, author=author, body_source=source,
                body_html=html, created=now, client_id=client_id,
            )
            _publish_on_commit(locked, protocol.message_event("message", message))
            mentioned_ids = [profile.user_id for profile in mentioned]
            transaction.on_commit(partial(notify_new_message, message, mentioned_ids))
    except _AlreadyStored as repeat:
        return repeat.message, False
    except IntegrityError:
        stored = _stored(room, author, client_id)
        if stored is None:
            raise
        return stored, False
    return message, True


def edit_message(*, by, room: Room, message_id: str, body: str) -> RoomMessage:
    """The author changes their message's text; the room gets `message.edited`."""
    source = clean_body(body)
    check_can_post(by, room)
    message = selectors.get_message(room, message_id)
    if message.author_id != by.pk:
        raise Forbidden("Only its author can edit a message.")
    html, _mentioned = render_with_mentions(source)
    with transaction.atomic():
        locked = _advance(room, new_message=False, writer=by)
        _check_not_sanctioned(locked)
        if locked.read_only:
            raise ReadOnly()
        now = timezone.now()
        if not RoomMessage.objects.filter(pk=message.pk, deleted=False).update(
            body_source=source, body_html=html, edited=now, rev=locked.rev
        ):
            raise NotFound("No such message in this room.")  # deleted meanwhile
        message.body_source, message.body_html, message.edited, message.rev = source, html, now, locked.rev
        _publish_on_commit(locked, protocol.message_event("message.edited", message))
        erasure.scrub_after_commit()  # after the broadcast: the text edited away leaves the disk
    return message


def delete_message(*, by, room: Room, message_id: str) -> RoomMessage:
    """The author or a moderator turns a message into a tombstone (`message.deleted`).

    The text is gone from the database and from its files. A moderator's deletion of
    someone else's message is recorded and announced as a `moderation` frame.
    """
    verbs = permissions.perms_for(by, room)
    if permissions.VIEW not in verbs:
        raise RoomGone()
    if selectors.active_ban(room, by) is not None:
        raise Forbidden("You are banned from this room.")
    message = selectors.get_message(room, message_id)
    by_moderator = message.author_id != by.pk
    if by_moderator and permissions.MODERATE not in verbs:
        raise Forbidden("Only its author or a moderator can delete a message.")
    with transaction.atomic():
        locked = _advance(room, new_message=False)
        if not RoomMessage.objects.filter(pk=message.pk, deleted=False).update(
            deleted=True, body_source="", body_html="", rev=locked.rev
        ):
            raise NotFound("No such message in this room.")
        message.deleted, message.body_source, message.body_html, message.rev = True, "", "", locked.rev
        _publish_on_commit(locked, protocol.message_event("message.deleted", message))
        if by_moderator:
            record_moderation_event(
                actor=by, action=Action.DELETE, scope=locked, target_kind="message",
                target_id=message.public_id, subject=message.author,
            )
            _publish_on_commit(locked, protocol.moderation(Action.DELETE, profile=message.author.profile))
        erasure.scrub_after_commit()  # after the broadcasts
    return message


def report_message(*, by, room: Room, message_id: str, reason: str) -> MessageReport:
    """Any member who can see a message may report it to the room's moderators."""
    reason = clean_report_reason(reason)
    if permissions.VIEW not in permissions.perms_for(by, room) or selectors.active_ban(room, by):
        raise RoomGone()
    message = selectors.get_message(room, message_id)
    open_report = MessageReport.objects.filter(message=message, reporter=by, status=ReportStatus.OPEN)
    existing = open_report.first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return MessageReport.objects.create(message=message, reporter=by, reason=reason)
    except IntegrityError:  # the same member reported it twice at once
        return open_report.get()


def handle_message_report(*, report: MessageReport, by, resolve: bool, reason: str = "") -> MessageReport:
    """Resolve (acted on) or dismiss (nothing to do) a report; the reporter stays unnamed.

    For the /moderation/ queue: raises Http404/PermissionDenied like the forum's
    `handle_report`, and ValidationError for a reason that is too long.
    """
    room = Room.objects.get(pk=report.message.room_id)
    permissions.check_can_moderate(by, room)
    reason = clean_moderator_reason(reason, required=False)
    with transaction.atomic():
        report = (
            MessageReport.objects.select_for_update().select_related("message__author").get(pk=report.pk)
        )
        if report.status != ReportStatus.OPEN:
            return report
        report.status = ReportStatus.RESOLVED if resolve else ReportStatus.DISMISSED
        report.handled_by, report.handled_at = by, timezone.now()
        report.save(update_fields=["status", "handled_by", "handled_at"])
        record_moderation_event(
            actor=by, action=Action.RESOLVE if resolve else Action.DISMISS, scope=room,
            target_kind="message", target_id=report.message.public_id, reason=reason,
            subject=report.message.author,
        )
    return report
