"""Forms: they parse and check a request's fields; the services do the writing."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import BaseUserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from attachments.forms import AttachmentsField, RemoveField
from forum.models import Organisation, Profile
from forum.models.people import Location
from forum.names import MAX_LENGTH, display_name_key, normalise_display_name
from forum.times import DEFAULT_TIME_ZONE, time_zone_choices

User = get_user_model()


class JoinForm(BaseUserCreationForm):
    display_name = forms.CharField(
        label=_("Display name"), max_length=MAX_LENGTH,
        help_text=_("The name others see. Never your real name. At most 40 characters."),
    )
    location = forms.ChoiceField(label=_("Where are you?"), choices=Location.choices)

    class Meta:
        model = User
        fields = ("username",)
        help_texts = {"username": _("For logging in only; nobody else sees it.")}

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This username is taken."), code="username_taken")
        return username

    def clean_display_name(self):
        name = normalise_display_name(self.cleaned_data["display_name"])
        if Profile.objects.filter(display_name_key=display_name_key(name)).exists():
            raise ValidationError(_("This display name is taken."), code="display_name_taken")
        return name


class InvitationForm(forms.Form):
    """DESIGN.md: POST `org` (an organisation's slug) and `days`. `organisations` are those
    the inviter may invite into; a coalition admin may also invite into none."""

    org = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), to_field_name="slug", required=False,
        empty_label=_("No organisation"),
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=90, initial=7)

    def __init__(self, *args, organisations, allow_none: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = organisations
        self.fields["org"].required = not allow_none


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=Profile._meta.get_field("language").choices)


def _new_submit_token() -> str:
    import secrets

    return secrets.token_urlsafe(16)


class _Submission(forms.Form):
    # Sent back unchanged by a double-submitted form, so the second copy stores nothing.
    submit_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submit_token", _new_submit_token())


class ThreadForm(_Submission):
    title = forms.CharField(
        label=_("Title"), max_length=200, widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"})
    )
    body = forms.CharField(
        label=_("Message"), max_length=20_000,
        widget=forms.Textarea(attrs={"dir": "auto", "rows": 10}),
        help_text=_("Markdown: **bold**, _italic_, > quote, - list, [link](https://…). Images are shown as links."),
    )
    attachments = AttachmentsField()


class ReplyForm(_Submission):
    # The public id of the quoted post, whose author is told of the reply.
    reply_to = forms.CharField(widget=forms.HiddenInput, required=False, max_length=16)
    body = forms.CharField(
        label=_("Your reply"), max_length=20_000, widget=forms.Textarea(attrs={"dir": "auto", "rows": 6})
    )
    attachments = AttachmentsField()


class EditForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), max_length=20_000, widget=forms.Textarea(attrs={"dir": "auto", "rows": 10})
    )
    attachments = AttachmentsField(label=_("Add files"))
    remove = RemoveField()

    def __init__(self, *args, attached=(), **kwargs):
        """`attached`: the post's files, which the member may tick to remove."""
        super().__init__(*args, **kwargs)
        self.fields["remove"].choices = [(file.public_id, file.name) for file in attached]
        if not attached:
            del self.fields["remove"]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, required=False,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )


class MoveForm(ReasonForm):
    category = forms.ModelChoiceField(label=_("Move to"), queryset=None, to_field_name="slug")

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=time_zone_choices, required=False,
        help_text=_("Times on the pages are shown in this zone."),
        error_messages={"invalid_choice": _("Unknown time zone: choose one from the list.")},
    )

    class Meta:
        model = Profile
        fields = ("display_name", "language", "time_zone", "hide_presence", "watch_what_i_write", "load_full_pictures",
                  "email", "digest")
        widgets = {"display_name": forms.TextInput(attrs={"dir": "auto"}),
                   "email": forms.EmailInput(attrs={"dir": "ltr", "autocomplete": "email"})}
        labels = {"load_full_pictures": _("Load full pictures automatically")}
        help_texts = {
            "load_full_pictures": _("Off: pictures show as small previews, and a picture loads in full "
                                    "when you tap it. On costs much more data on a paid connection."),
            "email": _("Optional. Used for digests only, never shown to anyone."),
            "digest": _("A digest carries counts and links only: no titles, names or text."),
        }

    def clean_time_zone(self):
        # Not sent (a client written before the setting existed): the member's zone stays.
        return self.cleaned_data["time_zone"] or self.instance.time_zone or DEFAULT_TIME_ZONE

    def clean_display_name(self):
        return normalise_display_name(self.cleaned_data["display_name"])
