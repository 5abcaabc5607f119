"""Finding `@display name` mentions in text. Pure Python: the sanitiser uses it too.

Display names may hold spaces ("Layla from Aden"), so after each "@" the longest run of
up to four words that is a known name wins. Names compare NFKC-normalised and
case-folded, as display names are stored (forum.names).
"""

import re
import unicodedata
from collections.abc import Iterator

MAX_WORDS = 4
MAX_MENTIONS = 20
# At most this many "@" are looked at in one text: a storm costs bounded work.
MAX_SCANNED = 200
_WORD = re.compile(r"[^\s@]+")
_TRAILING = ".,;:!?،؛؟)»\"'"


def name_key(name: str) -> str:
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def candidates(text: str) -> Iterator[tuple[int, list[tuple[int, str]]]]:
    """For each "@" that may start a mention: its offset and (end offset, key) options,
    longest first."""
    for count, match in enumerate(re.finditer(r"(?<![\w@])@", text)):
        if count >= MAX_SCANNED:
            return
        position, options = match.end(), []
        for _ in range(MAX_WORDS):
            word = _WORD.match(text, position)
            if word is None:
                break
            end = word.end()
            stripped_end = end
            while stripped_end > word.start() and text[stripped_end - 1] in _TRAILING:
                stripped_end -= 1
            if stripped_end > match.end():
                options.append((stripped_end, name_key(text[match.end():stripped_end])))
            if text[end:end + 1] != " ":
                break
            position = end + 1
        if options:
            yield match.start(), list(reversed(options))


def find_mentions(text: str, known: dict[str, object]) -> list[tuple[int, int, str]]:
    """(start, end, key) of each mention of a known name, in order, no overlaps."""
    found, last_end = [], -1
    for start, options in candidates(text):
        if start < last_end:
            continue
        for end, key in options:
            if key in known:
                found.append((start, end, key))
                last_end = end
                break
    return found
