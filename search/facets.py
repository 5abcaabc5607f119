"""Facets and columns: what a search is narrowed by, stored beside a text's words.

SQLite: each indexed row carries a few facet tokens in FTS5's `facets` column: its place
(`c12` a category, `r3` a room), its author (`a7`, `a0` for a former member) and its
month (`d202612`). A search narrowed to a place, an author or dates asks FTS5 for its
words AND those facets, so the engine intersects two short lists in C instead of reading
row after row of a common word to find the few that pass.

PostgreSQL: the same in plain columns of the text tables (`place`, `author`, `created`,
with B-tree indexes), and who may find a post (`visibility`, `owner`): a search reads the
newest matching rows the searcher may find from the text table alone and joins the posts
and messages only for those (search/selectors.py). A common word's thousands of rows
then cost no lookup of their post and thread each (warm p95 41 → 31 ms: bench/README.md).

Either way the search then checks every hit against the post or message as it is now,
so what is stored here can hide a result if it fell behind a change, never show one;
the services keep it in step in their transactions (search/index.py: `put_post`,
`refresh_thread`, `refresh_post`).
"""

from dataclasses import dataclass
from datetime import date

from forum.models import Status

MAX_MONTHS = 36  # a longer date range is checked on the rows alone


def month(moment) -> str:
    return f"d{moment:%Y%m}"


def post_facets(post, thread) -> str:
    return " ".join((f"c{thread.category_id}", f"a{post.author_id or 0}", month(post.created_at)))


def message_facets(message) -> str:
    return " ".join((f"r{message.room_id}", f"a{message.author_id or 0}", month(message.created)))


# Who may find a post (PostText.visibility), as the search's exact check decides it
# (search/selectors.py): every member who may view the place; its `owner` (the author
# of what waits for approval) and the place's moderators; the moderators alone (hidden,
# or waiting for two different authors); nobody (rejected).
LISTED, OWNER, MODERATORS, NOBODY = 0, 1, 2, 3
POST_COLUMNS = ("place", "author", "created", "visibility", "owner")
MESSAGE_COLUMNS = ("place", "author", "created")


def post_columns(post, thread) -> dict:
    """What a post's row stores beside its words (`thread` as it is now)."""
    owner = None
    if Status.REJECTED in (post.status, thread.status):
        visibility = NOBODY
    elif post.is_hidden or thread.is_hidden:
        visibility = MODERATORS
    elif post.status == thread.status == Status.APPROVED:
        visibility = LISTED
    else:
        # The member may see what waits only when they wrote every part that waits.
        waiting = {item.author_id for item in (post, thread) if item.status == Status.PENDING}
        owner = waiting.pop() if len(waiting) == 1 else None
        visibility = OWNER if owner is not None else MODERATORS
    return {"place": thread.category_id, "author": post.author_id, "created": post.created_at,
            "visibility": visibility, "owner": owner}


def message_columns(message) -> dict:
    """A message is in the index only while it is not deleted: its room decides the rest."""
    return {"place": message.room_id, "author": message.author_id, "created": message.created}


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
