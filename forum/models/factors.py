"""Recovery codes: the second factor of last resort (issue 13; DESIGN.md, Accounts).

Ten single-use codes, shown once when made and stored only as their SHA-256: each is 50
random bits, so a stolen database copy cannot use them and a slow hash would add nothing.
They are a django-otp device like the TOTP app and the security keys, so one login step
and one `devices_for_user` serve all three.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device

from forum.ids import hash_token

RECOVERY_CODES = 10


def normalise_recovery_code(token: str) -> str:
    """Codes are shown in groups (`abcde-fghij`); typed with or without the dash or spaces."""
    return "".join(token.split()).replace("-", "").lower()


class RecoveryCodes(Device):
    """One per member who set up a factor: the set of codes they were last given.

    Not throttled, unlike the 6-digit app codes: guessing one of ten 50-bit codes takes
    about 10^14 tries, and a throttle would let anyone lock a member out of their last way in.
    """

    def verify_token(self, token: str) -> bool:
        code_hash = hash_token(normalise_recovery_code(str(token)))
        # Spent with a conditional UPDATE: two logins racing with one code, one wins.
        return bool(self.codes.filter(code_hash=code_hash, used_at__isnull=True).update(used_at=timezone.now()))

    def remaining(self) -> int:
        return self.codes.filter(used_at__isnull=True).count()

    class Meta(Device.Meta):
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodes, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["device", "code_hash"], name="recovery_code_once")]
