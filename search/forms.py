from django import forms
from django.utils.translation import gettext_lazy as _

from search.query import MAX_QUERY
from search.selectors import MESSAGES, THREADS, Filters


class SearchForm(forms.Form):
    """The search page's GET fields (`q`, `in`, `author` are DESIGN.md's contract)."""

    q = forms.CharField(label=_("Search for"), required=False, strip=True)
    place = forms.SlugField(label=_("In"), required=False)  # read from `in`, a Python keyword
    author = forms.CharField(label=_("By (display name)"), required=False, max_length=40)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    type = forms.ChoiceField(label=_("Show"), required=False, choices=[
        ("", _("Threads and messages")), (THREADS, _("Threads only")), (MESSAGES, _("Messages only")),
    ])
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000, widget=forms.HiddenInput)

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            data["place"] = data.get("in", "")
            data["q"] = data.get("q", "")[:MAX_QUERY].replace("\x00", "")  # not worth refusing
        super().__init__(data, *args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the dates comes before their start."))
        return cleaned

    def filters(self, author_id: int | None) -> Filters:
        data = self.cleaned_data
        return Filters(place=data["place"], author_id=author_id, since=data["since"], until=data["until"],
                       kind=data["type"])
