"""The coalition's own pages (/manage/, issue 14): places and grants, who can see what,
coalition-wide bans. Each answers 404 to anyone but a coalition admin, POSTs included
(DESIGN.md), and writes only through the services the command line uses, so every
change is recorded with its actor and announced to open sockets."""

from functools import wraps

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from forum import checks
from forum.errors import DomainError, NotFound
from forum.targets import parse_holder, parse_place
from forum.selectors import coalition as selectors
from forum.services import content, grants, site_bans
from realtime.models import Room
from realtime.services import rooms

GRANT_PERMS = ("view_category", "post_in_category", "moderate_category", "view_room", "post_in_room",
               "moderate_room", "handle_evidence", "lead_organisation")
_KEEP_EVIDENCE_HELP = gettext_lazy(
    "Uploaders may ask to keep the untouched original of their files, encrypted. Only members granted "
    "handle_evidence here can read them (not moderators; you too must grant it to yourself). "
    "Needs MAJLIS_EVIDENCE_KEY.")


class PlaceForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=[("category", gettext_lazy("Category")),
                                                                  ("room", gettext_lazy("Room"))])
    slug = forms.SlugField(label=gettext_lazy("Slug (in its address)"), max_length=50)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)


class GrantForm(forms.Form):
    action = forms.ChoiceField(label=gettext_lazy("Change"),
                               choices=[("grant", gettext_lazy("Grant")), ("revoke", gettext_lazy("Revoke"))])
    perm = forms.ChoiceField(label=gettext_lazy("Permission"), choices=[(p, p) for p in GRANT_PERMS])
    place = forms.CharField(label=gettext_lazy("Place"), max_length=80,
                            help_text=gettext_lazy("category:SLUG, room:SLUG or org:SLUG"))
    holder = forms.CharField(label=gettext_lazy("To"), max_length=160,
                             help_text=gettext_lazy("group:NAME or user:USERNAME"))


class RoomSettingsForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    topic = forms.CharField(label=gettext_lazy("Topic"), max_length=280, required=False)
    retention_days = forms.IntegerField(label=gettext_lazy("Keep messages for (days; empty: for good)"),
                                        required=False, min_value=1)
    slow_mode_seconds = forms.IntegerField(label=gettext_lazy("Slow mode (seconds; 0: off)"), min_value=0)
    read_only = forms.BooleanField(label=gettext_lazy("Read-only"), required=False)
    keep_evidence = forms.BooleanField(label=gettext_lazy("Keep originals as evidence"), required=False,
                                       help_text=_KEEP_EVIDENCE_HELP)


class CategorySettingsForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    description = forms.CharField(label=gettext_lazy("Description"), max_length=500, required=False)
    requires_approval = forms.BooleanField(label=gettext_lazy("New posts wait for a moderator's approval"),
                                           required=False)
    keep_evidence = forms.BooleanField(label=gettext_lazy("Keep originals as evidence"), required=False,
                                       help_text=_KEEP_EVIDENCE_HELP)


class BanForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=280)
    days = forms.IntegerField(label=gettext_lazy("Days (empty: until lifted)"), required=False, min_value=1)


def _page(request, *, place_form=None, grant_form=None, ban_form=None, status=200):
    return render(request, "manage/places.html", {
        "places": selectors.places_overview(),
        "place_form": place_form or PlaceForm(), "grant_form": grant_form or GrantForm(),
        "ban_form": ban_form or BanForm(), "bans": site_bans.bans_in_force(),
    }, status=status)


def coalition_only(view):
    """Before anything else (the method too): 404 to anyone but a coalition admin."""
    @wraps(view)
    def checked(request, *args, **kwargs):
        checks.check_manage(request.user)
        return view(request, *args, **kwargs)
    return checked


def _refused(form, error: ValidationError) -> None:
    for field, texts in (error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]):
        for text in texts:
            form.add_error(field if field in form.fields else None, text)


@coalition_only
@never_cache
@require_http_methods(["GET"])
def manage(request):
    return _page(request)


def _submit(request, form: forms.Form, slot: str, act, done: str):
    """A form of the places page: on success one service call and back to the page; on a
    refusal the page again with the form's errors (400), nothing stored."""
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, done)
            return HttpResponseRedirect(reverse("manage"))
    return _page(request, **{slot: form}, status=400)


@coalition_only
@require_POST
def create_place(request):
    def make(data):
        create = content.create_category if data["kind"] == "category" else rooms.create_room
        create(by=request.user, slug=data["slug"], name=data["name"])

    return _submit(request, PlaceForm(request.POST), "place_form", make,
                   _("Made. Nobody can see it until you grant someone view."))


@coalition_only
@require_POST
def change_grant(request):
    def change(data):
        grants.set_grant(by=request.user, perm=data["perm"], obj=parse_place(data["place"]),
                         to=parse_holder(data["holder"]), granted=data["action"] == "grant")

    return _submit(request, GrantForm(request.POST), "grant_form", change,
                   _("Done: the change is in the audit log, and open pages follow it at once."))


@coalition_only
@require_POST
def ban(request):
    def ban_member(data):
        site_bans.ban_everywhere(by=request.user, member=_member(data["username"]), reason=data["reason"],
                                 days=data["days"])

    return _submit(request, BanForm(request.POST), "ban_form", ban_member,
                   _("Banned from every place. Their sessions have ended."))


@coalition_only
@require_POST
def lift_ban(request):
    try:
        site_bans.lift_ban(by=request.user, member=_member(request.POST.get("username", "")))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(reverse("manage"))
    messages.success(request, _("The ban is lifted."))
    return HttpResponseRedirect(reverse("manage"))


def _member(username: str):
    """The member a ban form names; a form error (not a 404) for a name nobody has."""
    try:
        return selectors.member_by_username(username.strip())
    except NotFound:
        raise ValidationError({"username": ValidationError(_("No member has this username."), code="unknown")})


@coalition_only
@never_cache
@require_http_methods(["GET", "POST"])
def place(request, spec: str):
    """One place: its settings (changed through the same services as the command line),
    and who can view it (members per group; every name on request)."""
    place = selectors.place_by_spec(spec)
    is_room = isinstance(place, Room)
    form_class = RoomSettingsForm if is_room else CategorySettingsForm
    initial = {name: getattr(place, name) for name in form_class.base_fields}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if is_room:
                rooms.change_room(by=request.user, room=place, **form.cleaned_data)
            else:
                content.update_category(by=request.user, category=place, **form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        except DomainError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(reverse("manage_place", args=[spec]))
    per_group, viewers = selectors.members_who_can_view(place)
    return render(request, "manage/place.html", {
        "place": place, "spec": spec, "form": form, "per_group": per_group, "viewer_count": len(viewers),
        "evidence_url": reverse("evidence_place", args=spec.split(":", 1)),
        "viewers": viewers if request.GET.get("names") else None,
    }, status=400 if form.errors else 200)


@coalition_only
@never_cache
def member(request):
    """What one member can view, post in and moderate, and through which grant."""
    username = request.GET.get("username", "").strip()
    member = selectors.member_by_username(username) if username else None
    return render(request, "manage/member.html", {
        "member": member, "username": username, "rows": selectors.what_a_member_can(member) if member else [],
    })
