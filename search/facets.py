"""Facets: what a search is narrowed by, indexed beside a text's words.

Each indexed row carries a few facet tokens in a column of its own (FTS5's `facets`
column; PostgreSQL's `facet_vector`): its place (`c12` a category, `r3` a room), its
author (`a7`, `a0` for a former member) and its month (`d202612`). A search narrowed to
a place, an author or dates asks the full-text index for its words AND those facets, so
the engine intersects two short lists in C instead of the database reading row after
row of a common word to find the few that pass.

Who may see a row is not a facet: the search checks every hit against the post or
message as it is now (search/selectors.py). A facet that fell behind a change could
hide a result, never show one; the services keep them in step (search/index.py:
`refresh_thread` after a thread moves).
"""

from dataclasses import dataclass
from datetime import date

MAX_MONTHS = 36  # a longer date range is checked on the rows alone


def month(moment) -> str:
    return f"d{moment:%Y%m}"


def post_facets(post, thread) -> str:
    return " ".join((f"c{thread.category_id}", f"a{post.author_id or 0}", month(post.created_at)))


def message_facets(message) -> str:
    return " ".join((f"r{message.room_id}", f"a{message.author_id or 0}", month(message.created)))


def months_between(since: date | None, until: date | None) -> list[str] | None:
    """The month tokens of a date range, or None when the range is open or too long."""
    if since is None or until is None:
        return None
    months, (year, number) = [], (since.year, since.month)
    while (year, number) <= (until.year, until.month):
        months.append(f"d{year:04d}{number:02d}")
        if len(months) > MAX_MONTHS:
            return None
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return months


@dataclass(frozen=True)
class Facets:
    """A condition on facets, written for either engine: one of `tokens` or of `any_of`,
    or, when `all_of` is given, every one of its parts."""

    tokens: tuple[str, ...] = ()
    all_of: tuple["Facets", ...] = ()
    any_of: tuple["Facets", ...] = ()

    def fts5(self) -> str:
        if self.all_of:
            return "(" + " AND ".join(part.fts5() for part in self.all_of) + ")"
        parts = [f'"{token}"' for token in self.tokens] + [part.fts5() for part in self.any_of]
        return "(" + " OR ".join(parts) + ")"

    def tsquery(self) -> str:
        if self.all_of:
            return "(" + " & ".join(part.tsquery() for part in self.all_of) + ")"
        parts = [f"'{token}'" for token in self.tokens] + [part.tsquery() for part in self.any_of]
        return "(" + " | ".join(parts) + ")"

    @property
    def empty(self) -> bool:
        return not self.tokens and not self.all_of and not self.any_of


def one_of(prefix: str, ids) -> Facets:
    return Facets(tokens=tuple(f"{prefix}{pk}" for pk in ids))


def every(*parts: Facets) -> Facets:
    return Facets(all_of=tuple(parts))


def either(*parts: Facets) -> Facets:
    return Facets(any_of=tuple(parts))
