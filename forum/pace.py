"""One flood control for everything a member writes: replies, new threads, room messages
and reports.

Each kind has one limit, `MAJLIS_PACE[kind] = (count, seconds)`: at most `count` of them in
any `seconds`. A service asks `check_pace` before it stores anything, from what the member
already stored, so a refused attempt stores nothing and counts for nothing. The refusal is
`RateLimited` with the seconds to wait; pages answer 429 with `Retry-After`, sockets an
`error` frame `rate_limited` with `retry_after` (forum.errors says where each translates it).
"""

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from forum.errors import RateLimited

REPLY, THREAD, ROOM_MESSAGE, REPORT = "reply", "thread", "room_message", "report"
# Asks for a password reset by e-mail, counted per address (forum/services/recovery.py).
RESET_REQUEST = "reset_request"
KINDS = (REPLY, THREAD, ROOM_MESSAGE, REPORT, RESET_REQUEST)


def limit(kind: str) -> tuple[int, int]:
    """(count, seconds) for one kind of writing."""
    count, seconds = settings.MAJLIS_PACE[kind]
    return int(count), int(seconds)


def _too_many(kind: str, count: int, seconds: int) -> str:
    texts = {
        REPLY: ngettext("At most %(count)d reply in %(seconds)d seconds.",
                        "At most %(count)d replies in %(seconds)d seconds.", count),
        THREAD: ngettext("At most %(count)d new thread in %(seconds)d seconds.",
                         "At most %(count)d new threads in %(seconds)d seconds.", count),
        ROOM_MESSAGE: ngettext("At most %(count)d message in %(seconds)d seconds.",
                               "At most %(count)d messages in %(seconds)d seconds.", count),
        REPORT: ngettext("At most %(count)d report in %(seconds)d seconds.",
                         "At most %(count)d reports in %(seconds)d seconds.", count),
        RESET_REQUEST: ngettext("At most %(count)d reset request for one address in %(seconds)d seconds.",
                                "At most %(count)d reset requests for one address in %(seconds)d seconds.", count),
    }
    return texts[kind] % {"count": count, "seconds": seconds}


def check_pace(kind: str, *, nth_latest: datetime | None, now: datetime) -> None:
    """Refuse one more of `kind` when the member's `count`-th latest one (None when they
    wrote fewer in the window) is still inside the window."""
    count, seconds = limit(kind)
    if nth_latest is None:
        return
    wait = (nth_latest + timedelta(seconds=seconds) - now).total_seconds()
    if wait > 0:
        raise RateLimited(math.ceil(wait), _too_many(kind, count, seconds))


def window_start(kind: str, now: datetime) -> datetime:
    return now - timedelta(seconds=limit(kind)[1])


def check_pace_of(kind: str, written: QuerySet, *, field: str = "created_at", now: datetime | None = None) -> None:
    """`check_pace` over a queryset of what the member wrote of this kind: one query that
    reads one timestamp, however many rows the window holds."""
    now = now or timezone.now()
    count, _seconds = limit(kind)
    nth_latest = (
        written.filter(**{f"{field}__gt": window_start(kind, now)})
        .order_by(f"-{field}").values_list(field, flat=True)[count - 1:count].first()
    )
    check_pace(kind, nth_latest=nth_latest, now=now)


def slow_mode(seconds: int, *, latest: datetime | None, now: datetime) -> None:
    """A room's slow mode: one message every `seconds` (moderators set it per room)."""
    if seconds and latest is not None:
        wait = (latest + timedelta(seconds=seconds) - now).total_seconds()
        if wait > 0:
            raise RateLimited(math.ceil(wait), ngettext(
                "Slow mode: one message every %(seconds)d second.",
                "Slow mode: one message every %(seconds)d seconds.", seconds) % {"seconds": seconds})
