"""Export my data and delete my account (issue 13, item 4): each page a form with the
password, then one service call."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from forum.accounts import password_confirmed
from forum.services import export as export_service
from forum.services import leaving as services


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class DeleteAccountForm(PasswordForm):
    content = forms.ChoiceField(
        label=gettext_lazy("Your posts and messages"), widget=forms.RadioSelect,
        choices=[
            (services.KEEP, gettext_lazy("Keep them, shown as written by “former member”, with nothing that leads back to me")),
            (services.ERASE, gettext_lazy("Erase them: “removed” in threads, deleted messages in rooms")),
        ],
    )


def _refused(form, error: ValidationError):
    for field, errors in error.error_dict.items() if hasattr(error, "error_dict") else [(None, error.error_list)]:
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


def _confirmed(request, form) -> bool:
    """The password, counted by django-axes like a login (forum.accounts.password_confirmed)."""
    if password_confirmed(request, form.cleaned_data["password"]):
        return True
    form.add_error("password", _("That password is not right."))
    return False


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def export(request):
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _confirmed(request, form):
        try:
            archive = export_service.export_member_data(user=request.user, password=form.cleaned_data["password"])
        except ValidationError as error:
            _refused(form, error)
        else:
            response = HttpResponse(archive, content_type="application/zip")
            response["Content-Disposition"] = f'attachment; filename="{export_service.ZIP_NAME}"'
            return response
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/export.html", {"form": form}, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def delete_account(request):
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _confirmed(request, form):
        try:
            services.delete_account(
                user=request.user, password=form.cleaned_data["password"], content=form.cleaned_data["content"],
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            # The session row is gone already: start a fresh, empty one (nothing of the member in it).
            request.session.flush()
            request.user = AnonymousUser()
            messages.success(request, _("Your account was deleted."))
            return HttpResponseRedirect(reverse("login"))
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/delete_account.html", {"form": form}, status=status)
