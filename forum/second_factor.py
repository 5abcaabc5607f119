"""Moderation powers need a second factor used in this session (issue 13; DESIGN.md, Accounts).

A phished or guessed password must not let anyone hide, approve, ban or change grants.
So a moderator or coalition admin moderates only in a session that used a second factor:
django-otp records that in the session under `DEVICE_ID_SESSION_KEY` when a code or a
security key is accepted (`django_otp.login`), and the session's key changes at login,
so it cannot be carried over.

Every edge that knows a session marks its member with `mark` before any check runs: pages
(`SecondFactorMiddleware`), sockets (`realtime.selectors.session_user`, on every re-check)
and, through the page middleware, the admin. `forum.permissions` then withholds `moderate`
from a marked member whose session used no factor, and the checks refuse with
`SecondFactorRequired`, whose reason says what to do. A member no edge marked was not
authenticated by a session at all (a management command, a service called from code) and
is taken as the caller vouches.
"""

from django.contrib.auth.middleware import get_user
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device


def mark(user, session) -> object:
    """Note on `user` whether `session` (a session or its decoded data) used a second factor."""
    used = bool(session.get(DEVICE_ID_SESSION_KEY))
    user.second_factor_used = used
    # django-otp's own API (its decorators and admin site ask this), without its middleware's
    # query for the device on every request.
    user.is_verified = lambda: used
    return user


def used(user) -> bool:
    """Did this member's session use a second factor? True for an unmarked member (above)."""
    return getattr(user, "second_factor_used", True) is not False


def next_step_url(user, next_path: str) -> str:
    """Where a member without a used factor goes: to confirm one they have, else to set one up."""
    name = "login_verify" if user_has_device(user, confirmed=True) else "two_factor"
    return f"{reverse(name)}?{urlencode({'next': next_path})}"


class SecondFactorMiddleware:
    """Marks `request.user` for the permission module, when (and only if) it is loaded."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.user = SimpleLazyObject(lambda: mark(get_user(request), request.session))
        return self.get_response(request)
