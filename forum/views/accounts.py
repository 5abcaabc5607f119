"""Account pages: joining by invitation, invitations for staff, lockout, language."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from django.contrib.auth.decorators import login_required

from attachments.evidence.selectors import places_handled_by
from forum.forms import InvitationForm, JoinForm, LanguageForm, ProfileForm
from forum.selectors import accounts as selectors
from forum.selectors.accounts import open_invitation
from forum.services import accounts as services
from forum.views.navigation import redirect_to_next


def _invalid_invitation(request):
    # Unknown, used and expired tokens get this one answer, so a token cannot be probed.
    return render(request, "forum/join_invalid.html", status=404)


def join(request, token: str):
    if open_invitation(token) is None:
        return _invalid_invitation(request)
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.join_with_invitation(
                token=token,
                username=form.cleaned_data["username"],
                display_name=form.cleaned_data["display_name"],
                location=form.cleaned_data["location"],
                password=form.cleaned_data["password1"],
                language=request.LANGUAGE_CODE,
            )
        except services.InvitationInvalid:
            return _invalid_invitation(request)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return HttpResponseRedirect(reverse("home"))
    status = 400 if request.method == "POST" else 200
    return render(request, "forum/join.html", {"form": form}, status=status)


@login_required
def invitations(request):
    """Invite someone into an organisation one leads (or, for a coalition admin, any), see
    one's invitations and who joined through them, and take back one nobody used."""
    organisations = selectors.organisations_to_invite_into(request.user)
    if not request.user.is_superuser and not organisations.exists():
        raise Http404  # only leads and coalition admins have this page
    form = InvitationForm(request.POST or None, organisations=organisations, allow_none=request.user.is_superuser)
    new_url = None
    if request.method == "POST" and "revoke" in request.POST:
        invitation = selectors.invitation_of(request.user, request.POST["revoke"])
        services.revoke_invitation(by=request.user, invitation=invitation)
        messages.success(request, _("The invitation was taken back: its link no longer works."))
        return HttpResponseRedirect(reverse("invitations"))
    if request.method == "POST" and form.is_valid():
        try:
            _invitation, token = services.create_invitation(
                by=request.user, organisation=form.cleaned_data["org"], days=form.cleaned_data["days"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            new_url = request.build_absolute_uri(reverse("join", args=[token]))
            form = InvitationForm(organisations=organisations, allow_none=request.user.is_superuser)
    status = 400 if form.errors else 200
    return render(request, "forum/invitations.html", {
        "form": form, "new_url": new_url, "invitations": selectors.invitations_for(request.user),
    }, status=status)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer once an account name has failed too often.

    The same page whether or not the account exists, and it says when to retry.
    """
    form = AuthenticationForm(request, data=request.POST or None)
    form.errors.clear()
    form.add_error(None, _("Too many failed attempts. Please wait 15 minutes and try again."))
    response = render(request, "registration/login.html", {"form": form}, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


@require_POST
def set_language(request):
    form = LanguageForm(request.POST)
    response = redirect_to_next(request, reverse("home"))
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.set_language(request.user.profile, language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE, secure=request.is_secure(),
            httponly=True,
        )
    else:
        messages.error(request, _("Unknown language."))
    return response


@login_required
def profile(request):
    """A member's own settings: display name, language, presence, following, digest."""
    profile = request.user.profile
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_settings(profile, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your settings are saved."))
            return HttpResponseRedirect(reverse("profile"))
    status = 400 if request.method == "POST" else 200
    return render(request, "forum/profile.html", {
        "form": form, "handles_evidence": bool(places_handled_by(request.user)),
    }, status=status)
