"""The two-factor page: set up an authenticator app, see and remove factors, new recovery codes.

DESIGN.md fixes its contract: GET shows a new TOTP key inside `<code data-totp-key>`, and
POST `token` confirms it. The QR code is drawn as SVG by our own origin from the key kept
server-side, so the key never travels in a URL. Recovery codes are shown in the answer
to the POST that makes them and nowhere else: they are never stored in clear, not even in
the session, so they are rendered, not redirected to.
"""

import io
from base64 import b32encode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from forum import second_factor
from forum.accounts import password_confirmed
from forum.services import factors
from forum.views.navigation import safe_url


def _next(request) -> str:
    return safe_url(request, request.POST.get("next") or request.GET.get("next"), "")


def _page(request, *, errors: dict | None = None, status: int = 200):
    user = request.user
    has_app = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    pending = None if has_app else factors.pending_totp(user)
    return render(request, "accounts/two_factor.html", {
        "factors": factors.factors_of(user),
        "recovery_left": factors.recovery_codes_left(user),
        "totp_key": b32encode(pending.bin_key).decode() if pending else None,
        "errors": errors or {},
        "next": _next(request),
        "used_here": second_factor.used(user),
    }, status=status)


def _codes(request, codes: list[str]):
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next(request) or reverse("two_factor")})


def _errors(error: ValidationError) -> dict:
    """Errors by field; those of no field under `general` (templates cannot read `__all__`)."""
    found = error.message_dict if hasattr(error, "error_dict") else {"general": error.messages}
    return {("general" if field == "__all__" else field): texts for field, texts in found.items()}


@never_cache
@login_required
def two_factor(request):
    if request.method != "POST":
        return _page(request)
    action, post = request.POST.get("action", "confirm"), request.POST
    if action in ("recovery", "remove") and not password_confirmed(request, post.get("password", "")):
        return _page(request, errors={"password": [_("Your password is not right.")]}, status=400)
    try:
        if action == "confirm":
            device, codes = factors.confirm_totp(request.user, post.get("token", ""))
            otp_login(request, device)  # the code just typed is this session's second factor
            if codes:
                return _codes(request, codes)
            messages.success(request, _("Your authenticator app is set up."))
        elif action == "first_codes":  # a first factor that was a key: its codes, once
            codes = factors.first_recovery_codes(request.user, session_used_factor=second_factor.used(request.user))
            return _codes(request, codes)
        elif action == "recovery":
            factors.check_password_and_code(request.user, password=post.get("password", ""), token=post.get("token", ""))
            return _codes(request, factors.new_recovery_codes(request.user))
        elif action == "remove":
            factors.remove_factor(request.user, post.get("device", ""), password=post.get("password", ""),
                                  token=post.get("token", ""))
            messages.success(request, _("The factor is removed."))
        else:
            return _page(request, errors={"general": [_("Unknown action.")]}, status=400)
    except ValidationError as error:
        return _page(request, errors=_errors(error), status=400)
    return HttpResponseRedirect(_next(request) or reverse("two_factor"))


@never_cache
@login_required
def two_factor_qr(request):
    """The pending key as a QR code, for the app to scan (404 once it is confirmed)."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        return HttpResponse(status=404)
    svg = io.BytesIO()
    segno.make(device.config_url, error="m").save(svg, kind="svg", scale=5, border=2, xmldecl=False,
                                                  dark="#000", light="#fff")
    return HttpResponse(svg.getvalue(), content_type="image/svg+xml")
