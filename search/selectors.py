"""The search itself: matches, filtered in SQL by what the searcher may see now.

First the places the searcher may view (and moderate) are read from the one permission
module (`permissions.ids_sql`, `realtime.selectors.visible_room_ids_sql`), in one query.
Then one statement finds the page of hits and counts them, whatever the number of hits
or places, in two steps:

1. The full-text index is asked for the words and narrowed by what the text tables
   store (search/facets.py): on SQLite FTS5's facets of the filters (place, author,
   months); on PostgreSQL the stored place, author, time and who may find a post, so
   that the newest matches the searcher may find are read from the text table alone.
2. Every hit is checked against the post or message as it is now, never a copy kept for
   search: a post in a category they may view, neither it nor its thread rejected, and
   unless they moderate the category neither hidden, each approved or their own; a
   message in a room they may view (a room ban shuts them out), not deleted, and not
   older than the room keeps messages, even before `purge_expired` ran. On PostgreSQL
   this check runs after step 1's LIMIT: what is stored is kept in step with the posts
   in the transactions that change them, and if it ever were not, a stale row could
   only drop out here, never be shown.

Ranking reads the newest CANDIDATES posts and the newest CANDIDATES messages that pass
(newest by id: ids follow the order of writing), and ranks those: FTS5's bm25 on
SQLite, `ts_rank_cd` on PostgreSQL (negated, so that lower is better on both), newest
first on a tie. A word found in nearly every text then costs what a rare one does; a
search that matches more is told so ("more than …") and is narrowed by its filters
(dates, place, author). The cap counts only what the searcher may see, so what others
may see changes neither the results, nor their order, nor the count.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.utils import timezone

from forum import permissions, sql
from forum.models import Category, Post, Status, Thread
from realtime.models import Room, RoomMessage
from realtime.selectors import visible_room_ids_sql
from search import facets as f
from search import pairs
from search.models import FTS_TABLES, MessageText, PostText
from search.query import Query

POST, MESSAGE = "post", "message"
THREADS, MESSAGES = "threads", "messages"  # the `type` filter
# Of each kind (posts, messages). A word in 2-5 % of 100,000 texts is the costly case on
# PostgreSQL: either the newest rows are read until this many pass, or every match is
# fetched; both grow with this number (p95 75 ms at 200, 114 at 500, 197 at 1,000, same
# run, bench/README.md). Twenty pages of twenty, then the filters reach further back.
CANDIDATES = 200


@dataclass(frozen=True)
class Filters:
    place: str = ""  # a category's or a room's slug
    author_id: int | None = None
    since: date | None = None
    until: date | None = None  # inclusive
    kind: str = ""  # THREADS, MESSAGES or both


@dataclass(frozen=True)
class Hit:
    kind: str
    pk: int


@dataclass(frozen=True)
class Found:
    hits: list[Hit]
    total: int  # of the candidates
    capped: bool  # more matched than CANDIDATES of a kind: `total` is a lower bound


@dataclass(frozen=True)
class Reach:
    """Where the searcher may look, as ids: read once per search."""

    categories: frozenset[int]
    moderated: frozenset[int]  # categories they moderate (with a second factor used)
    rooms: frozenset[int]  # rooms they may view, less those a ban shuts


def reach_of(user) -> Reach:
    """The categories the searcher may view and moderate, and the rooms they may view:
    the permission module's three lists, read in one query."""
    parts = (permissions.ids_sql(user, Category), permissions.ids_sql(user, Category, permissions.MODERATE),
             visible_room_ids_sql(user))
    rows = sql.fetch_all(
        " UNION ALL ".join(f"SELECT {n} AS part, ids.* FROM ({query}) ids" for n, (query, _) in enumerate(parts)),
        [param for _, params in parts for param in params],
    )
    categories, moderated, rooms = (frozenset(pk for part, pk in rows if part == n) for n in range(3))
    return Reach(categories, moderated & categories, rooms)


def search(user, query: Query, filters: Filters, *, offset: int, limit: int) -> Found:
    """A page of hits (`limit` from `offset`), best first, and how many there are."""
    reach = reach_of(user)
    place = _place_ids(filters.place) if filters.place else None
    parts, params = [], []
    for kind, build in ((THREADS, _posts_sql), (MESSAGES, _messages_sql)):
        if filters.kind in ("", kind):
            built = build(user, reach, query, filters, place)
            if built is not None:
                parts.append(f"SELECT * FROM ({built[0]}) {kind}")
                params += built[1]
    if not parts:
        return Found([], 0, False)
    hits = " UNION ALL ".join(parts)
    rows = sql.fetch_all(
        f"SELECT kind, id, COUNT(*) OVER (), SUM(CASE WHEN kind = 1 THEN 1 ELSE 0 END) OVER () FROM ({hits}) hits "
        "ORDER BY score, created DESC, kind, id DESC LIMIT %s OFFSET %s",
        params + [limit, offset],
    )
    if rows:
        total, posts = rows[0][2], rows[0][3]
    else:  # past the last page (or nothing at all): the count alone
        total, posts = sql.fetch_one(
            f"SELECT COUNT(*), SUM(CASE WHEN kind = 1 THEN 1 ELSE 0 END) FROM ({hits}) hits", params
        )
        posts = posts or 0
    capped = posts >= CANDIDATES or total - posts >= CANDIDATES
    return Found([Hit(POST if row[0] == 1 else MESSAGE, row[1]) for row in rows], total, capped)


def _place_ids(slug: str) -> dict[str, set[int]]:
    """The category and the room of that slug (either may exist, or neither): one query."""
    rows = sql.fetch_all(
        f"SELECT 'c', {sql.column(Category, 'id')} FROM {sql.table(Category)} WHERE {sql.column(Category, 'slug')} = %s "
        f"UNION ALL SELECT 'r', {sql.column(Room, 'id')} FROM {sql.table(Room)} WHERE {sql.column(Room, 'slug')} = %s",
        [slug, slug],
    )
    return {"c": {pk for kind, pk in rows if kind == "c"}, "r": {pk for kind, pk in rows if kind == "r"}}


def _marks(ids) -> str:
    return ", ".join(["%s"] * len(ids))


def _filter_facets(filters: Filters, place: f.Facets | None) -> list[f.Facets]:
    wanted = [place] if place is not None else []
    if filters.author_id is not None:
        wanted.append(f.one_of("a", [filters.author_id]))
    if (months := f.months_between(filters.since, filters.until)) is not None:
        wanted.append(f.Facets(tokens=tuple(months)))
    return wanted


@dataclass
class _Kind:
    """One kind's part of the search: its tables, the narrowing it stores (PostgreSQL:
    search/facets.py's columns) and the exact check on the post or message itself."""

    code: int  # 1 posts, 2 messages: the `kind` column
    model: type
    narrow: list[str]
    narrow_params: list
    wanted: list[f.Facets]  # FTS5's facets of the filters
    rows: str  # the joins to the post or message, with {join} and {key} to fill
    id_: str
    created: str
    exact: list[str]
    params: list
    rooms: str = ""  # joined to the text table to narrow by retention


def _posts_sql(user, reach: Reach, query: Query, filters: Filters, place) -> tuple[str, list] | None:
    c = lambda field: sql.column(Post, field)  # noqa: E731
    t = lambda field: sql.column(Thread, field)  # noqa: E731
    categories = reach.categories & place["c"] if place is not None else reach.categories
    if not categories:
        return None
    moderated = categories & reach.moderated
    exact = [
        f"t.{t('category')} IN ({_marks(categories)})",
        f"p.{c('status')} <> %s AND t.{t('status')} <> %s",
        f"""(t.{t('category')} IN ({_marks(moderated) or 'NULL'})
             OR (p.{c('is_hidden')} = %s AND t.{t('is_hidden')} = %s
                 AND (p.{c('status')} = %s OR p.{c('author')} = %s)
                 AND (t.{t('status')} = %s OR t.{t('author')} = %s)))""",
    ]
    params = sorted(categories) + [Status.REJECTED, Status.REJECTED] + sorted(moderated) + [
        False, False, Status.APPROVED, user.pk, Status.APPROVED, user.pk,
    ]
    _exact_filters(exact, params, filters, author=f"p.{c('author')}", created=f"p.{c('created_at')}")
    # The same rule, asked of what the text table stores (search/facets.py).
    narrow = [
        f"x.place IN ({_marks(categories)})",
        f"""(x.visibility = {f.LISTED} OR (x.visibility = {f.OWNER} AND x.owner = %s)
             OR (x.visibility <> {f.NOBODY} AND x.place IN ({_marks(moderated) or 'NULL'})))""",
    ]
    narrow_params = sorted(categories) + [user.pk] + sorted(moderated)
    _exact_filters(narrow, narrow_params, filters, author="x.author", created="x.created")
    return _part(_Kind(
        1, PostText, narrow, narrow_params,
        _filter_facets(filters, f.one_of("c", sorted(categories)) if place is not None else None),
        rows=(f"{{join}} {sql.table(Post)} p ON p.{c('id')} = {{key}} "
              f"{{join}} {sql.table(Thread)} t ON t.{t('id')} = p.{c('thread')}"),
        id_=f"p.{c('id')}", created=f"p.{c('created_at')}", exact=exact, params=params,
    ), query)


def _messages_sql(user, reach: Reach, query: Query, filters: Filters, place) -> tuple[str, list] | None:
    c = lambda field: sql.column(RoomMessage, field)  # noqa: E731
    r = lambda field: sql.column(Room, field)  # noqa: E731
    rooms = reach.rooms & place["r"] if place is not None else reach.rooms
    if not rooms:
        return None
    now = sql.db_datetime(timezone.now())

    def kept(created: str) -> str:
        days = f"r.{r('retention_days')}"
        if connection.vendor == "postgresql":
            return f"({days} IS NULL OR {created} >= %s - {days} * interval '1 day')"
        return f"({days} IS NULL OR {created} >= datetime(%s, '-' || {days} || ' days'))"

    exact = [f"m.{c('deleted')} = %s", f"m.{c('room')} IN ({_marks(rooms)})", kept(f"m.{c('created')}")]
    params = [False] + sorted(rooms) + [now]
    _exact_filters(exact, params, filters, author=f"m.{c('author')}", created=f"m.{c('created')}")
    narrow = [f"x.place IN ({_marks(rooms)})", kept("x.created")]  # a deleted message has no row
    narrow_params = sorted(rooms) + [now]
    _exact_filters(narrow, narrow_params, filters, author="x.author", created="x.created")
    return _part(_Kind(
        2, MessageText, narrow, narrow_params,
        _filter_facets(filters, f.one_of("r", sorted(rooms)) if place is not None else None),
        rows=(f"{{join}} {sql.table(RoomMessage)} m ON m.{c('id')} = {{key}} "
              f"{{join}} {sql.table(Room)} r ON r.{r('id')} = m.{c('room')}"),
        id_=f"m.{c('id')}", created=f"m.{c('created')}", exact=exact, params=params,
        rooms=f"JOIN {sql.table(Room)} r ON r.{r('id')} = x.place",
    ), query)


def _part(kind: _Kind, query: Query) -> tuple[str, list]:
    """One kind's candidates: (kind, id, score, created), the newest CANDIDATES first."""
    if connection.vendor == "postgresql":
        return _postgresql_part(kind, query)
    fts = FTS_TABLES[kind.model]
    match = f"analysed : ({query.fts5()})"
    if kind.wanted:
        match += f" AND facets : {f.every(*kind.wanted).fts5()}"
    return (
        # CROSS JOIN keeps SQLite reading the index first, newest first, and stopping at the
        # LIMIT: left to itself it may walk every post of an author and ask FTS5 about each.
        f"SELECT {kind.code} AS kind, {kind.id_} AS id, bm25({fts}) AS score, {kind.created} AS created FROM {fts} "
        + kind.rows.format(join="CROSS JOIN", key=f"{fts}.rowid")
        + f" WHERE {fts} MATCH %s AND " + " AND ".join(kind.exact)
        + f" ORDER BY {fts}.rowid DESC LIMIT %s",
        [match] + kind.params + [CANDIDATES],
    )


def _postgresql_part(kind: _Kind, query: Query) -> tuple[str, list]:
    """The newest CANDIDATES rows of the text table that match and that the stored columns
    let the searcher find, read from the text table alone; then each is checked against
    the post or message itself. Joining the posts and threads of every match before the
    LIMIT (thousands for a common word) cost more than the rest of the search."""
    table, key = sql.table(kind.model), sql.column(kind.model, kind.model._meta.pk.name)
    match, match_params = "x.vector @@ to_tsquery('simple', %s)", [query.tsquery()]
    if (phrases := pairs.tsquery(query.positive)) is not None:
        # The pairs are looked up in their index; the words are then checked on those
        # rows alone, through the function behind `@@`, which the planner neither
        # looks up in an index nor prices: as `@@` it took the pair and the words for
        # independent and, counting a common phrase a few times too rare, fetched
        # thousands of rows through the index (phrases' p50 halved, bench/search.py).
        match = "x.pair_vector @@ %s::tsquery AND ts_match_vq(x.vector, to_tsquery('simple', %s))"
        match_params = [phrases, query.tsquery()]
    newest = (
        f"SELECT x.{key} AS id, x.vector FROM {table} x {kind.rooms} WHERE {match} AND "
        + " AND ".join(kind.narrow) + f" ORDER BY x.{key} DESC LIMIT %s"
    )
    # The rank is read for the candidates only: `ts_rank_cd` on every row of a common
    # word's match would cost more than the whole search.
    return (
        f"SELECT {kind.code} AS kind, {kind.id_} AS id, -ts_rank_cd(hit.vector, to_tsquery('simple', %s)) AS score, "
        f"{kind.created} AS created FROM ({newest}) hit " + kind.rows.format(join="JOIN", key="hit.id")
        + " WHERE " + " AND ".join(kind.exact),
        [query.tsquery()] + match_params + kind.narrow_params + [CANDIDATES] + kind.params,
    )


def _exact_filters(where: list, params: list, filters: Filters, *, author: str, created: str) -> None:
    if filters.author_id is not None:
        where.append(f"{author} = %s")
        params.append(filters.author_id)
    if filters.since:
        where.append(f"{created} >= %s")
        params.append(sql.db_datetime(_start_of(filters.since)))
    if filters.until:
        where.append(f"{created} < %s")
        params.append(sql.db_datetime(_start_of(filters.until + timedelta(days=1))))


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
