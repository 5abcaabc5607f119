"""Leaving and getting back in (issue 13, items 4 and 5).

A username given up with its account is held for a while (`RetiredUsername`), so nobody
can take it at once and pass for the member who left. A member who forgot their password
gets back in by e-mail (`PasswordResetRequest` counts the asks, for flood control) or, with
no e-mail, by a single-use link a coalition admin hands over (`PasswordResetLink`).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RetiredUsername(models.Model):
    """Only a hash of the normalised name is kept: the table does not list who left."""

    name_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("retired username")
        verbose_name_plural = _("retired usernames")

    def __str__(self) -> str:
        return f"{self.name_hash[:8]}… until {self.expires_at:%Y-%m-%d}"


class PasswordResetLink(models.Model):
    """A single-use way to set a new password, made by a coalition admin, like an invitation:
    only a hash of the token is stored, so a copy of the database cannot be used."""

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("password reset link")
        verbose_name_plural = _("password reset links")

    def __str__(self) -> str:
        return f"reset link {self.created_at:%Y-%m-%d %H:%M}"


class PasswordResetRequest(models.Model):
    """One e-mail reset asked for an address (known or not, so the answer cannot tell),
    by the hash of the address; kept only as long as the flood control looks back."""

    address_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        indexes = [models.Index(fields=["address_hash", "created_at"], name="reset_request_address")]

    def __str__(self) -> str:
        return f"{self.address_hash[:8]}… {self.created_at:%Y-%m-%d %H:%M}"
