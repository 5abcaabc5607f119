"""Second factors: a TOTP app, security keys and recovery codes (issue 13; DESIGN.md, Accounts).

Enrolling a TOTP app keeps one unconfirmed device per member, whose key the page shows
until a code from the app confirms it; so reloading the page mid-scan shows the same key.
The first factor confirmed brings ten recovery codes, shown once and stored hashed
(forum/models/factors.py). A code is checked against the member's confirmed devices
only, each throttled by django-otp (a wrong code doubles the wait before the next try),
and a TOTP code is never accepted twice. Removing a factor needs the password and a
current code; removing the last one takes the recovery codes with it. No SMS, no phone
number: nothing here asks for one.
"""

import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from forum.ids import hash_token
from forum.models.factors import RECOVERY_CODES, RecoveryCode, RecoveryCodes, normalise_recovery_code

User = get_user_model()


def _code_error(message: str) -> ValidationError:
    return ValidationError({"token": ValidationError(message, code="invalid")})


def pending_totp(user: User) -> TOTPDevice:
    """The TOTP device a member is setting up: made once, shown until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    return device


def confirm_totp(user: User, token: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending TOTP device with a code from the app. Returns it with the new
    recovery codes when this is the member's first factor (else an empty list)."""
    token = "".join((token or "").split())
    if not (token.isdigit() and len(token) == 6):
        raise _code_error(_("Enter the 6 digits your app shows."))
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None or not device.verify_token(token):
            raise _code_error(_("That code is not right. Check the time on your phone and try the newest code."))
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return device, first_factor_added(user)


def first_factor_added(user: User) -> list[str]:
    """After a factor is confirmed: recovery codes for a member who has none yet."""
    if RecoveryCodes.objects.filter(user=user).exists():
        return []
    return new_recovery_codes(user)


def first_recovery_codes(user: User, *, session_used_factor: bool) -> list[str]:
    """Recovery codes for a member whose first factor came without them (a security key,
    added through its own script), asked for from a session that used a factor."""
    if not session_used_factor or not factors_of(user):
        raise ValidationError(_("Use your second step first."), code="unverified")
    if RecoveryCodes.objects.filter(user=user).exists():
        raise ValidationError(_("You have recovery codes already: make new ones with your password."), code="exists")
    return new_recovery_codes(user)


def new_recovery_codes(user: User) -> list[str]:
    """Ten new recovery codes, replacing any earlier ones; the only time they exist in clear."""
    codes = [_new_code() for _ in range(RECOVERY_CODES)]
    with transaction.atomic():
        device, _created = RecoveryCodes.objects.get_or_create(
            user=user, defaults={"name": _("Recovery codes"), "confirmed": True}
        )
        device.codes.all().delete()
        RecoveryCode.objects.bulk_create(
            RecoveryCode(device=device, code_hash=hash_token(normalise_recovery_code(code))) for code in codes
        )
    return codes


def _new_code() -> str:
    """50 random bits in lowercase base32, shown as two groups of five (`abcde-fghij`)."""
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    raw = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def factors_of(user: User) -> list[Device]:
    """The member's confirmed factors (apps and keys), without the recovery codes."""
    return [d for d in devices_for_user(user, confirmed=True) if not isinstance(d, RecoveryCodes)]


def recovery_codes_left(user: User) -> int | None:
    device = RecoveryCodes.objects.filter(user=user).first()
    return None if device is None else device.remaining()


def verify(user: User, token: str) -> Device | None:
    """The confirmed device that accepts this code (an app's code or a recovery code), or
    None. Each device counts a wrong code against its own throttle."""
    token = "".join((token or "").split())
    is_app_code = token.isdigit() and len(token) == 6
    is_recovery_code = len(normalise_recovery_code(token)) == 10
    if not (is_app_code or is_recovery_code):
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if isinstance(device, TOTPDevice) and not is_app_code:
                continue
            if isinstance(device, RecoveryCodes) and not is_recovery_code:
                continue
            if device.verify_token(token):
                return device
    return None


def check_password_and_code(user: User, *, password: str, token: str) -> None:
    """What a member proves before a factor goes or new recovery codes come: the password
    and a current code (ValidationError on `password` or `token`)."""
    if not user.check_password(password or ""):
        raise ValidationError({"password": ValidationError(_("Your password is not right."), code="password")})
    if verify(user, token) is None:
        raise _code_error(_("That code is not right."))


def remove_factor(user: User, persistent_id: str, *, password: str, token: str) -> None:
    """Remove one of the member's apps or keys; with the last one, the recovery codes go too."""
    device = Device.from_persistent_id(persistent_id)
    if device is None or device.user_id != user.pk or isinstance(device, RecoveryCodes):
        raise ValidationError(_("That factor is not yours."), code="unknown")
    check_password_and_code(user, password=password, token=token)
    with transaction.atomic():
        device.delete()
        if not factors_of(user):
            RecoveryCodes.objects.filter(user=user).delete()
