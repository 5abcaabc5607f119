"""Reading originals: one at a time (viewed, downloaded) or a place's whole locker (exported).

Each asks the rule (checks.py) and a reason first, decrypts and re-hashes the original,
then writes its custody entries in one transaction; the bytes are handed back only once
that transaction committed, so nothing is ever served that the log does not show. An
original whose bytes no longer match the SHA-256 recorded at upload (or that does not
decrypt, or is missing) is never served: the attempt is logged with that outcome and
`Damaged` raised.
"""

import csv
import io
import json
import tempfile
import zipfile

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attachments import cleaning, storage
from attachments.evidence import checks, crypto, custody
from attachments.evidence.models import CustodyAction, Outcome
from attachments.evidence.selectors import kind_of, originals_of
from forum.errors import BadRequest
from forum.former import name_of
from forum.times import iso_exact

MANIFEST, SUMS, LOG = "manifest.json", "SHA256SUMS", "custody-log.csv"


class Damaged(Exception):
    """The original's bytes are not what was kept (`outcome`: mismatch or missing)."""

    def __init__(self, outcome: str):
        self.outcome = outcome
        super().__init__(outcome)


def verified_bytes(original) -> tuple[bytes | None, str]:
    """(the original's bytes, Outcome.OK), or (None, why not): decrypted with the key and
    checked against the SHA-256 recorded when it was kept."""
    try:
        blob = storage.path_of(original.stored_name, storage.evidence_root()).read_bytes()
    except FileNotFoundError:
        return None, Outcome.MISSING
    try:
        data = crypto.decrypt(blob, attachment_id=original.attachment_public_id)
    except crypto.Tampered:
        return None, Outcome.MISMATCH
    if cleaning.fingerprint(data) != original.sha256:
        return None, Outcome.MISMATCH
    return data, Outcome.OK


def read_original(*, by, original, reason: str, download: bool) -> bytes:
    """An original's bytes for `by`, logged as viewed or downloaded with the reason
    (ValidationError on `reason` without one; Damaged if its bytes are not what was kept)."""
    checks.check_handle_evidence(by, original.place)
    reason = custody.clean_reason(reason)
    data, outcome = verified_bytes(original)
    with transaction.atomic():
        custody.record(actor=by, action=CustodyAction.DOWNLOADED if download else CustodyAction.VIEWED,
                       original=original, reason=reason, outcome=outcome)
    if data is None:
        raise Damaged(outcome)
    return data


def export_bundle(*, by, place, reason: str):
    """A ZIP of the place's originals (`originals/<id>-<name>`), `manifest.json` (each one's
    SHA-256s, upload time, uploader, whether it was checked good), `SHA256SUMS` (for
    `sha256sum -c`) and the custody log including this export's own entries, one per
    original. Returned as an open temporary file, at its start."""
    checks.check_handle_evidence(by, place)
    reason = custody.clean_reason(reason)
    originals = list(originals_of(place))
    if not originals:
        raise BadRequest(_("There is nothing to export: no original is kept here."))
    now = timezone.now()
    bundle = tempfile.TemporaryFile()
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
        described, sums, outcomes = [], [], []
        for original in originals:
            data, outcome = verified_bytes(original)
            path = f"originals/{original.public_id}-{original.name}" if data is not None else None
            if data is not None:
                archive.writestr(path, data, compress_type=zipfile.ZIP_STORED)
                sums.append(f"{original.sha256}  {path}")
            described.append(_described(original, path, outcome))
            outcomes.append(outcome)
        with transaction.atomic():
            custody.record_many([
                custody.entry(actor=by, action=CustodyAction.EXPORTED, original=original, reason=reason,
                              outcome=outcome, created_at=now)
                for original, outcome in zip(originals, outcomes)
            ])
            log = list(custody.log_of(place))
        archive.writestr(MANIFEST, json.dumps({
            "format": "majlis-evidence/1",
            "place": {"kind": kind_of(place), "slug": place.slug, "name": place.name},
            "exported_at": iso_exact(now),
            "exported_by": name_of(by),
            "reason": reason,
            "originals": described,
        }, ensure_ascii=False, indent=2))
        archive.writestr(SUMS, "".join(f"{line}\n" for line in sums))
        archive.writestr(LOG, custody_csv(log))
    bundle.seek(0)
    return bundle



def _described(original, path: str | None, outcome: str) -> dict:
    return {
        "id": original.public_id,
        "file": path,
        "name": original.name,
        "type": original.content_type,
        "size": original.size,
        "sha256": original.sha256,
        "browser_sha256": original.browser_sha256,
        "shared_copy_sha256": original.cleaned_sha256,
        "shared_copy_id": original.attachment_public_id,
        "uploaded_at": iso_exact(original.uploaded_at),
        "uploader": name_of(original.uploader),
        "kept_past_account_deletion": original.survives_leaving,
        "check": outcome,
    }


def _cell(value: str) -> str:
    """A spreadsheet opens a cell starting with = + - @ as a formula: quoted as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def custody_csv(entries) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["time", "action", "original", "original_sha256", "by", "via", "reason", "check"])
    for row in entries:
        by = name_of(row.actor) if row.actor_id or not row.via else ""  # null with no `via`: a former member
        writer.writerow([iso_exact(row.created_at), row.action, row.original_public_id, row.original_sha256,
                         _cell(by), row.via, _cell(row.reason), row.outcome])
    return out.getvalue()
