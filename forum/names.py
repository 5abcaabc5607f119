"""Display names: pseudonyms that cannot impersonate one another.

A name is NFKC-normalised and compared after case-folding, so "Layla", "LAYLA" and the
full-width "Ｌａｙｌａ" are one name. Invisible characters (controls, format and bidi
marks) are refused anywhere, and a word may not mix scripts, so a Cyrillic "а" cannot
pass for a Latin "a".

This module imports without Django: mentions are found with `display_name_key`
(forum.mentions), and the sanitiser that links them must import without Django. So
Django comes in only where a name is refused (`_refused`).
"""

import unicodedata

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


def _refused(code: str):
    """The ValidationError for one way a display name is refused."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    messages = {
        "invisible": _("A display name cannot contain invisible, control or text-direction characters."),
        "empty": _("Please choose a display name."),
        "too_long": _("A display name can have at most %(max)d characters.") % {"max": MAX_LENGTH},
        "symbol": _("A display name can contain letters, digits, spaces and - _ . ' only."),
        "mixed_scripts": _("Each word of a display name must be written in one alphabet."),
    }
    return ValidationError(messages[code], code=code)


def normalise_display_name(raw: str) -> str:
    """Return the stored form of a display name, or raise ValidationError."""
    name = unicodedata.normalize("NFKC", raw or "")
    if any(unicodedata.category(char) in _INVISIBLE_CATEGORIES for char in name):
        raise _refused("invisible")
    # Any other space (no-break, ideographic, …) counts as one plain space.
    name = " ".join(name.split())
    if not name:
        raise _refused("empty")
    if len(name) > MAX_LENGTH:
        raise _refused("too_long")
    for char in name:
        category = unicodedata.category(char)
        if not (category[0] in "LMN" or char == " " or char in _WORD_JOINERS):
            raise _refused("symbol")
    for word in _words(name):
        scripts = {s for s in map(_script, word) if s}
        if len(scripts) > 1:
            raise _refused("mixed_scripts")
    return name


def display_name_key(name: str) -> str:
    """The form two names are compared in: equal keys mean the same name (and a mention
    of a name finds its member by this key)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
