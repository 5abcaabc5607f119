"""Attachments: cleaned files on posts and room messages, and each member's daily tally.

An attachment belongs to the member who uploaded it and, once sent, to exactly one post or
one room message, whose visibility it shares (attachments/checks.py). A room's files are
uploaded before the message that carries them: until it is sent such a file is attached
to nothing, seen by its uploader only, and purged after a day (`purge_expired`).

What is on disk is the cleaned file only (attachments/cleaning.py), under a random name
(attachments/storage.py); the name the member gave it is display text, nothing more.
An original kept as evidence (issue 17, the evidence locker) is another model, one to
one with its attachment, so that nothing here changes for it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forum.ids import new_public_id

NAME_MAX = 120


class Attachment(models.Model):
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    # Null once the uploader deleted their account and kept their content.
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    post = models.ForeignKey(
        "forum.Post", on_delete=models.CASCADE, null=True, blank=True, related_name="attachments",
    )
    message = models.ForeignKey(
        "realtime.RoomMessage", on_delete=models.CASCADE, null=True, blank=True, related_name="attachments",
    )
    # The room a waiting room file was uploaded to: it can be sent there only.
    room = models.ForeignKey("realtime.Room", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    name = models.CharField(_("name"), max_length=NAME_MAX)
    content_type = models.CharField(max_length=40)
    size = models.PositiveBigIntegerField()
    # The bytes the member sent, before cleaning: what their daily allowance counts.
    upload_size = models.PositiveBigIntegerField()
    # SHA-256 of the stored file, hex: two members compare it to know they hold the same file.
    fingerprint = models.CharField(max_length=64)
    stored_name = models.CharField(max_length=80, unique=True, editable=False)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    preview_name = models.CharField(max_length=80, blank=True, editable=False)
    preview_size = models.PositiveIntegerField(default=0)
    preview_width = models.PositiveIntegerField(null=True, blank=True)
    preview_height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(
                condition=Q(post__isnull=True) | Q(message__isnull=True), name="attachment_has_one_home",
            ),
        ]
        indexes = [
            # The unattached ones past their day, for purge_expired.
            models.Index(fields=["created_at"], condition=Q(post__isnull=True, message__isnull=True),
                         name="attachment_waiting"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("attachment", args=[self.public_id])

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def preview_url(self) -> str | None:
        return reverse("attachment_preview", args=[self.public_id]) if self.preview_name else None


class UploadTally(models.Model):
    """How many bytes a member uploaded on one day (UTC), against MAJLIS_ATTACHMENT_DAILY_BYTES.

    Counted when an upload is stored and never given back when a file is removed: the
    allowance is for what a member sends, so removing files does not make room for more.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    bytes = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_upload_tally_per_day")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}: {self.bytes}"


# The evidence locker's models live with their code (attachments/evidence/).
from attachments.evidence.models import CustodyEntry, Original  # noqa: E402, F401

__all__ = ["Attachment", "UploadTally", "Original", "CustodyEntry"]
