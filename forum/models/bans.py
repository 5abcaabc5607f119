"""A coalition-wide ban (issue 14): a member kept out of every place at once."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forum.models.moderation import REASON_MAX


class SiteBanQuerySet(models.QuerySet):
    def in_force(self, now=None):
        now = now or timezone.now()
        return self.filter(models.Q(until__isnull=True) | models.Q(until__gt=now))


class SiteBan(models.Model):
    """While in force the member cannot log in, has no session and no open socket; lifted
    (or run out), they come back with their grants as they were."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="site_ban")
    reason = models.CharField(max_length=REASON_MAX)
    until = models.DateTimeField(null=True, blank=True)  # None: until lifted
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = SiteBanQuerySet.as_manager()

    class Meta:
        verbose_name = _("coalition-wide ban")
        verbose_name_plural = _("coalition-wide bans")
