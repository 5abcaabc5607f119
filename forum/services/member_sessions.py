"""A member's sessions: what they see of each, and ending them (issue 13, items 2 and 3).

Helplines for human-rights defenders give one first advice for a seized phone: end that
device's access at once. So every session has a record (forum.models.SessionRecord: an
opaque id, a device class, the hours it began and was last seen), made at login, kept
up to date at most once an hour (`seen`), and a member ends any session of theirs from
the sessions page: its Django session is deleted and its open sockets close with 4401.

An idle session expires by itself: Django stores a session's expiry as "saved + the
session age", and `seen` saves it once an hour, so SESSION_COOKIE_AGE (MAJLIS_SESSION_IDLE_DAYS)
is the time a session lives without being used.
"""

from datetime import datetime
from functools import partial
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from forum.errors import NotFound
from forum.models import SessionRecord, StandingScope
from forum.services.standing import standing_changed
from forum.user_agents import device_class
from realtime import broadcast

SEEN_KEY = "majlis_seen_hour"


def to_the_hour(moment: datetime) -> datetime:
    """Times are kept to the hour: enough to recognise a session, no finer a trail."""
    return moment.replace(minute=0, second=0, microsecond=0)


def record_login(request, *, user) -> SessionRecord:
    """The record of a session that just logged in (or of one from before records existed)."""
    hour = to_the_hour(timezone.now())
    request.session[SEEN_KEY] = hour.isoformat()
    record, _created = SessionRecord.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={"user": user, "device": device_class(request.headers.get("user-agent", "")),
                  "created_at": hour, "last_seen_at": hour},
    )
    return record


def seen(request) -> None:
    """Note, at most once an hour per session, that this member's session is in use: its
    record's last-seen hour moves and its expiry starts again (the module says why). A
    session from before records existed gets one now."""
    session = request.session
    hour = to_the_hour(timezone.now())
    if session.get(SEEN_KEY) == hour.isoformat() or not session.session_key:
        return
    session[SEEN_KEY] = hour.isoformat()  # saves the session, so its expiry starts again
    updated = SessionRecord.objects.filter(session_key=session.session_key).update(last_seen_at=hour)
    if not updated:
        record_login(request, user=request.user)


def rekeyed(*, old_key: str, new_key: str) -> None:
    """Django gave this session a new key (a password change): its record follows."""
    SessionRecord.objects.filter(session_key=old_key).update(session_key=new_key)


def forget(session_key: str | None) -> None:
    """After a logout: the session is gone, so is its record."""
    if session_key:
        SessionRecord.objects.filter(session_key=session_key).delete()


def listed(user) -> list[SessionRecord]:
    """The member's sessions that are still alive, the most recently used first."""
    alive = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return list(SessionRecord.objects.filter(user=user, session_key__in=alive))


def end_session(*, user, public_id: str) -> None:
    """End one of the member's sessions (404 alike for another member's or a missing one)."""
    record = SessionRecord.objects.filter(user=user, public_id=public_id).first()
    if record is None:
        raise NotFound()
    _end(user, [record.session_key])


def end_other_sessions(*, user, keep_session_key: str | None) -> int:
    """End every session of the member but this one (those without a record too)."""
    keys = set(SessionRecord.objects.filter(user=user).values_list("session_key", flat=True))
    keys |= set(session_keys_of(user))
    keys.discard(keep_session_key)
    _end(user, sorted(keys))
    return len(keys)


def session_keys_of(user) -> list[str]:
    """Every stored Django session of the member, expired or not. The session table has no
    user column, so each session's data is read: a rare, whole-table read, for the
    sessions no record names (made before records existed)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    wanted = str(user.pk)
    return [
        session.session_key for session in Session.objects.iterator()
        if str(store().decode(session.session_data).get(SESSION_KEY)) == wanted
    ]


def _end(user, keys: list[str]) -> None:
    with transaction.atomic():
        Session.objects.filter(session_key__in=keys).delete()
        SessionRecord.objects.filter(session_key__in=keys).delete()
        for key in keys:
            transaction.on_commit(partial(broadcast.close_sockets, broadcast.session_group(key), broadcast.SESSION_ENDED))
        if keys:  # the orders above may be lost: every process re-checks its sockets' sessions
            standing_changed(StandingScope.USER, user.pk)


def forget_ended(now: datetime | None = None) -> int:
    """Records whose session expired or vanished (`purge_expired`, from cron)."""
    alive = Session.objects.filter(expire_date__gt=now or timezone.now()).values("session_key")
    return SessionRecord.objects.exclude(session_key__in=alive).delete()[0]
