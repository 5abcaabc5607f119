"""Forms: they parse and check a request's fields; the services do the writing."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import BaseUserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from forum.models import Organisation, Profile
from forum.models.people import Location
from forum.names import MAX_LENGTH, display_name_key, normalise_display_name

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
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.all(), required=False,
        empty_label=_("No organisation"),
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=90, initial=7)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=Profile._meta.get_field("language").choices)
    next = forms.CharField(required=False)
