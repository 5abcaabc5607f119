"""The form field of attachments: `attachments`, several files in one multipart form.

The field only collects the uploaded files; checking and cleaning them is the services'
work (attachments/services.py), done by the service that stores the post.
"""

from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy as _

from attachments import kinds

# What the file picker offers first (a hint only: the bytes decide).
ACCEPT = "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif,application/pdf," \
         "audio/ogg,.ogg,.opus,audio/mp4,.m4a,audio/aac,audio/mpeg,.mp3"


def _help_text() -> str:
    return gettext(
        "Up to %(count)d files. %(accepted)s Before anyone else can get a file, Majlis removes the "
        "location, device and time data stored in it. It cannot remove what the file itself shows "
        "or says: faces, places, voices, names on paper. Look at every picture before you send it."
    ) % {"count": settings.MAJLIS_ATTACHMENTS_PER_MESSAGE, "accepted": kinds.accepted_text()}


class _MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Zero or more uploaded files, as a list (the widget allows several)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Files"))
        kwargs.setdefault("help_text", lazy(_help_text, str)())
        kwargs.setdefault("widget", _MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(AttachmentsField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class RemoveField(forms.MultipleChoiceField):
    """Which of a post's files to take off (their public ids)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Remove these files"))
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(**kwargs)
