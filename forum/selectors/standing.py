"""Reads of the standing log (forum/models/standing.py) for the processes that poll it."""

from functools import cache

from forum import sql
from forum.models import StandingChange

# Past this many changes between two polls, a process re-checks every socket it has.
POLL_LIMIT = 500


def latest_standing_change() -> int:
    """The cursor to poll from: the id of the latest change, 0 when there is none.

    Every room socket's connect reads it: plain SQL (forum/sql.py says why)."""
    return sql.fetch_one(_latest_sql(), [])[0] or 0


@cache
def _latest_sql() -> str:
    return f"SELECT MAX({sql.quote(StandingChange._meta.pk.column)}) FROM {sql.table(StandingChange)}"


def standing_changes_after(cursor: int) -> tuple[int, list[tuple[str, str]] | None]:
    """The new cursor and the (scope, key) pairs changed after `cursor`.

    None instead of the pairs when there were more than POLL_LIMIT: re-check everything.
    """
    rows = list(
        StandingChange.objects.filter(id__gt=cursor).order_by("id").values_list("id", "scope", "key")[: POLL_LIMIT + 1]
    )
    if not rows:
        return cursor, []
    if len(rows) > POLL_LIMIT:
        return latest_standing_change(), None
    return rows[-1][0], [(scope, key) for _id, scope, key in rows]
