"""The custody log: written here and nowhere else, one row per act on one original.

Members' acts (viewed, downloaded, exported) carry the reason they typed, required; what
acts without a member says so in `via` (the upload itself, `verify_evidence`, an account
deletion, the purge of an unsent file) with a fixed reason, translated when shown.
"""

from django.db.models import Model, Q
from django.utils import timezone

from attachments.evidence.models import CustodyEntry
from forum.models import Category
from forum.services.audit import clean_reason

AT_UPLOAD, VERIFY, ACCOUNT_DELETION, PURGE = "upload", "verify_evidence", "account deletion", "purge_expired"

__all__ = ["AT_UPLOAD", "VERIFY", "ACCOUNT_DELETION", "PURGE", "clean_reason", "entry", "record", "record_many",
           "log_of", "in_place"]


def entry(*, actor, action: str, original, reason: str, via: str = "", outcome: str = "",
          created_at=None) -> CustodyEntry:
    """An unsaved row about `original` (for `record_many`)."""
    return CustodyEntry(
        actor=actor, via=via, action=action, original_public_id=original.public_id,
        original_sha256=original.sha256, reason=reason, outcome=outcome,
        created_at=created_at or timezone.now(), category_id=original.category_id, room_id=original.room_id,
    )


def record(**kwargs) -> CustodyEntry:
    """Write one row. Call it inside the transaction of the act it records."""
    row = entry(**kwargs)
    row.save(force_insert=True)
    return row


def record_many(rows: list[CustodyEntry]) -> list[CustodyEntry]:
    return CustodyEntry.objects.bulk_create(rows, batch_size=500)


def log_of(place: Model):
    """The place's custody log, newest first."""
    return CustodyEntry.objects.filter(in_place(place)).select_related("actor__profile")


def in_place(place: Model) -> Q:
    return Q(category=place) if isinstance(place, Category) else Q(room=place)
