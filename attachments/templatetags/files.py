"""`{{ file.size|size }}`: a file's size as the reader writes numbers ("1.4 MB", "١٫٤ ميغابايت"),
exactly as the pages' client writes it (static/js/files.js, Intl.NumberFormat with one
decimal at most): a picture that arrives live reads like one rendered here."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.translation import get_language, gettext

register = template.Library()

ARABIC_INDIC = str.maketrans("0123456789.", "٠١٢٣٤٥٦٧٨٩٫")
KIB = 1024


@register.filter
def size(value) -> str:
    try:
        count = max(0, int(value))
    except (TypeError, ValueError):
        return ""
    if count < KIB:
        return gettext("%(size)s bytes") % {"size": _number(count)}
    if count < KIB * KIB:
        return gettext("%(size)s KB") % {"size": _number(Decimal(count) / KIB)}
    return gettext("%(size)s MB") % {"size": _number(Decimal(count) / KIB / KIB)}


def _number(value) -> str:
    """One decimal at most, halves rounded up (as Intl.NumberFormat does)."""
    text = str(Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)).removesuffix(".0")
    return text.translate(ARABIC_INDIC) if (get_language() or "").startswith("ar") else text
