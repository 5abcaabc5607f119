"""A member's query, parsed once and written for each backend.

The syntax is the web-search one members know (and PostgreSQL's `websearch_to_tsquery`
reads): words must all be present, `"a quoted phrase"` in that order, `-word` must be
absent, `word or word` either. We parse it ourselves instead of handing the text to
`websearch_to_tsquery` and to FTS5, because the two would read the same text differently
(FTS5 has operators of its own: NEAR, `*`, column filters) and because every word must
first pass through the analyser, with its hamza variants as alternatives. Both
renderings are built only from analysed tokens, which are letters and digits: nothing a
member types can reach either engine's syntax.
"""

import re
from dataclasses import dataclass

from search.analyser import query_variants

MAX_QUERY = 500  # characters read; a longer query is cut, not refused
MAX_CLAUSES = 12
_CHUNK = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_OR = {"or", "أو", "او"}


@dataclass(frozen=True)
class Clause:
    alternatives: tuple[tuple[str, ...], ...]  # token sequences; more than one token: a phrase
    negated: bool = False


@dataclass(frozen=True)
class Query:
    clauses: tuple[Clause, ...]

    @property
    def positive(self) -> list[Clause]:
        return [clause for clause in self.clauses if not clause.negated]

    @property
    def tokens(self) -> set[str]:
        """Every token that counts as a hit, for highlighting."""
        return {token for clause in self.positive for sequence in clause.alternatives for token in sequence}

    def fts5(self) -> str:
        """The query in FTS5's syntax: every token a quoted string."""
        def clause(c: Clause) -> str:
            return "(" + " OR ".join('"' + " ".join(seq) + '"' for seq in c.alternatives) + ")"

        text = " AND ".join(clause(c) for c in self.positive)
        negated = [clause(c) for c in self.clauses if c.negated]
        return f"({text}) NOT ({' OR '.join(negated)})" if negated else text

    def tsquery(self) -> str:
        """The query for PostgreSQL's `to_tsquery('simple', …)`: every token quoted."""
        def sequence(seq: tuple[str, ...]) -> str:
            return " <-> ".join(f"'{token}'" for token in seq)

        def clause(c: Clause) -> str:
            return "(" + " | ".join(sequence(seq) for seq in c.alternatives) + ")"

        parts = [clause(c) for c in self.positive]
        parts += ["!" + clause(c) for c in self.clauses if c.negated]
        return " & ".join(parts)


def parse(text: str) -> Query | None:
    """The query, or None when it asks for nothing (no word, or only words to exclude)."""
    clauses: list[Clause] = []
    join_next = False
    for negated, quoted, bare in _CHUNK.findall(text[:MAX_QUERY]):
        chunk = quoted if quoted else bare
        is_negated = bool(negated) or (bare.startswith("-") and len(bare) > 1)
        if bare and bare.startswith("-"):
            chunk = bare[1:]
        if not quoted and chunk.casefold() in _OR and clauses and not clauses[-1].negated:
            join_next = True
            continue
        alternatives = tuple(tuple(seq) for seq in query_variants(chunk))
        if not alternatives:
            continue
        clause = Clause(alternatives, is_negated)
        if join_next and not is_negated:
            previous = clauses.pop()
            clause = Clause(previous.alternatives + tuple(a for a in alternatives if a not in previous.alternatives))
        join_next = False
        clauses.append(clause)
        if len(clauses) >= MAX_CLAUSES:
            break
    query = Query(tuple(clauses))
    return query if query.positive else None
