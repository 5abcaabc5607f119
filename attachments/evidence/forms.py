""""Keep the original as evidence" on the upload forms of posts (new thread, reply, edit).

`offer(form, place)` adds the fields where the place keeps evidence and the key is set:
`keep_original`, `keep_after_leaving` and `original_sha256` (hidden, one per file in order,
filled by static/js/evidence-hash.js with the SHA-256 the browser computed). Elsewhere the
form has none of them, and `keep_request_from` refuses a request that asks all the same.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from attachments.evidence.checks import offers_keeping
from attachments.evidence.keeping import KeepRequest, keep_request

FINGERPRINTS = "original_sha256"
TICKED = ("1", "on", "true", "yes")


class _Fingerprints(forms.MultipleHiddenInput):
    def format_value(self, value):
        return []  # computed afresh for the files chosen, never sent back with a refused form


class FingerprintsField(forms.Field):
    widget = _Fingerprints

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        if not value:
            return []
        return [str(item)[:80] for item in (value if isinstance(value, (list, tuple)) else [value])][:100]


def _fields() -> dict[str, forms.Field]:
    return {
        "keep_original": forms.BooleanField(
            required=False, label=_("Keep the original as evidence"),
            help_text=_(
                "Everyone here gets the cleaned copy. With this ticked, the file exactly as you send it, "
                "with its location, device and time data, is also kept, encrypted. Only the people named "
                "to handle evidence in this place can open it, and each opening is logged with its reason. "
                "Your device computes its fingerprint before sending, so anyone can check it was never changed."
            ),
        ),
        "keep_after_leaving": forms.BooleanField(
            required=False, label=_("Keep the original even if I delete my account"),
            help_text=_(
                "Unticked, the original is deleted with your account. Ticked, it stays in the evidence "
                "locker under “former member”, without your name."
            ),
        ),
        FINGERPRINTS: FingerprintsField(),
    }


def offer(form: forms.Form, place) -> forms.Form:
    """The form, with the evidence fields after `attachments` when the place offers them."""
    form.offers_evidence = offers_keeping(place)
    if form.offers_evidence:
        fields = {}
        for name, field in form.fields.items():
            fields[name] = field
            if name == "attachments":
                fields.update(_fields())
                field.widget.attrs["data-fingerprints"] = FINGERPRINTS
        form.fields = fields
    return form


def keep_request_from(form: forms.Form, place) -> KeepRequest | None:
    """What a valid form asked (BadRequest when it asked where nothing is offered)."""
    if getattr(form, "offers_evidence", False):
        data = form.cleaned_data
        return keep_request(place, keep=data["keep_original"], hashes=data[FINGERPRINTS],
                            survive=data["keep_after_leaving"])
    # Not offered here: a client that asks all the same is refused, not silently ignored.
    return keep_request(place, keep=str(form.data.get("keep_original", "")).lower() in TICKED)


def keep_request_from_post(post, place) -> KeepRequest | None:
    """The same fields sent with a room upload (POST /rooms/<slug>/files/)."""
    return keep_request(
        place, keep=str(post.get("keep_original", "")).lower() in TICKED,
        hashes=post.getlist(FINGERPRINTS), survive=str(post.get("keep_after_leaving", "")).lower() in TICKED,
    )
