"""The few words around a hit, with the hits marked, cut from the text a reader sees.

Built here in Python from the same analyser as the index, for both backends: a word is
marked when one of its tokens is one the query looks for, so "المسئولين" is marked for
a search of "مسؤول", which `ts_headline` (reading the original text with PostgreSQL's own
parser) could not do, and SQLite and PostgreSQL show the same snippet.
"""

import re
from functools import lru_cache

from forum.sanitiser import highlighted
from search.analyser import tokens

WORDS_SHOWN = 32
WORDS_BEFORE = 8
# A word as written: letters, digits and what sits inside a word (tashkeel, tatweel, the
# zero-width joiners Persian spelling uses, combining accents).
_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036F\u0610-\u061A\u0640\u064B-\u065F\u0670\u06D6-\u06ED\u200C\u200D])+")


def snippet(text: str, wanted: set[str]) -> str:
    """Up to WORDS_SHOWN words of `text`, starting a little before the first hit."""
    spans = [(match.start(), match.end()) for match in _WORD.finditer(text)]
    if not spans:
        return highlighted([])
    # Words are analysed up to the first hit and then within the window: a long post costs
    # no more than its beginning.
    first_hit = next((i for i, (start, end) in enumerate(spans) if _is_hit(text[start:end], wanted)), None)
    first = max(0, first_hit - WORDS_BEFORE) if first_hit is not None else 0
    last = min(len(spans), first + WORDS_SHOWN)
    hit_set = {i for i in range(first, last) if _is_hit(text[spans[i][0]:spans[i][1]], wanted)}
    pieces: list[tuple[str, bool]] = [("… ", False)] if first else []
    cursor = spans[first][0]
    for i in range(first, last):
        start, end = spans[i]
        if start > cursor:
            pieces.append((" " if "\n" in text[cursor:start] else text[cursor:start], False))
        pieces.append((text[start:end], i in hit_set))
        cursor = end
    if last < len(spans):
        pieces.append((" …", False))
    return highlighted(pieces)


def _is_hit(word: str, wanted: set[str]) -> bool:
    return not wanted.isdisjoint(_tokens_of(word))


@lru_cache(maxsize=65536)
def _tokens_of(word: str) -> tuple[str, ...]:
    return tuple(tokens(word))
