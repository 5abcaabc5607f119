"""Getting back in after a forgotten password (issue 13, item 5; DESIGN.md, Recovery).

Two ways, both single-use, both ending every session of the member and both written in
the moderation record (actions `reset_by_email`, `reset_link`, `reset_by_link`, filed
under the member's account as scope and target: no category or room is concerned, so
the transparency log, which shows events of places, never lists them; admins read them
in the admin):
- by e-mail, for a member who gave an address (it lives on the profile, not on the user
  row): Django's reset views and token (`forum.views.recovery`); asks are counted per
  address, known or not, so the answer is the same either way;
- by a link a coalition admin makes (`manage.py reset_link`, or the admin's action) for
  a member without an address, handed over in person or by a trusted channel: like an
  invitation, only a hash of its token is stored, and it lasts 24 hours.
"""

import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum import pace, permissions
from forum.ids import hash_token
from forum.models import Action, PasswordResetLink, PasswordResetRequest
from forum.services.audit import record_moderation_event
from forum.services import member_sessions

User = get_user_model()

RESET_LINK_LASTS = timedelta(hours=24)


class ResetLinkInvalid(Exception):
    """Unknown, used and expired links are one error: which one is nobody's business."""


def address_key(email: str) -> str:
    return hash_token(email.strip().casefold())


def count_reset_request(email: str, now=None) -> None:
    """One more reset by e-mail asked for this address, or `RateLimited` past the pace.

    Counted whether or not a member has the address, so a refusal tells nothing either;
    a refused ask stores nothing (as forum/pace.py does for writing)."""
    now = now or timezone.now()
    count, _seconds = pace.limit(pace.RESET_REQUEST)
    key = address_key(email)
    with transaction.atomic():
        nth_latest = (
            PasswordResetRequest.objects.filter(address_hash=key, created_at__gt=pace.window_start(pace.RESET_REQUEST, now))
            .order_by("-created_at").values_list("created_at", flat=True)[count - 1:count].first()
        )
        pace.check_pace(pace.RESET_REQUEST, nth_latest=nth_latest, now=now)
        PasswordResetRequest.objects.create(address_hash=key, created_at=now)


def forget_old_reset_requests(now=None) -> int:
    """Asks older than the pace's window, and links that ended a day ago (`purge_expired`)."""
    now = now or timezone.now()
    requests = PasswordResetRequest.objects.filter(created_at__lt=pace.window_start(pace.RESET_REQUEST, now)).delete()[0]
    links = PasswordResetLink.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()[0]
    return requests + links


def _record(*, actor, action: str, user, details: dict | None = None) -> None:
    record_moderation_event(actor=actor, action=action, scope=user, target=user, details=details)


def password_reset_by_email(*, user) -> None:
    """After Django's confirm view stored the new password: recorded, every session ended."""
    with transaction.atomic():
        _record(actor=user, action=Action.RESET_BY_EMAIL, user=user)
        member_sessions.end_other_sessions(user=user, keep_session_key=None)


def make_reset_link(*, by, user) -> tuple[PasswordResetLink, str]:
    """A coalition admin makes a single-use reset link for a member; returned with its token,
    shown once. An earlier unused link of the member stops working."""
    permissions.check_coalition_admin(by, _("Only coalition admins can make password reset links."))
    now = timezone.now()
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        PasswordResetLink.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        link = PasswordResetLink.objects.create(
            token_hash=hash_token(token), user=user, created_by=by, created_at=now, expires_at=now + RESET_LINK_LASTS,
        )
        _record(actor=by, action=Action.RESET_LINK, user=user)
    return link, token


def open_reset_link(token: str, now=None) -> PasswordResetLink | None:
    """The link behind a token while it can be used (for an active member), else None."""
    return (
        PasswordResetLink.objects.select_related("user__profile")
        .filter(token_hash=hash_token(token), used_at__isnull=True, expires_at__gt=now or timezone.now(),
                user__is_active=True)
        .first()
    )


def reset_with_link(*, token: str, password: str) -> User:
    """Spend a reset link on a new password (already validated against the member by the
    form); every session of the member ends and their sockets close."""
    now = timezone.now()
    with transaction.atomic():
        link = open_reset_link(token, now)
        if link is None:
            raise ResetLinkInvalid
        # Claimed with a conditional UPDATE: of two uses racing on one link, one wins.
        if PasswordResetLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=now) != 1:
            raise ResetLinkInvalid
        user = link.user
        user.set_password(password)
        user.save(update_fields=["password"])
        _record(actor=user, action=Action.RESET_BY_LINK, user=user)
        member_sessions.end_other_sessions(user=user, keep_session_key=None)
    return user
