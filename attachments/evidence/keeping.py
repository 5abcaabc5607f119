"""Keeping originals at upload, and letting them go.

An upload that asks to keep its originals (`keep_request`) carries, for each file in order,
the SHA-256 the uploader's browser computed before sending it (`original_sha256`). Before
any file is decoded each is hashed here and compared: one that differs refuses the whole
upload, nothing stored. Then each original is encrypted (crypto.py) and written beside
its cleaned copy, staged like it (attachments/services.py), and stored in the same
transaction as the copy's row, with a custody entry `kept`.

Originals leave only with their uploader's account when they did not choose to keep them
past it (`remove_for_leaving`), and with a room file never sent (`remove_unsent`); each
removal is a custody entry `removed`. Nothing else deletes one: not an edit that takes the
copy off, not a deleted or hidden message, not a room's retention.
"""

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_noop

from attachments import cleaning, storage
from attachments.evidence import checks, crypto, custody
from attachments.evidence.models import CustodyAction, Original
from forum.errors import BadRequest
from forum.models import Category

_HEX = re.compile(r"[0-9a-f]{64}")
KEPT_AT_UPLOAD = gettext_noop("Kept at upload, as its uploader asked.")
LEFT_WITH_ACCOUNT = gettext_noop("Its uploader deleted their account and had not chosen to keep it.")
NEVER_SENT = gettext_noop("Its file was never sent in a message.")


@dataclass(frozen=True)
class KeepRequest:
    """Keep the originals of an upload's files, in `place`: `hashes` as the browser computed
    them, one per file in order; `survive`: past the uploader's account deletion."""

    place: Model
    hashes: tuple[str, ...]
    survive: bool = False


@dataclass(frozen=True)
class StagedOriginal:
    """An encrypted original written to disk, not yet in the database."""

    stored_name: str
    name: str  # with the extension of what was sent (a HEIC photo's copy is a JPEG)
    content_type: str
    sha256: str
    browser_sha256: str
    size: int
    place: Model
    survive: bool


def keep_request(place, *, keep: bool, hashes: Sequence[str] = (), survive: bool = False) -> KeepRequest | None:
    """What an upload form or a room upload asked for: None when not to keep originals,
    BadRequest when asked where the form would not offer it."""
    if not keep:
        return None
    checks.check_keep_original(place)
    return KeepRequest(place=place, hashes=tuple((h or "").strip().lower() for h in hashes), survive=survive)


def check_fingerprints(files: Sequence, keep: KeepRequest) -> None:
    """Before anything is decoded or stored: one browser fingerprint per file, each the
    SHA-256 of the bytes that arrived (BadRequest naming the file otherwise)."""
    if len(keep.hashes) != len(files) or not all(_HEX.fullmatch(h) for h in keep.hashes):
        raise BadRequest(_(
            "To keep originals, the page computes each file's fingerprint before sending it, and "
            "it did not arrive. Reload the page and choose the files again."
        ))
    for upload, expected in zip(files, keep.hashes):
        if _sha256_of(upload) != expected:
            raise BadRequest(_(
                "“%(name)s” changed on its way here: it is not the file your browser sent. "
                "Nothing was stored; send it again."
            ) % {"name": _name_of(upload, cleaning.check_upload(upload))})


def _name_of(upload, kind) -> str:
    return cleaning.display_name(getattr(upload, "name", "") or "", kind)


def _sha256_of(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def stage(upload, *, keep: KeepRequest, index: int, attachment_id: str) -> StagedOriginal:
    """Encrypt and write the original of one file (its fingerprint was checked)."""
    kind = cleaning.check_upload(upload)
    data = cleaning.read_upload(upload)
    sha256 = cleaning.fingerprint(data)
    if sha256 != keep.hashes[index]:  # changed between the check and now: never store it
        raise BadRequest(_("A file changed while it was being stored. Nothing was stored; send it again."))
    name = storage.write(crypto.encrypt(data, attachment_id=attachment_id), "bin", storage.evidence_root())
    return StagedOriginal(stored_name=name, name=_name_of(upload, kind), content_type=kind.mime, sha256=sha256, browser_sha256=keep.hashes[index], size=len(data),
                          place=keep.place, survive=keep.survive)


def discard(staged: Sequence[StagedOriginal]) -> None:
    """Delete staged originals that have no row."""
    names = {item.stored_name for item in staged}
    if not names:
        return
    kept = set(Original.objects.filter(stored_name__in=names).values_list("stored_name", flat=True))
    storage.delete(*(names - kept), base=storage.evidence_root())


def store(attachment, staged: StagedOriginal, *, by) -> Original:
    """The row of a staged original and its first custody entry, inside the transaction that
    stores its cleaned copy."""
    place = staged.place
    original = Original.objects.create(
        attachment=attachment, attachment_public_id=attachment.public_id,
        category=place if isinstance(place, Category) else None,
        room=None if isinstance(place, Category) else place,
        uploader=by, survives_leaving=staged.survive, name=staged.name, content_type=staged.content_type,
        size=staged.size, sha256=staged.sha256, browser_sha256=staged.browser_sha256,
        cleaned_sha256=attachment.fingerprint, stored_name=staged.stored_name, uploaded_at=attachment.created_at,
    )
    custody.record(actor=by, via=custody.AT_UPLOAD, action=CustodyAction.KEPT, original=original,
                   reason=KEPT_AT_UPLOAD)
    return original


def remove(originals, *, reason: str, via: str) -> int:
    """Delete originals now (a custody entry `removed` each) and their files once committed.
    Call inside a transaction."""
    from django.db import transaction

    rows = list(originals)
    if not rows:
        return 0
    now = timezone.now()
    custody.record_many([
        custody.entry(actor=None, via=via, action=CustodyAction.REMOVED, original=original, reason=reason,
                      created_at=now)
        for original in rows
    ])
    Original.objects.filter(pk__in=[row.pk for row in rows]).delete()
    names = [row.stored_name for row in rows]
    transaction.on_commit(lambda: storage.delete(*names, base=storage.evidence_root()))
    return len(rows)


def remove_for_leaving(user) -> int:
    """The member deletes their account: the originals they uploaded go, except those they
    chose at upload to keep past it (these stay, their uploader null)."""
    return remove(Original.objects.filter(uploader=user, survives_leaving=False),
                  reason=LEFT_WITH_ACCOUNT, via=custody.ACCOUNT_DELETION)


def remove_unsent(attachment_pks: Sequence[int]) -> int:
    """Room files purged unsent: nobody ever received them, so their originals go too."""
    return remove(Original.objects.filter(attachment__in=list(attachment_pks)),
                  reason=NEVER_SENT, via=custody.PURGE)


def sweep_orphans(older_than_seconds: float) -> int:
    """Encrypted files whose row is gone or was never stored (a crash between writing and
    committing), for `purge_expired`."""
    base = storage.evidence_root()
    names = list(storage.stored_names(older_than_seconds, base))
    swept = 0
    for start in range(0, len(names), 500):
        batch = names[start:start + 500]
        known = set(Original.objects.filter(Q(stored_name__in=batch)).values_list("stored_name", flat=True))
        orphans = [name for name in batch if name not in known]
        storage.delete(*orphans, base=base)
        swept += len(orphans)
    return swept
