"""`manage.py verify_evidence` (cron): every kept original decrypted and re-hashed.

Each original checked gets a custody entry `verified` with its outcome (matches, does
not match, file missing): a chain of custody shows, for each item, every time it was
found intact. Entries are written in batches as the check goes, never holding a lock
while files are read.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from attachments.evidence import custody
from attachments.evidence.access import verified_bytes
from attachments.evidence.models import CustodyAction, Original, Outcome

SCHEDULED = gettext_noop("Routine check of every original (manage.py verify_evidence).")
_BATCH = 200


def verify_all() -> tuple[int, list[tuple[Original, str]]]:
    """(how many originals were checked, those that failed with their outcome)."""
    checked, failed, pending = 0, [], []
    for original in Original.objects.select_related("category", "room").order_by("id").iterator(chunk_size=_BATCH):
        _data, outcome = verified_bytes(original)
        checked += 1
        if outcome != Outcome.OK:
            failed.append((original, outcome))
        pending.append(custody.entry(actor=None, via=custody.VERIFY, action=CustodyAction.VERIFIED,
                                     original=original, reason=SCHEDULED, outcome=outcome, created_at=timezone.now()))
        if len(pending) >= _BATCH:
            _write(pending)
            pending = []
    _write(pending)
    return checked, failed


def _write(rows) -> None:
    if rows:
        with transaction.atomic():
            custody.record_many(rows)
