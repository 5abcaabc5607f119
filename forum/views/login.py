"""Logging in: the password, then (for a member who set one up) the second factor.

A member with a factor is not logged in by the password alone: the password step keeps
only a short-lived note of who is half-way in, under a fresh session key, and
`/accounts/login/verify/` finishes the login when a code or a security key is accepted.
So a phished password opens nothing. The same page lets a member who is logged in but
whose session used no factor (a moderator sent to it by the gate, forum/second_factor.py)
use one now.
"""

import time

from django import forms
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp import user_has_device

from forum import second_factor, times
from forum.services import factors, site_bans
from forum.views.navigation import safe_url

PENDING_KEY = "majlis_login_pending"
PENDING_SECONDS = 600


class LoginForm(AuthenticationForm):
    shared = forms.BooleanField(
        required=False, label=_("This device is shared: log me out when the browser closes"),
    )

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        ban = site_bans.ban_in_force(user)  # the password was right: saying why is no leak
        if ban is not None:
            if ban.until:
                message = _("This account is banned from the coalition until %(until)s.") % {
                    "until": times.full(ban.until)}
            else:
                message = _("This account is banned from the coalition until a coalition admin lifts the ban.")
            raise forms.ValidationError(message, code="banned")


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"), max_length=32, strip=True,
        help_text=_("The 6 digits your authenticator app shows, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none",
                                      "spellcheck": "false", "dir": "ltr"}),
    )


def finish_login(request, user, *, backend: str, shared: bool):
    login(request, user, backend=backend)
    if shared:  # ends with the browser, whatever the idle time says
        request.session.set_expiry(0)


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user, shared = form.get_user(), form.cleaned_data["shared"]
        if not user_has_device(user, confirmed=True):
            finish_login(self.request, user, backend=user.backend, shared=shared)
            return HttpResponseRedirect(self.get_success_url())
        session = self.request.session
        session.cycle_key()  # a key seen before the password is never the one that logs in
        session[PENDING_KEY] = {"user": user.pk, "backend": user.backend, "shared": shared,
                                "until": time.time() + PENDING_SECONDS}
        return HttpResponseRedirect(
            f"{reverse('login_verify')}?{urlencode({'next': self.get_success_url()})}"
        )


def pending_login(request):
    """The member half-way through logging in on this session, if the note is still fresh."""
    pending = request.session.get(PENDING_KEY)
    if not pending or pending.get("until", 0) < time.time():
        return None, None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is None or site_bans.ban_in_force(user) is not None:  # banned since the password step
        return None, None
    return user, pending


def login_verify(request):
    """The second step: a code (or a security key, through its own script) for the member
    half-way in, or for a logged-in member whose session used no factor."""
    next_url = safe_url(request, request.POST.get("next") or request.GET.get("next"), reverse("home"))
    if request.user.is_authenticated:
        user, pending = request.user, None
        if second_factor.used(user):
            return HttpResponseRedirect(next_url)
        if not user_has_device(user, confirmed=True):
            return HttpResponseRedirect(f"{reverse('two_factor')}?{urlencode({'next': next_url})}")
    else:
        user, pending = pending_login(request)
        if user is None:
            return redirect("login")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = factors.verify(user, form.cleaned_data["token"])
        if device is not None:
            if pending is not None:
                del request.session[PENDING_KEY]
                finish_login(request, user, backend=pending["backend"], shared=pending["shared"])
            otp_login(request, device)
            return HttpResponseRedirect(next_url)
        form.add_error("token", _("That code is not right, or it was used already. Wait a moment and try the newest code."))
    status = 400 if form.errors else 200
    return render(request, "registration/login_verify.html", {
        "form": form, "next": next_url, "member": user,
        "has_security_key": any(device.__class__.__name__ == "WebAuthnCredential"
                                for device in factors.factors_of(user)),
    }, status=status)
