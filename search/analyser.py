"""The one analyser: text → search tokens, for indexing and for queries alike.

Both backends index what this module writes (PostgreSQL as a `simple` tsvector, SQLite
in FTS5) and are asked with what it makes of the query, so Arabic spelled three ways,
with or without its vowel marks, finds the same words on either backend.

1. Normalise: NFKC; case-fold; drop every combining mark (tashkeel, the hamza and madda
   written above or below a letter, Latin accents) and every format character (tatweel
   is handled as a letter below; zero-width joiners, direction marks); unify the alef
   forms (أ إ آ ٱ → ا), ى → ي, ة → ه, ؤ → و, ئ → ي; Persian and Urdu look-alikes (ی ک ە
   ۀ ہ) → Arabic; Arabic-Indic and Persian digits → ASCII.
2. Split into words: runs of letters and digits.
3. Stem: Arabic words by the light stemmer below, Latin words by Snowball English
   (PyStemmer); anything else as it is.

Why our own Arabic stemmer and not Snowball's: Snowball Arabic stems inconsistently for
search. It strips "ال" but not "وال" (والكتاب stays whole while الكتاب → كتاب), strips
the prefix of فالمعلمون only partly, and cuts انتهاك to انت while الانتهاكات becomes
انتهاك, so a word does not find its own plural. A light stemmer of the kind Larkey,
Ballesteros and Connell measured ("light10": a fixed list of prefixes, then of suffixes,
never leaving fewer than two letters) is predictable, and the pairs it must join are
tested both ways (tests/search/test_arabic_variants.py).

The hamza seat: writers spell the same word مسؤول and مسئول. Indexing folds ؤ → و and
ئ → ي (as most writers do who drop the hamza: مؤتمر typed موتمر), so the two spellings
index differently; a query word carrying ؤ or ئ is therefore also looked up with the
other seat (`query_variants`), which joins them without merging distinct words in the
index.
"""

import re
import unicodedata
from functools import lru_cache

import Stemmer

MAX_TOKEN = 64  # longer "words" (a pasted hash, a URL) are cut, identically everywhere

_FOLD = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ى": "ي", "ی": "ي", "ې": "ي", "ۍ": "ي", "ێ": "ي",
    "ة": "ه", "ە": "ه", "ۀ": "ه", "ہ": "ه", "ۃ": "ه",
    "ؤ": "و", "ئ": "ي",
    "ک": "ك", "ڪ": "ك",
    **{chr(0x0660 + n): str(n) for n in range(10)},  # Arabic-Indic digits
    **{chr(0x06F0 + n): str(n) for n in range(10)},  # Persian (Eastern Arabic-Indic)
})
TATWEEL = "\u0640"

# The seat a hamza sits on, and the other seat writers use for the same word.
_OTHER_SEAT = {"ؤ": "ئ", "ئ": "ؤ"}
MAX_VARIANTS = 4

# light10's lists, in the normalised spelling (ة is already ه). Prefixes are tried
# longest first; "و" alone only when the word stays at least three letters long.
_PREFIXES = ("وال", "فال", "بال", "كال", "ولل", "لل", "ال")
_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")

_WORD = re.compile(r"[^\W_]+")
_ARABIC = re.compile(r"[\u0600-\u06FF]")
_LATIN = re.compile(r"[a-z]")


def normalise(text: str) -> str:
    """Step 1 of the module's docstring; the text keeps its spaces and punctuation."""
    text = _fold(unicodedata.normalize("NFKC", text).casefold())
    # Decompose to find the marks: أ is ا with a hamza above, é is e with an accent.
    kept = _unmarked().sub("", unicodedata.normalize("NFD", text))
    if _BEYOND_FIRST_PLANE.search(kept):  # rare: those are asked char by char
        kept = "".join(char for char in kept if unicodedata.category(char) not in _DROPPED)
    return _fold(unicodedata.normalize("NFC", kept))


# Done with C's loops rather than Python's: `str.translate` with a mapping, or asking
# each character's category, cost most of the time indexing a post takes (0.3 ms for
# 80 words; now 0.03).
_FOLD_EACH = tuple((chr(code), letter) for code, letter in _FOLD.items())  # no letter is a key: one pass
_DROPPED = ("Mn", "Me", "Cf")  # combining and enclosing marks, format characters
_BEYOND_FIRST_PLANE = re.compile("[\U00010000-\U0010FFFF]")


def _fold(text: str) -> str:
    for char, letter in _FOLD_EACH:
        if char in text:
            text = text.replace(char, letter)
    return text


@lru_cache(maxsize=1)
def _unmarked() -> re.Pattern:
    """Tatweel and every mark and format character of Unicode's first plane (made once)."""
    dropped = [chr(code) for code in range(0x10000) if unicodedata.category(chr(code)) in _DROPPED]
    return re.compile("[" + "".join(re.escape(char) for char in [TATWEEL, *dropped]) + "]")


def words(text: str) -> list[str]:
    """The normalised words of a text, unstemmed (what a phrase is made of)."""
    return [word[:MAX_TOKEN] for word in _WORD.findall(normalise(text))]


def tokens(text: str) -> list[str]:
    """The search tokens of a text, in order: what is indexed and what is looked up."""
    return [stem(word) for word in words(text)]


def analyse(text: str) -> str:
    """The indexed form of a text: its tokens, separated by single spaces."""
    return " ".join(tokens(text))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """One normalised word's stem (cached: a forum's vocabulary is small)."""
    if _ARABIC.search(word):
        return stem_arabic(word)
    if _LATIN.search(word) and word.isalpha():
        return _english().stemWord(word)
    return word


def stem_arabic(word: str) -> str:
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            word = word[len(prefix):]
            break
    else:
        if word.startswith("و") and len(word) >= 4:
            word = word[1:]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            word = word[: -len(suffix)]
    return word


def query_variants(chunk: str) -> list[list[str]]:
    """The token sequences a query's chunk of text is looked up as: its own, and where it
    carries a hamza on a seat (ؤ, ئ), the sequence with the other seat too (the module's
    docstring). Empty when the chunk holds no word at all."""
    spellings = [unicodedata.normalize("NFC", chunk)]
    for position, char in enumerate(spellings[0]):
        if char in _OTHER_SEAT and len(spellings) < MAX_VARIANTS:
            spellings += [s[:position] + _OTHER_SEAT[char] + s[position + 1:] for s in spellings]
    found: list[list[str]] = []
    for spelling in spellings[:MAX_VARIANTS]:
        sequence = tokens(spelling)
        if sequence and sequence not in found:
            found.append(sequence)
    return found


@lru_cache(maxsize=1)
def _english():
    return Stemmer.Stemmer("english")
