"""Phrases on PostgreSQL are looked up through the word-pair index (search/pairs.py): it
must narrow a phrase search to the rows holding its pairs, and never lose a row whose text
holds the phrase. The same phrases find the same posts on SQLite, which needs no pairs."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum.services.content import reply, start_thread
from search import pairs
from search.analyser import tokens
from search.query import parse
from search.selectors import Filters, search
from tests.search.conftest import find

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the pair index is PostgreSQL's")
WORDS = ["محكمة", "والمحكمة", "شاهد", "الشهود", "تقرير", "بالتقرير", "court", "courts", "witness", "report", "٢٠٢٦", "7"]


def test_only_a_clause_made_of_phrases_narrows():
    assert pairs.tsquery(parse("court witness").positive) is None
    assert pairs.tsquery(parse('"court witness"').positive) == f"(('{pairs.pair('court', 'wit')}'))"
    assert pairs.tsquery(parse('"a b c" -"d e"').positive) == (
        f"(('{pairs.pair('a', 'b')}' & '{pairs.pair('b', 'c')}'))"
    )
    # A phrase OR a word: the word alone may match anywhere, so the clause cannot narrow.
    assert pairs.tsquery(parse('"court witness" or report').positive) is None


@on_postgresql
def test_the_database_makes_the_pairs_python_asks_for(db):
    text = " ".join(tokens("The witnesses والمحكمة قالت ٢٠٢٦ court 7 witness"))
    words = text.split(" ")
    with connection.cursor() as cursor:
        cursor.execute("SELECT tsvector_to_array(search_word_pairs(%s))", [text])
        made = set(cursor.fetchone()[0])
        cursor.execute("SELECT search_word_pairs(''), search_word_pairs('one')")
        assert cursor.fetchone() == ("", "")
    assert made == {pairs.pair(a, b) for a, b in zip(words, words[1:])}


def test_every_phrase_a_text_holds_is_found(db, make_member, members_group_and_place):
    author, category = members_group_and_place
    rng = random.Random(7)
    thread = start_thread(author=author, category=category, title="Phrases", body="opening")
    texts = {}
    for _ in range(40):
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12)))
        texts[reply(author=author, thread=thread, body=body).public_id] = tokens(body)
    reader = make_member("reader")
    for _ in range(40):
        source = rng.choice(list(texts.values()))
        start = rng.randrange(len(source) - 1)
        phrase = source[start:start + rng.choice([2, 3])]
        holding = {pk for pk, words in texts.items()
                   if any(words[i:i + len(phrase)] == phrase for i in range(len(words)))}
        assert set(find(reader, '"' + " ".join(phrase) + '"')) == holding, phrase


@on_postgresql
def test_a_phrase_is_looked_up_in_the_pair_index(db, make_member, members_group_and_place):
    author, category = members_group_and_place
    start_thread(author=author, category=category, title="Phrases", body="the court heard the witness")
    reader = make_member("reader")
    for text, narrowed in (('"court heard"', True), ("court heard", False)):
        with CaptureQueriesContext(connection) as captured:
            search(reader, parse(text), Filters(), offset=0, limit=20)
        statement = next(q["sql"] for q in captured.captured_queries if "to_tsquery" in q["sql"])
        assert ("pair_vector" in statement) is narrowed, text
