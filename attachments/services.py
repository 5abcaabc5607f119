"""Writes of attachments: files checked, cleaned and stored, then given their rows.

A file's work (decoding, cleaning, writing) happens before the database transaction that
stores its row, so no lock is held while a picture is re-encoded. `staged_files(...)`
wraps the two: whatever refuses or fails, inside it or in the caller's transaction, no
file is left on disk without its row, and no row without its file. The services that
own posts and messages call `store` inside their own transaction, so a post and its
files are stored together or not at all. An upload that keeps its originals as evidence
(`keep`, attachments/evidence/keeping.py) stages and stores them the same way, with them.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from attachments import cleaning, limits, storage
from attachments.evidence import keeping
from attachments.models import Attachment, UploadTally
from forum import permissions
from forum.errors import NotFound
from forum.ids import new_public_id

ORPHAN_GRACE_SECONDS = 60 * 60  # a file this young may belong to an upload still under way
_BATCH = 500


@dataclass(frozen=True)
class Staged:
    """A cleaned file written to disk under a random name, not yet in the database."""

    cleaned: cleaning.Cleaned  # without its bytes: they are on disk
    stored_name: str
    size: int
    preview_name: str = ""
    preview_size: int = 0
    # Chosen before the row exists: an original's encryption is bound to it.
    public_id: str = ""
    original: keeping.StagedOriginal | None = None


def uploaded_today(user, now=None) -> int:
    """The bytes the member sent today (UTC), against MAJLIS_ATTACHMENT_DAILY_BYTES."""
    day = limits.today(now)
    return UploadTally.objects.filter(user=user, day=day).aggregate(total=Sum("bytes"))["total"] or 0


def prepare(files: Sequence, *, by, already: int = 0, keep: keeping.KeepRequest | None = None) -> list[Staged]:
    """Check, clean and write the files, or refuse them all (BadRequest, TooLong,
    RateLimited) leaving nothing on disk. The cheap checks of every file come before
    any file is decoded. `already`: files the message carries already (an edit).
    `keep`: keep their originals too, each checked against its browser fingerprint first."""
    files = list(files)
    limits.check_count(already + len(files))
    for upload in files:
        cleaning.check_upload(upload)
    limits.check_daily(uploaded_today(by), sum(upload.size for upload in files))
    if keep is not None:
        keeping.check_fingerprints(files, keep)
    staged: list[Staged] = []
    try:
        for index, upload in enumerate(files):
            public_id = new_public_id()
            original = keeping.stage(upload, keep=keep, index=index, attachment_id=public_id) if keep else None
            try:
                staged.append(_write(cleaning.clean(upload), public_id=public_id, original=original))
            except BaseException:
                keeping.discard([original] if original else [])
                raise
    except BaseException:
        discard(staged)
        raise
    return staged


def _write(cleaned: cleaning.Cleaned, *, public_id: str, original: keeping.StagedOriginal | None) -> Staged:
    name = storage.write(cleaned.data, cleaned.kind.extension)
    try:
        preview = storage.write(cleaned.preview, "webp") if cleaned.preview else ""
    except BaseException:
        storage.delete(name)
        raise
    return Staged(
        cleaned=replace(cleaned, data=b"", preview=b""), stored_name=name, size=len(cleaned.data),
        preview_name=preview, preview_size=len(cleaned.preview), public_id=public_id, original=original,
    )


def discard(staged: Sequence[Staged]) -> None:
    """Delete staged files that have no row (the transaction that would have stored them
    was rolled back, or never ran), originals included."""
    names = {s.stored_name for s in staged}
    kept = set(Attachment.objects.filter(stored_name__in=names).values_list("stored_name", flat=True)) if names else set()
    for item in staged:
        if item.stored_name not in kept:
            storage.delete(item.stored_name, item.preview_name)
    keeping.discard([item.original for item in staged if item.original])


@contextmanager
def staged_files(files: Sequence, *, by, already: int = 0,
                 keep: keeping.KeepRequest | None = None) -> Iterator[list[Staged]]:
    """`prepare` the files; at the end, whatever happened within (a refusal, a rollback, a
    repeated form answered with what was stored the first time), delete those whose rows
    were not stored."""
    staged = prepare(files, by=by, already=already, keep=keep) if files else []
    try:
        yield staged
    finally:
        if staged:
            discard(staged)


def store(staged: Sequence[Staged], *, by, post=None, message=None, room=None) -> list[Attachment]:
    """The rows of staged files, on a post, on a message, or waiting (room uploads), and the
    day's tally. Call inside the transaction that stores what they belong to: the tally is
    read under a lock there, so two uploads at once cannot both pass the allowance."""
    if not staged:
        return []
    total = sum(item.cleaned.upload_size for item in staged)
    tally = _locked_tally(by)
    limits.check_daily(tally.bytes, total)
    rows = []
    for item in staged:
        cleaned = item.cleaned
        rows.append(Attachment(
            public_id=item.public_id or new_public_id(),
            uploader=by, post=post, message=message, room=room, name=cleaned.name,
            content_type=cleaned.kind.mime, size=item.size, upload_size=cleaned.upload_size,
            fingerprint=cleaned.fingerprint, stored_name=item.stored_name,
            width=cleaned.width, height=cleaned.height, preview_name=item.preview_name,
            preview_size=item.preview_size, preview_width=cleaned.preview_width,
            preview_height=cleaned.preview_height,
        ))
    for row, item in zip(rows, staged):
        row.save(force_insert=True)
        if item.original is not None:
            keeping.store(row, item.original, by=by)
    UploadTally.objects.filter(pk=tally.pk).update(bytes=F("bytes") + total)
    return rows


def add_files(*, by, files: Sequence, post=None, message=None, room=None,
              keep: keeping.KeepRequest | None = None) -> list[Attachment]:
    """Check, clean and store files on an existing post or message, or waiting in a room
    (the caller asked the rule first); all of them or, on any refusal, none."""
    with staged_files(files, by=by, keep=keep) as staged, transaction.atomic():
        return store(staged, by=by, post=post, message=message, room=room)


def upload_to_room(*, by, room, upload, keep: keeping.KeepRequest | None = None) -> Attachment:
    """A room file, uploaded before the message that will carry it (DESIGN.md: POST
    /rooms/<slug>/files/): refused as a send would be (no write grant, banned, muted,
    read-only), else stored waiting, seen by its uploader only, until `attach_waiting`."""
    from realtime import checks

    with permissions.grants_cached():
        checks.check_post_message(by, room)
    return add_files(by=by, files=[upload], room=room, keep=keep)[0]


def upload_all_to_room(*, by, room, uploads) -> list[Attachment]:
    """Several room files at once, as the room's form without JavaScript sends them with
    its text: refused as `upload_to_room` refuses one, all of them or none."""
    if not uploads:
        return []
    from realtime import checks

    with permissions.grants_cached():
        checks.check_post_message(by, room)
    return add_files(by=by, files=uploads, room=room)


def attach_waiting(public_ids: Sequence[str], *, by, room, message) -> list[Attachment]:
    """Inside the transaction that stores `message`: the sender's own waiting files of this
    room, by public id, become the message's, in the order given. An id that is not such a
    file (unknown, someone else's, another room's, sent already) refuses the whole message
    (NotFound), so nothing is stored."""
    if not public_ids:
        return []
    ids = list(dict.fromkeys(public_ids))
    limits.check_count(len(ids))
    rows = {row.public_id: row for row in Attachment.objects.select_for_update().filter(
        public_id__in=ids, uploader=by, room=room, post__isnull=True, message__isnull=True,
    )}
    if len(rows) != len(ids):
        raise NotFound(_("No such file waiting to be sent: upload it again."))
    Attachment.objects.filter(pk__in=[row.pk for row in rows.values()]).update(message=message)
    for row in rows.values():
        row.message = message
    return [rows[public_id] for public_id in ids]


def _locked_tally(user) -> UploadTally:
    """Today's tally row of the member, locked until the transaction ends (on SQLite, the
    IMMEDIATE transaction already holds the database's write lock)."""
    day = limits.today()
    try:
        with transaction.atomic():
            UploadTally.objects.get_or_create(user=user, day=day)
    except IntegrityError:
        pass  # made by a concurrent upload meanwhile
    return UploadTally.objects.select_for_update().get(user=user, day=day)


def delete_attachments(attachments) -> int:
    """Delete rows now and their files once the transaction commits."""
    rows = list(attachments.values_list("pk", "stored_name", "preview_name"))
    if not rows:
        return 0
    Attachment.objects.filter(pk__in=[pk for pk, _name, _preview in rows]).delete()
    names = [name for _pk, *pair in rows for name in pair if name]
    transaction.on_commit(lambda: storage.delete(*names))
    return len(rows)


def purge_attachments(now=None) -> tuple[int, int]:
    """For `purge_expired` (cron): room files never sent within MAJLIS_ATTACHMENT_WAITING_HOURS,
    files on disk whose row is gone (a post or message deleted with its rows), and past
    days' tallies. Returns (waiting files deleted, files without a row deleted)."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.MAJLIS_ATTACHMENT_WAITING_HOURS)
    waiting = Attachment.objects.filter(post__isnull=True, message__isnull=True, created_at__lt=cutoff)
    purged = 0
    while batch := list(waiting.values_list("pk", flat=True)[:_BATCH]):
        with transaction.atomic():
            keeping.remove_unsent(batch)  # nobody received them: their originals go too
            purged += delete_attachments(Attachment.objects.filter(pk__in=batch))
    UploadTally.objects.filter(day__lt=limits.today(now) - timedelta(days=1)).delete()
    return purged, _sweep_orphans() + keeping.sweep_orphans(ORPHAN_GRACE_SECONDS)


def _sweep_orphans() -> int:
    swept, names = 0, list(storage.stored_names(ORPHAN_GRACE_SECONDS))
    for start in range(0, len(names), _BATCH):
        batch = names[start:start + _BATCH]
        known = set()
        for stored, preview in Attachment.objects.filter(
            Q(stored_name__in=batch) | Q(preview_name__in=batch)
        ).values_list("stored_name", "preview_name"):
            known.update((stored, preview))
        orphans = [name for name in batch if name not in known]
        storage.delete(*orphans)
        swept += len(orphans)
    return swept
