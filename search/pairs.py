"""Word pairs: PostgreSQL's shortcut to a phrase.

GIN knows which rows hold a word, not where: for `"word word"` PostgreSQL fetches every
row holding both words and reads its positions. Two common words share a third of the
texts, so a phrase cost as much as reading the table (a p95 of 200 ms over 100,000 posts).
So each row also carries its adjacent pairs of analysed tokens, each hashed to a short
lexeme, in a `pair_vector` column with a GIN index of its own; a phrase asks that index
for its pairs first, and only the few rows holding them are read for the exact phrase.

The pairs are made by the database from the same `analysed` text as `vector` (a generated
column), so they cannot fall out of step. They only narrow: the phrase itself is still
matched against `vector`, so a hash collision costs a row read, never a wrong result, and
both backends find the same rows. The tokens are split on the spaces `analyse` writes,
each of which PostgreSQL's parser reads as one lexeme (letters and digits only), so a
pair is adjacent here exactly when it is adjacent in `vector`.
"""

import hashlib

from search.models import FTS_TABLES

PREFIX, LENGTH = "p", 12  # 48 bits of MD5: collisions narrow a little less, nothing more

# IMMUTABLE: a generated column may only call such functions (it depends on its input alone).
# The words and the words after them are zipped by a two-array `unnest` (a window
# function's `lead` cost a third more; migration 0003 replaced it: the same lexemes).
_FUNCTION = f"""
CREATE OR REPLACE FUNCTION search_word_pairs(analysed text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_to_tsvector(array_agg(DISTINCT '{PREFIX}' || left(md5(first || ' ' || second), {LENGTH}))),
                  ''::tsvector)
  FROM unnest(string_to_array(analysed, ' '), (string_to_array(analysed, ' '))[2:]) AS pairs(first, second)
  WHERE first <> '' AND second <> ''
$$
"""


def pair(first: str, second: str) -> str:
    """The lexeme of two adjacent tokens, as `search_word_pairs` writes it."""
    return PREFIX + hashlib.md5(f"{first} {second}".encode()).hexdigest()[:LENGTH]


def tsquery(clauses) -> str | None:
    """What a row must hold for the query's phrases, as a tsquery (cast, not parsed), or
    None when no clause needs a phrase: a clause narrows only when every one of its
    alternatives is a phrase (a single word among them could match anywhere)."""
    parts = []
    for clause in clauses:
        if not all(len(sequence) > 1 for sequence in clause.alternatives):
            continue
        parts.append("(" + " | ".join(
            "(" + " & ".join(f"'{pair(a, b)}'" for a, b in zip(sequence, sequence[1:])) + ")"
            for sequence in clause.alternatives
        ) + ")")
    return " & ".join(parts) if parts else None


def replace_pair_function(db) -> None:
    if db.vendor == "postgresql":
        with db.cursor() as cursor:
            cursor.execute(_FUNCTION)


def create_pair_index(db) -> None:
    if db.vendor != "postgresql":
        return
    with db.cursor() as cursor:
        cursor.execute(_FUNCTION)
        for model in FTS_TABLES:
            table = model._meta.db_table
            cursor.execute(f"ALTER TABLE {table} ADD COLUMN pair_vector tsvector "
                           "GENERATED ALWAYS AS (search_word_pairs(analysed)) STORED")
            cursor.execute(f"CREATE INDEX {table}_pair_vector ON {table} USING GIN (pair_vector)")
            # No parallel workers for a search: on a small server the workers' start and
            # their competition for the cores cost more than they save (p95 ×1.5 measured),
            # and a forum runs many short searches at once, not one long one.
            cursor.execute(f"ALTER TABLE {table} SET (parallel_workers = 0)")


def drop_pair_index(db) -> None:
    if db.vendor != "postgresql":
        return
    with db.cursor() as cursor:
        for model in FTS_TABLES:
            cursor.execute(f"ALTER TABLE {model._meta.db_table} DROP COLUMN IF EXISTS pair_vector")
            cursor.execute(f"ALTER TABLE {model._meta.db_table} RESET (parallel_workers)")
        cursor.execute("DROP FUNCTION IF EXISTS search_word_pairs(text)")
