"""Display names: pseudonyms that cannot impersonate one another.

A name is NFKC-normalised and compared after case-folding, so "Layla", "LAYLA" and the
full-width "Ｌａｙｌａ" are one name. Invisible characters (controls, format and bidi
marks) are refused anywhere, and a word may not mix scripts, so a Cyrillic "а" cannot
pass for a Latin "a".
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_LENGTH = 40
# Unicode general categories that render as nothing or reorder text.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}
_WORD_JOINERS = {"-", "_", ".", "'"}


def _script(char: str) -> str | None:
    """The script of a letter, from its Unicode name ("CYRILLIC SMALL LETTER A")."""
    if not unicodedata.category(char).startswith("L"):
        return None
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else None


def _words(name: str) -> list[str]:
    word, words = [], []
    for char in name:
        if char == " " or char in _WORD_JOINERS:
            words.append("".join(word))
            word = []
        else:
            word.append(char)
    words.append("".join(word))
    return [w for w in words if w]


def normalise_display_name(raw: str) -> str:
    """Return the stored form of a display name, or raise ValidationError."""
    name = unicodedata.normalize("NFKC", raw or "")
    if any(unicodedata.category(char) in _INVISIBLE_CATEGORIES for char in name):
        raise ValidationError(
            _("A display name cannot contain invisible, control or text-direction characters."),
            code="invisible",
        )
    # Any other space (no-break, ideographic, …) counts as one plain space.
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("Please choose a display name."), code="empty")
    if len(name) > MAX_LENGTH:
        raise ValidationError(
            _("A display name can have at most %(max)d characters.") % {"max": MAX_LENGTH},
            code="too_long",
        )
    for char in name:
        category = unicodedata.category(char)
        if not (category[0] in "LMN" or char == " " or char in _WORD_JOINERS):
            raise ValidationError(
                _("A display name can contain letters, digits, spaces and - _ . ' only."),
                code="symbol",
            )
    for word in _words(name):
        scripts = {s for s in map(_script, word) if s}
        if len(scripts) > 1:
            raise ValidationError(
                _("Each word of a display name must be written in one alphabet."),
                code="mixed_scripts",
            )
    return name


def display_name_key(name: str) -> str:
    """The form two names are compared in: equal keys mean the same name."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
