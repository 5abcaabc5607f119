"""Password recovery pages (issue 13, item 5): Django's reset-by-e-mail views with our
templates, the address read from the profile, flood control per address; and the page of
a reset link a coalition admin made."""

import unicodedata

from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from forum.models import Profile
from forum.services import recovery


def _same_address(a: str, b: str) -> bool:
    return unicodedata.normalize("NFKC", a).casefold() == unicodedata.normalize("NFKC", b).casefold()


class MemberPasswordResetForm(auth_forms.PasswordResetForm):
    """A member's address is on their profile (for digests and this); `User.email` stays
    empty. Active members with a usable password only."""

    def get_users(self, email):
        profiles = Profile.objects.select_related("user").filter(email__iexact=email, user__is_active=True)
        return (
            profile.user for profile in profiles
            if profile.user.has_usable_password() and _same_address(email, profile.email)
        )

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        # Sent to the profile's address (Django would use the empty `User.email`).
        super().send_mail(subject_template_name, email_template_name, context, from_email,
                          context["user"].profile.email, html_email_template_name)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = MemberPasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        recovery.count_reset_request(form.cleaned_data["email"])  # RateLimited: 429 with Retry-After
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)  # the new password is stored: Django's token is spent
        recovery.password_reset_by_email(user=form.user)
        _start_afresh(self.request)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"


def _start_afresh(request) -> None:
    """Every session of the member ended, maybe this one too: go on with an empty one."""
    request.session.flush()
    request.user = AnonymousUser()


@never_cache
@require_http_methods(["GET", "POST"])
def reset_with_link(request, token: str):
    link = recovery.open_reset_link(token)
    if link is None:  # unknown, used and expired links get this one answer
        return render(request, "registration/reset_link_invalid.html", status=404)
    form = auth_forms.SetPasswordForm(link.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recovery.reset_with_link(token=token, password=form.cleaned_data["new_password1"])
        except recovery.ResetLinkInvalid:
            return render(request, "registration/reset_link_invalid.html", status=404)
        _start_afresh(request)
        messages.success(request, _("Your new password is set. Every device was logged out: log in again."))
        return HttpResponseRedirect(reverse("login"))
    status = 400 if request.method == "POST" else 200
    return render(request, "registration/reset_link.html", {"form": form, "member": link.user.profile}, status=status)
