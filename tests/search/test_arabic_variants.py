"""Arabic as it is written: every spelling of a word finds the others, on either backend.

Each pair is two spellings members use for the same word (DESIGN.md, Search; issue 15).
Every word is posted on its own, then each spelling is searched for and must find the
post of the other, both ways, through the real index and the real SQL.
"""

import pytest

from forum.services.content import reply, start_thread
from search.analyser import analyse, query_variants
from tests.search.conftest import find

PAIRS = [
    # hamza on its seat, and left out
    ("المسؤولين", "المسئولين"),
    ("مسؤول", "مسئول"),
    ("مؤتمر", "موتمر"),
    ("رئيس", "رييس"),
    # alef forms
    ("أحمد", "احمد"),
    ("إعتقال", "اعتقال"),
    ("آمنة", "امنة"),
    ("ٱلحرية", "الحرية"),
    ("إنسان", "انسان"),
    # ta marbuta
    ("مدرسة", "مدرسه"),
    ("محكمة", "محكمه"),
    # alef maqsura
    ("مصطفى", "مصطفي"),
    ("مستشفى", "مستشفي"),
    # tashkeel
    ("مُدَرِّسَة", "مدرسة"),
    ("الحُرِّيَّة", "الحرية"),
    # tatweel
    ("كتــــاب", "كتاب"),
    ("صنعـــاء", "صنعاء"),
    # Persian and Urdu letters
    ("یمن", "يمن"),
    ("کتاب", "كتاب"),
    ("لیلی", "ليلى"),
    # digits
    ("٢٠٢٤", "2024"),
    ("۱۴۴۵", "1445"),
    # prefixes: و، ال، بال، وال، لل، فال
    ("والمسؤولين", "المسؤولين"),
    ("الانتهاك", "انتهاك"),
    ("بالمدرسة", "مدرسة"),
    ("والحرية", "الحرية"),
    ("وصنعاء", "صنعاء"),
    ("للمحكمة", "المحكمة"),
    ("فالمعلمون", "المعلمون"),
    # plural and other suffixes
    ("الانتهاكات", "انتهاك"),
    ("المعتقلين", "معتقل"),
    ("معتقلون", "معتقل"),
    ("المعلمات", "معلمة"),
    # Latin: case, English stemming, full-width forms
    ("Violations", "violation"),
    ("DETAINED", "detained"),
    ("Ｓａｎａａ", "Sanaa"),
]


def _hits_of(word: str) -> set[str]:
    return {token for sequence in query_variants(word) for token in sequence}


def test_the_table_is_the_issue_s_size():
    assert len(PAIRS) >= 30


@pytest.mark.parametrize(("one", "other"), PAIRS)
def test_each_spelling_is_looked_up_as_a_token_of_the_other(one, other):
    assert analyse(other) in _hits_of(one)
    assert analyse(one) in _hits_of(other)


def test_words_that_differ_stay_apart():
    # Light stemming joins spellings, not meanings.
    for one, other in [("كتاب", "مكتب"), ("محكمة", "حكم"), ("detained", "detail"), ("مدرسة", "درس")]:
        assert analyse(one) != analyse(other)


def test_every_spelling_finds_the_post_written_with_the_other_both_ways(db, make_member, members_group_and_place):
    author, category = members_group_and_place
    thread = start_thread(author=author, category=category, title="Spellings", body="Each reply is one word.")
    posts = {}
    for word in dict.fromkeys(word for pair in PAIRS for word in pair):
        posts[word] = reply(author=author, thread=thread, body=f"{word}").public_id
    reader = make_member("reader")
    missing = []
    for one, other in PAIRS:
        if posts[other] not in find(reader, one):
            missing.append(f"{one} → {other}")
        if posts[one] not in find(reader, other):
            missing.append(f"{other} → {one}")
    assert not missing


def test_every_mark_and_format_character_goes_whatever_its_plane():
    """The analyser drops marks through a table of the first plane and asks the rest one
    by one (search/analyser.py): both together drop exactly what the definition says, for
    every code point there is, and keep everything else."""
    import unicodedata

    from search.analyser import _FOLD as FOLD
    from search.analyser import TATWEEL, normalise

    def by_definition(text: str) -> str:
        text = unicodedata.normalize("NFKC", text).casefold()
        decomposed = unicodedata.normalize("NFD", text.translate(FOLD))
        kept = "".join(c for c in decomposed if c != TATWEEL and unicodedata.category(c) not in ("Mn", "Me", "Cf"))
        return unicodedata.normalize("NFC", kept).translate(FOLD)

    every = "".join(chr(code) for code in range(0x110000) if not 0xD800 <= code <= 0xDFFF)
    for start in range(0, len(every), 4096):
        chunk = every[start:start + 4096]
        assert normalise(chunk) == by_definition(chunk), hex(ord(chunk[0]))
    for written in ("مَسْؤُولِينَ", "ـــالمـدرسـة", "é\u200d\u200cx\U000E0001y\U0001D167z", "Straße", "ﻻ ﷺ"):
        assert normalise(written) == by_definition(written)
