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
from django.utils.translation import gettext as _

from attachments.services import attach_waiting, delete_attachments
from forum import erasure, pace, permissions, sql
from forum.errors import BadRequest, NotFound, TooLong
from forum.mentions import render_with_mentions
from forum.models import Action
from forum.services import reports
from forum.services.audit import record_moderation_event
from realtime import broadcast, checks, protocol, selectors
from realtime.models import BODY_MAX, MessageReport, MessageRevision, Room, RoomMessage
from realtime.services.notify import notify_new_message
from search import index as search_index

_CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def clean_body(body: str) -> str:
    source = body.strip()
    if not source:
        raise BadRequest(_("A message cannot be empty."))
    if len(source) > BODY_MAX:
        raise TooLong(_("A message can have at most %(max)d characters.") % {"max": BODY_MAX})
    return source


def clean_client_id(client_id: str) -> str:
    if not _CLIENT_ID.fullmatch(client_id):
        raise BadRequest(_("'client_id' must be 1 to 64 of A-Z a-z 0-9 _ -."))
    return client_id


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


def post_message(*, author, room: Room, body: str, client_id: str,
                 attachments: list[str] = ()) -> tuple[RoomMessage, bool]:
    """Store a message and broadcast it to the room; return it and whether it is new.

    The same `client_id` from the same author in the same room stores one message (a
    unique constraint decides races); a repeat returns the stored message unchanged, even
    to a member who is now muted or rate-limited: it was accepted when first sent.
    The rule is `checks.check_post_message`, asked in parts: the grants before the room
    lock (to keep the lock short), the ban before a repeat is answered, the whole rule
    under the lock with the ban and mute read there.

    `attachments`: public ids of the author's files waiting in this room (uploaded first,
    attachments/services.py); they become the message's, or, if one is not such a file,
    nothing is stored (NotFound). A message with files may have no text.
    """
    source = clean_body(body) if body.strip() or not attachments else ""
    client_id = clean_client_id(client_id)
    with permissions.grants_cached():
        checks.check_write_grant(author, room)
        html, mentioned = render_with_mentions(source)  # before taking the lock: keep the lock short
        try:
            with transaction.atomic():
                locked = _advance(room, new_message=True, writer=author)
                checks.check_not_banned(author, locked)
                stored = _stored(room, author, client_id)
                if stored is not None:
                    raise _AlreadyStored(stored)  # a repeat: the rollback gives the numbers back
                checks.check_post_message(author, locked)
                now = timezone.now()
                _check_pace(locked, author, now)
                message = RoomMessage.objects.create(
                    room=locked, seq=locked.seq, rev=locked.rev, author=author, body_source=source,
                    body_html=html, created=now, client_id=client_id,
                )
                message.attached = attach_waiting(attachments, by=author, room=locked, message=message)
                search_index.put_message(message, new=True)
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
    """The author changes their message's text; the room gets `message.edited`.

    The text it had is kept for the room's moderators (a MessageRevision, as a post keeps
    a PostRevision), in the same transaction; the same text again changes nothing. Edits
    are paced as sends are (`pace.ROOM_MESSAGE`, counted over the author's edits in the
    room); slow mode, which spaces new messages, does not apply to them.
    """
    source = clean_body(body)
    with permissions.grants_cached():
        checks.check_write_grant(by, room)  # before looking for the message: a stranger learns nothing
        message = selectors.get_message(room, message_id)
        if source == message.body_source:
            checks.check_edit_message(by, message)
            return message
        html, _mentioned = render_with_mentions(source)
        with transaction.atomic():
            message.room = _advance(room, new_message=False, writer=by)
            checks.check_edit_message(by, message)  # with the ban and mute read under the lock
            locked, now = message.room, timezone.now()
            pace.check_pace_of(pace.ROOM_MESSAGE, _edits_by(by, locked), now=now)
            # Read again under the lock: the text this edit replaces, unless deleted meanwhile.
            before = RoomMessage.objects.filter(pk=message.pk, deleted=False).values("body_source", "body_html").first()
            if before is None:
                raise NotFound(_("That message is no longer here."))
            MessageRevision.objects.create(message=message, created_at=now, **before)
            RoomMessage.objects.filter(pk=message.pk).update(
                body_source=source, body_html=html, edited=now, rev=locked.rev
            )
            message.body_source, message.body_html, message.edited, message.rev = source, html, now, locked.rev
            search_index.put_message(message)
            _publish_on_commit(locked, protocol.message_event("message.edited", message))
            erasure.scrub_after_commit()  # after the broadcast: the old text stays in the revision only
    return message


def _edits_by(author, room: Room):
    """The author's edits in the room, by when each was made (for flood control)."""
    return MessageRevision.objects.filter(message__room=room, message__author=author)


def delete_message(*, by, room: Room, message_id: str) -> RoomMessage:
    """The author or a moderator turns a message into a tombstone (`message.deleted`).

    The text is gone from the database and from its files, earlier versions included, and
    so are its attachments (an original kept as evidence stays in the locker). A
    moderator's deletion of someone else's message is recorded and announced as a
    `moderation` frame.
    """
    with permissions.grants_cached():
        checks.check_view_room(by, room)  # before looking for the message: a stranger learns nothing
        message = selectors.get_message(room, message_id)
        with transaction.atomic():
            message.room = _advance(room, new_message=False, writer=by)
            checks.check_delete_message(by, message)
            locked = message.room
            if not RoomMessage.objects.filter(pk=message.pk, deleted=False).update(
                deleted=True, body_source="", body_html="", rev=locked.rev
            ):
                raise NotFound(_("That message is no longer here."))
            MessageRevision.objects.filter(message=message).delete()  # its earlier versions go with it
            delete_attachments(message.attachments.all())  # a picture deleted is gone, not hidden
            message.deleted, message.body_source, message.body_html, message.rev = True, "", "", locked.rev
            search_index.forget_messages([message.pk])
            _publish_on_commit(locked, protocol.message_event("message.deleted", message))
            if message.author_id != by.pk:  # a moderator's deletion
                record_moderation_event(actor=by, action=Action.DELETE, scope=locked, target=message)
                _publish_on_commit(locked, protocol.moderation(Action.DELETE, profile=getattr(message.author, "profile", None)))
            erasure.scrub_after_commit()  # after the broadcasts
    return message


def report_message(*, by, room: Room, message_id: str, reason: str) -> MessageReport:
    """Any member who reads the room may report someone else's message to its moderators
    (forum.services.reports, the one way in for every kind of report)."""
    with permissions.grants_cached():
        checks.check_view_room(by, room)  # before looking for the message: a stranger learns nothing
        message = selectors.get_message(room, message_id)
        message.room = room
        return reports.report(by=by, target=message, reason=reason)
