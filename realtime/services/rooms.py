"""Creating, changing and deleting rooms, and forgetting messages past their retention."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attachments.evidence import places as evidence_places
from forum import erasure
from forum.models import Notification, Post, PostRevision, StandingScope
from forum.services.standing import forget_old_standing_changes, standing_changed
from realtime import checks
from realtime.services.moderation import set_read_only, set_slow_mode
from realtime.models import TOPIC_MAX, MessageReport, MessageRevision, Room, RoomMessage
from realtime.protocol import SLOW_MODE_MAX
from search import index as search_index
from search.models import MessageText, PostText

PURGE_BATCH = 1000
# The tables whose rows hold members' text and lose it to purges, deletions and edits:
# on PostgreSQL each purge_expired run (cron) vacuums them (forum/erasure.py).
TEXT_MODELS = [RoomMessage, MessageRevision, MessageReport, Post, PostRevision, Notification, PostText, MessageText]


def _clean(name: str, topic: str, retention_days: int | None, slow_mode_seconds: int) -> tuple[str, str]:
    name, topic = " ".join(name.split()), " ".join(topic.split())
    if not name or len(name) > Room._meta.get_field("name").max_length:
        raise ValidationError(_("A room needs a name of at most 120 characters."), code="name")
    if len(topic) > TOPIC_MAX:
        raise ValidationError(_("A topic can have at most %(max)d characters.") % {"max": TOPIC_MAX}, code="topic")
    if retention_days is not None and retention_days < 1:
        raise ValidationError(_("Messages are kept for at least one day."), code="retention_days")
    if not 0 <= slow_mode_seconds <= SLOW_MODE_MAX:
        raise ValidationError(
            _("Slow mode is from 0 to %(max)d seconds.") % {"max": SLOW_MODE_MAX}, code="slow_mode_seconds"
        )
    return name, topic


def create_room(
    *, by, slug: str, name: str, topic: str = "", retention_days: int | None = None,
    slow_mode_seconds: int = 0, keep_evidence: bool = False,
) -> Room:
    """A coalition admin makes a new room, visible to nobody until someone is granted
    `view_room` on it."""
    checks.check_manage_rooms(by)
    return do_create_room(
        slug=slug, name=name, topic=topic, retention_days=retention_days, slow_mode_seconds=slow_mode_seconds,
        keep_evidence=keep_evidence,
    )


def do_create_room(
    *, slug: str, name: str, topic: str = "", retention_days: int | None = None, slow_mode_seconds: int = 0,
    keep_evidence: bool = False,
) -> Room:
    """`create_room` without asking who: the command line and seeding."""
    evidence_places.check_key_for(keep_evidence)
    validate_slug(slug)
    if len(slug) > Room._meta.get_field("slug").max_length:
        raise ValidationError(_("A slug can have at most 50 characters."), code="slug")
    name, topic = _clean(name, topic, retention_days, slow_mode_seconds)
    with transaction.atomic():
        if Room.objects.filter(slug=slug).exists():
            raise ValidationError(_("A room with this slug exists already."), code="slug_taken")
        return Room.objects.create(
            slug=slug, name=name, topic=topic, retention_days=retention_days,
            slow_mode_seconds=slow_mode_seconds, keep_evidence=keep_evidence,
        )


def update_room(*, by, room: Room, name: str, topic: str, retention_days: int | None) -> Room:
    """Rename a room, change its topic or retention (slow mode and read-only are moderation)."""
    checks.check_manage_rooms(by)
    name, topic = _clean(name, topic, retention_days, room.slow_mode_seconds)
    Room.objects.filter(pk=room.pk).update(name=name, topic=topic, retention_days=retention_days)
    room.name, room.topic, room.retention_days = name, topic, retention_days
    return room


def delete_room(*, by, room: Room) -> None:
    """Delete a room with its messages and grants; its open sockets close with 4404. A room
    whose evidence locker has ever held an original cannot be deleted (ValidationError)."""
    checks.check_manage_rooms(by)
    evidence_places.check_deletable(room)
    with transaction.atomic():
        # The sockets re-check, find no room, and close as for a revoked grant.
        standing_changed(StandingScope.ROOM, room.slug)
        search_index.forget_messages(RoomMessage.objects.filter(room=room).values_list("pk", flat=True))
        room.delete()
        erasure.scrub_after_commit()  # its messages' text leaves the disk too


def purge_expired(now=None) -> dict[str, int]:
    """Delete messages older than their room's retention; return how many, per room slug.
    The standing log's old rows go too (forum.services.standing).

    Deleted in small batches, so a long backlog never holds the room's writers up for
    long, and wiped from the database files (`forum/erasure.py`): on SQLite after each
    batch, on PostgreSQL by a VACUUM at the end, which also reclaims what deletions and
    edits left since the last run. Safe to run at any time and as often as you like.
    """
    now = now or timezone.now()
    deleted: dict[str, int] = {}
    for room in Room.objects.filter(retention_days__isnull=False).order_by("slug"):
        expired = RoomMessage.objects.filter(room=room, created__lt=now - timedelta(days=room.retention_days))
        count = 0
        while batch := list(expired.values_list("pk", flat=True)[:PURGE_BATCH]):
            with transaction.atomic():
                search_index.forget_messages(batch)
                count += RoomMessage.objects.filter(pk__in=batch).delete()[1].get(RoomMessage._meta.label, 0)
                erasure.scrub_after_commit()
        deleted[room.slug] = count
    forget_old_standing_changes(now)
    erasure.vacuum(TEXT_MODELS)
    return deleted


def change_room(
    *, by, room: Room, name: str, topic: str, retention_days: int | None, slow_mode_seconds: int, read_only: bool,
    keep_evidence: bool | None = None,
) -> Room:
    """The coalition's place page: every setting of a room at once, or none. Slow mode
    and read-only are moderation (recorded and announced to the room as when a moderator
    sets them in the room), so they change only when they differ; so does keep_evidence
    (recorded; None: unchanged)."""
    with transaction.atomic():
        update_room(by=by, room=room, name=name, topic=topic, retention_days=retention_days)
        if keep_evidence is not None:
            evidence_places.set_keep_evidence(by=by, place=room, on=keep_evidence)
        if slow_mode_seconds != room.slow_mode_seconds:
            set_slow_mode(by=by, room=room, seconds=slow_mode_seconds)
        if read_only != room.read_only:
            set_read_only(by=by, room=room, on=read_only)
    return room
