"""Keeping the search index in step: the only writer of search/models.py's tables.

The services that write posts and messages call these inside their own transactions
(`put_post` after a post is written or edited, `forget_messages` before messages go, …),
so a rollback takes the index change back with the text, and nothing hidden in a signal
or a trigger writes behind their back. Who may find a row is never decided here: the
search checks the post or message as it is now (the facets and columns stored beside
the words only narrow a search: search/facets.py). They follow every change of a post's
state or place (`refresh_post`, `refresh_thread`).

SQLite: FTS5 with external content (the text tables) learns of a change only when told,
and must be told the old text to forget it; every function here writes both. FTS5
normally leaves a deleted text's words in its older segments until they are merged: the
tables are made with `secure-delete`, which removes them at once, and `forum.erasure`'s
checkpoint then takes them out of the files. Where SQLite is older than 3.44 (no
`secure-delete`), every deletion merges the index instead (`scrub`), slower but as clean.

PostgreSQL: the `vector` column (and `pair_vector`: search/pairs.py) is generated from
the row, and VACUUM (`purge_expired`) reclaims dead versions.
"""

import html
import re
from collections.abc import Callable, Iterable
from typing import NamedTuple

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Model, Q

from forum import sql
from search.analyser import analyse
from search.facets import MESSAGE_COLUMNS, POST_COLUMNS, message_columns, message_facets, post_columns, post_facets
from search.models import FTS_TABLES, MessageText, PostText

BATCH = 2000
_TAG = re.compile(r"<[^>]*>")


def text_of_html(body_html: str) -> str:
    """The words a reader sees in sanitised HTML (forum/sanitiser.py's output only)."""
    return html.unescape(_TAG.sub(" ", body_html))


def post_document(post, title: str | None = None) -> str:
    """A post's searchable text: its thread's title first when it opens the thread."""
    body = text_of_html(post.body_html)
    if post.is_opening:
        return f"{title if title is not None else post.thread.title}\n{body}"
    return body


def message_document(message) -> str:
    return "" if message.deleted else text_of_html(message.body_html)


# --- Writes the services call ---------------------------------------------------------

def put_post(post, *, new: bool = False, title: str | None = None) -> None:
    """Index a post as it now reads (after it was written, edited or its title changed)."""
    post_state, thread_state = _committed_state(post)
    _put(PostText, post.pk, analyse(post_document(post, title)), post_facets(post_state, thread_state),
         post_columns(post_state, thread_state), new=new)


class _PostState(NamedTuple):
    """What search/facets.py reads of a post (its state as committed)..."""

    status: str
    is_hidden: bool
    author_id: int | None
    created_at: object


class _ThreadState(NamedTuple):
    """... and of its thread."""

    category_id: int
    status: str
    is_hidden: bool
    author_id: int | None


def _committed_state(post) -> tuple[_PostState, _ThreadState]:
    """The post's and its thread's state as committed, both rows locked on PostgreSQL
    (the post's first, as moderation locks them: `_locked_post`). A moderator approving
    or hiding either at this moment finishes first, and this reads the new state, or
    waits for this transaction and then refreshes this row too; the post object the
    caller holds may have been read before. SQL of our own: the ORM cost three times as
    much (0.5 ms of a post's indexing)."""
    from forum.models import Post, Thread

    p = lambda field: sql.column(Post, field)  # noqa: E731
    t = lambda field: sql.column(Thread, field)  # noqa: E731
    lock = " FOR NO KEY UPDATE" if connection.vendor == "postgresql" else ""
    status, is_hidden, *thread = sql.fetch_one(
        f"SELECT p.{p('status')}, p.{p('is_hidden')}, t.{t('category')}, t.{t('status')}, t.{t('is_hidden')}, "
        f"t.{t('author')} FROM {sql.table(Post)} p JOIN {sql.table(Thread)} t ON t.{t('id')} = p.{p('thread')} "
        f"WHERE p.{p('id')} = %s{lock}", [post.pk])
    # Written once and never changed (but for a former member's: `refresh_rows`).
    return _PostState(status, is_hidden, post.author_id, post.created_at), _ThreadState(*thread)


def put_message(message, *, new: bool = False) -> None:
    if message.deleted:
        forget_messages([message.pk])
    else:
        _put(MessageText, message.pk, analyse(message_document(message)), message_facets(message),
             message_columns(message), new=new)


def refresh_thread(thread_pk: int) -> None:
    """After a change of a thread's state or place (approved, rejected, hidden, moved):
    what its posts' rows store of it follows (search/facets.py)."""
    from forum.models import Post

    _refresh_posts(Post.objects.filter(thread_id=thread_pk))


def refresh_post(post_pk: int) -> None:
    """After a change of a post's state (approved, rejected, hidden, shown)."""
    from forum.models import Post

    _refresh_posts(Post.objects.filter(pk=post_pk))


def rows_of_member(user) -> tuple[list[int], list[int]]:
    """The posts and messages whose rows store `user` as author or owner, read before
    the account goes, for `refresh_rows` after it went."""
    posts = PostText.objects.filter(Q(author=user.pk) | Q(owner=user.pk)).values_list("pk", flat=True)
    return list(posts), list(MessageText.objects.filter(author=user.pk).values_list("pk", flat=True))


def refresh_rows(post_pks: list[int], message_pks: list[int]) -> None:
    """After their author's account went: their rows keep no id of the former member."""
    from forum.models import Post
    from realtime.models import RoomMessage

    _refresh_posts(Post.objects.filter(pk__in=post_pks))
    _refresh(MessageText, RoomMessage.objects.filter(pk__in=message_pks).only("pk", "room_id", "author_id", "created"),
             lambda message: (message_facets(message), message_columns(message)), MESSAGE_COLUMNS)


def _refresh_posts(posts) -> None:
    posts = posts.select_related("thread").only(
        "pk", "status", "is_hidden", "author_id", "created_at",
        "thread__category_id", "thread__status", "thread__is_hidden", "thread__author_id",
    )
    _refresh(PostText, posts, lambda post: (post_facets(post, post.thread), post_columns(post, post.thread)),
             POST_COLUMNS)


def _refresh(model: type[Model], sources, stored_of, columns: tuple[str, ...]) -> None:
    """Rewrite the facets and columns of the rows of `sources` that differ from what
    `stored_of(source)` says now (FTS5 is told of the facets' change)."""
    wanted = {source.pk: stored_of(source) for source in sources}
    rows = model.objects.filter(pk__in=sources.values("pk")).values_list("pk", "facets", *columns)
    stale = [pk for pk, facets, *stored in rows if (facets, dict(zip(columns, stored))) != wanted[pk]]
    fts = _fts(model)
    for start in range(0, len(stale), BATCH):
        batch = stale[start:start + BATCH]
        if fts:
            _fts_delete(model, fts, batch)
        for pk in batch:
            facets, values = wanted[pk]
            model.objects.filter(pk=pk).update(facets=facets, **values)
        if fts:
            _fts_insert(model, fts, batch)


def forget_posts(pks: Iterable[int]) -> None:
    _forget(PostText, list(pks))


def forget_messages(pks: Iterable[int]) -> None:
    _forget(MessageText, list(pks))


def _put(model: type[Model], key: int, analysed: str, facets: str, columns: dict, *, new: bool) -> None:
    """Inside the writer's transaction (no savepoint of its own: a send's every query counts)."""
    fts = _fts(model)
    if not new:
        _forget(model, [key])
    # SQL of our own: the ORM's `create` cost 0.2 ms more of a post's indexing.
    values = {"analysed": analysed, "facets": facets, **columns}
    if values.get("created") is not None:
        values["created"] = sql.db_datetime(values["created"])
    names = [sql.column(model, model._meta.pk.name)] + [sql.column(model, name) for name in values]
    sql.execute(f"INSERT INTO {sql.table(model)} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})",
                [key, *values.values()])
    if fts:
        sql.execute(f"INSERT INTO {fts}(rowid, analysed, facets) VALUES (%s, %s, %s)", [key, analysed, facets])


def _forget(model: type[Model], keys: list[int]) -> None:
    if not keys:
        return
    fts = _fts(model)
    for start in range(0, len(keys), BATCH):
        batch = keys[start:start + BATCH]
        if fts:
            _fts_delete(model, fts, batch)
        model.objects.filter(pk__in=batch).delete()
    if fts and not secure_delete_available():
        scrub()  # slow on a large index: only where SQLite is older than 3.44


def _fts_delete(model: type[Model], fts: str, keys: list[int]) -> None:
    """External content: FTS5 finds the words to forget in the text it is given."""
    key, marks = sql.column(model, model._meta.pk.name), ", ".join(["%s"] * len(keys))
    sql.execute(
        f"INSERT INTO {fts}({fts}, rowid, analysed, facets) "
        f"SELECT 'delete', {key}, analysed, facets FROM {sql.table(model)} WHERE {key} IN ({marks})",
        keys,
    )


def _fts_insert(model: type[Model], fts: str, keys: list[int]) -> None:
    key, marks = sql.column(model, model._meta.pk.name), ", ".join(["%s"] * len(keys))
    sql.execute(
        f"INSERT INTO {fts}(rowid, analysed, facets) "
        f"SELECT {key}, analysed, facets FROM {sql.table(model)} WHERE {key} IN ({marks})",
        keys,
    )


def _fts(model: type[Model]) -> str | None:
    return FTS_TABLES[model] if connection.vendor == "sqlite" else None


def secure_delete_available(db=None) -> bool:
    """FTS5's `secure-delete` (SQLite 3.44+; config/settings.py brings 3.51 where it can)."""
    db = db or connection
    return db.vendor == "sqlite" and db.Database.sqlite_version_info >= (3, 44, 0)


def scrub(using: str = DEFAULT_DB_ALIAS) -> None:
    """Merge FTS5's segments into one (SQLite), so what a deletion left behind goes: what
    `_forget` does where SQLite has no `secure-delete`."""
    if connections[using].vendor != "sqlite":
        return
    for fts in FTS_TABLES.values():
        sql.execute(f"INSERT INTO {fts}({fts}) VALUES ('optimize')", [])


# --- The whole index --------------------------------------------------------------------

def rebuild(progress: Callable[[int, int], None] | None = None, *, posts=None, messages=None) -> int:
    """Index every post and message afresh (after an analyser change, or for existing data).

    `posts` and `messages` are querysets of the models (a migration passes its historical
    ones); `progress(done, total)` is told after each batch. One transaction: searches
    meanwhile see the old index, never half of the new one.
    """
    if posts is None or messages is None:
        from forum.models import Post
        from realtime.models import RoomMessage

        posts, messages = Post.objects.all(), RoomMessage.objects.all()
    posts = posts.select_related("thread").only(
        "pk", "body_html", "is_opening", "status", "is_hidden", "author_id", "created_at",
        "thread__title", "thread__category_id", "thread__status", "thread__is_hidden", "thread__author_id",
    ).order_by("pk")
    messages = messages.filter(deleted=False).only(
        "pk", "body_html", "deleted", "room_id", "author_id", "created",
    ).order_by("pk")
    total, done = posts.count() + messages.count(), 0
    with transaction.atomic():
        for model in FTS_TABLES:
            model.objects.all().delete()
        sources = (
            (posts, PostText, post_document, lambda post: post_facets(post, post.thread),
             lambda post: post_columns(post, post.thread)),
            (messages, MessageText, message_document, message_facets, message_columns),
        )
        for source, model, document, facets_of, columns_of in sources:
            last = 0
            while batch := list(source.filter(pk__gt=last)[:BATCH]):
                model.objects.bulk_create(
                    model(pk=row.pk, analysed=analyse(document(row)), facets=facets_of(row), **columns_of(row))
                    for row in batch
                )
                last, done = batch[-1].pk, done + len(batch)
                if progress:
                    progress(done, total)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                for fts in FTS_TABLES.values():
                    cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
                    _set_secure_delete(cursor, connection, fts)  # an index made by an older SQLite
    return total


# --- The index itself (the migration) ---------------------------------------------------

def create_full_text_index(db) -> None:
    with db.cursor() as cursor:
        for model, fts in FTS_TABLES.items():
            table, key = model._meta.db_table, model._meta.pk.column
            if db.vendor == "sqlite":
                # remove_diacritics 0: the analyser already folded what should fold.
                cursor.execute(
                    f"CREATE VIRTUAL TABLE {fts} USING fts5(analysed, facets, content='{table}', "
                    f"content_rowid='{key}', tokenize='unicode61 remove_diacritics 0')"
                )
                _set_secure_delete(cursor, db, fts)
            elif db.vendor == "postgresql":
                cursor.execute(
                    f"ALTER TABLE {table} ADD COLUMN vector tsvector "
                    "GENERATED ALWAYS AS (to_tsvector('simple', analysed)) STORED"
                )
                cursor.execute(f"CREATE INDEX {table}_vector ON {table} USING GIN (vector)")


def _set_secure_delete(cursor, db, fts: str) -> None:
    """Deleted rows' words leave the index at once (a setting the table keeps)."""
    if secure_delete_available(db):
        cursor.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('secure-delete', 1)")


def drop_full_text_index(db) -> None:
    with db.cursor() as cursor:
        for model, fts in FTS_TABLES.items():
            if db.vendor == "sqlite":
                cursor.execute(f"DROP TABLE IF EXISTS {fts}")
            elif db.vendor == "postgresql":
                for column in ("vector", "facet_vector"):
                    cursor.execute(f"ALTER TABLE {model._meta.db_table} DROP COLUMN IF EXISTS {column}")
