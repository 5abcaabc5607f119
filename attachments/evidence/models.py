"""The evidence locker's rows: kept originals, and the custody log of everything done with them.

An original belongs to its place (a category or a room) and outlives the cleaned copy it
came with: when the post or message goes (hidden, deleted, purged by retention) the copy's
row goes and `attachment` becomes null, while the original keeps its place, its upload
time, its three fingerprints and the copy's id, which its encryption is bound to
(crypto.py). The text of the message is never kept with it.

The custody log is append-only. No code path changes or deletes a row: its manager's
`update` and `delete`, and a row's `save` once stored and `delete`, refuse (a test reads the
code for any other way); on PostgreSQL a trigger refuses every UPDATE and DELETE too
(migration 0002), except the one change deleting an account makes, the actor set to null.
Rows name the original by its public id and fingerprint, not by a foreign key, so they
stay when an original leaves with its uploader's account; a place with custody rows
cannot be deleted (PROTECT).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attachments.models import NAME_MAX
from forum.ids import new_public_id
from forum.models.moderation import REASON_MAX

SHA256_HEX = 64


def _one_place(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(category__isnull=False, room__isnull=True) | Q(category__isnull=True, room__isnull=False),
        name=name,
    )


class Original(models.Model):
    """The file exactly as its uploader sent it, encrypted at rest under a random name."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    attachment = models.OneToOneField(
        "attachments.Attachment", on_delete=models.SET_NULL, null=True, blank=True, related_name="original",
    )
    # The cleaned copy's public id: the encryption's associated data, kept after the copy goes.
    attachment_public_id = models.CharField(max_length=16)
    category = models.ForeignKey("forum.Category", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    room = models.ForeignKey("realtime.Room", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Null once the uploader deleted their account, having chosen to leave the original kept.
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    survives_leaving = models.BooleanField(default=False)
    name = models.CharField(_("name"), max_length=NAME_MAX)
    content_type = models.CharField(max_length=40)
    size = models.PositiveBigIntegerField()
    # SHA-256 of the original, hex: as the server computed it at upload, as the uploader's
    # browser computed it before sending (they matched, or nothing was stored), and of the
    # cleaned copy members received (its "fingerprint").
    sha256 = models.CharField(max_length=SHA256_HEX)
    browser_sha256 = models.CharField(max_length=SHA256_HEX)
    cleaned_sha256 = models.CharField(max_length=SHA256_HEX)
    stored_name = models.CharField(max_length=80, unique=True, editable=False)
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("original kept as evidence")
        verbose_name_plural = _("originals kept as evidence")
        constraints = [_one_place("original_in_one_place")]

    def __str__(self) -> str:
        return self.name

    @property
    def place(self):
        return self.category if self.category_id else self.room


class CustodyAction(models.TextChoices):
    KEPT = "kept", _("kept at upload")
    VIEWED = "viewed", _("viewed")
    DOWNLOADED = "downloaded", _("downloaded")
    EXPORTED = "exported", _("exported")
    VERIFIED = "verified", _("verified")
    REMOVED = "removed", _("removed")


class Outcome(models.TextChoices):
    OK = "ok", _("matches its fingerprint")
    MISMATCH = "mismatch", _("does not match its fingerprint")
    MISSING = "missing", _("its file is missing")


# What acts without a member, in `via` (attachments/evidence/custody.py).
VIA = {
    "upload": _("the upload"),
    "verify_evidence": _("the routine check"),
    "account deletion": _("an account deletion"),
    "purge_expired": _("the purge of unsent files"),
}


class AppendOnly(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The custody log is append-only: its rows are never changed.")

    def delete(self):
        raise TypeError("The custody log is append-only: its rows are never deleted.")


class CustodyEntry(models.Model):
    """Who did what with which original, when and why. Written once, never changed."""

    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    # Null for what acts without a member (`via`), or once the member deleted their account.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    via = models.CharField(max_length=40, blank=True)
    action = models.CharField(max_length=12, choices=CustodyAction.choices)
    category = models.ForeignKey("forum.Category", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    room = models.ForeignKey("realtime.Room", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    original_public_id = models.CharField(max_length=16)
    original_sha256 = models.CharField(max_length=SHA256_HEX)
    reason = models.CharField(_("reason"), max_length=REASON_MAX)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)

    objects = AppendOnly.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("custody log entry")
        verbose_name_plural = _("custody log")
        constraints = [
            _one_place("custody_entry_in_one_place"),
            models.CheckConstraint(condition=~Q(reason=""), name="custody_entry_has_a_reason"),
        ]
        indexes = [
            models.Index(fields=["category", "-created_at"], name="custody_by_category"),
            models.Index(fields=["room", "-created_at"], name="custody_by_room"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.original_public_id}"

    def get_via_display(self) -> str:
        return str(VIA.get(self.via, self.via))

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("The custody log is append-only: its rows are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The custody log is append-only: its rows are never deleted.")
