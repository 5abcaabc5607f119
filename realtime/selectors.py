"""Reads of the realtime app, filtered by what the reader may see, in SQL."""

from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from forum import permissions, second_factor
from forum.models import Follow, Profile, ReportStatus, StandingChange
from forum.selectors.standing import latest_standing_change
from forum import sql
from forum.errors import NotFound
from realtime.models import MessageReport, OpenSocket, Room, RoomBan, RoomMessage, RoomMute

from realtime.broadcast import BANNED, NOT_FOUND, SESSION_ENDED

MESSAGE_RELATIONS = ("room", "author__profile")


def in_force(now=None) -> Q:
    """Bans and mutes that still hold: without an end, or ending later."""
    return Q(until__isnull=True) | Q(until__gt=now or timezone.now())


def _in_force_sql(model: type[Model], alias: str) -> str:
    """`in_force()` in the raw SQL of the hot path; takes one parameter, `sql.db_now()`."""
    until = f"{alias}.{sql.column(model, 'until')}"
    return f"({until} IS NULL OR {until} > %s)"


# --- Rooms -----------------------------------------------------------------------------

def visible_rooms(user) -> QuerySet:
    """The rooms the user may open: granted view (or moderate), and not banned from."""
    rooms = permissions.objects_for(user, Room.objects.all())
    if user is None or not user.is_authenticated:
        return rooms
    banned = RoomBan.objects.filter(in_force(), room=OuterRef("pk"), user=user)
    return rooms.exclude(Exists(banned)).order_by("name", "slug")


def visible_room_ids_sql(user) -> tuple[str, list]:
    """`visible_rooms(user)` as a subquery of ids, (SQL, params), for statements written in
    SQL (search): the grants of `permissions.ids_sql`, less the rooms a ban in force shuts."""
    granted, params = permissions.ids_sql(user, Room)
    if user is None or not user.is_authenticated:
        return granted, params
    room_id, ban_room, ban_user = sql.column(Room, "id"), sql.column(RoomBan, "room"), sql.column(RoomBan, "user")
    return (
        f"SELECT r.{room_id} FROM {sql.table(Room)} r WHERE r.{room_id} IN ({granted}) AND NOT EXISTS ("
        f"SELECT 1 FROM {sql.table(RoomBan)} b WHERE b.{ban_room} = r.{room_id} AND b.{ban_user} = %s"
        f" AND {_in_force_sql(RoomBan, 'b')})",
        params + [user.pk, sql.db_now()],
    )


def moderated_rooms(user) -> QuerySet:
    return permissions.objects_for(user, Room.objects.all(), permissions.MODERATE)


def get_visible_room(user, slug: str) -> Room:
    """The room, or Http404 alike for a missing room and for one without `view_room`."""
    return permissions.get_visible(user, Room.objects.all(), slug=slug)


def active_ban(room: Room, user) -> RoomBan | None:
    return RoomBan.objects.filter(in_force(), room=room, user=user).first()


def active_mute(room: Room, user) -> RoomMute | None:
    return RoomMute.objects.filter(in_force(), room=room, user=user).first()


def member_by_public_id(public_id: str):
    """The member behind a profile id, or NotFound."""
    profile = Profile.objects.select_related("user__profile").filter(public_id=public_id).first()
    if profile is None:
        raise NotFound(_("No such member."))
    return profile.user


# --- Messages --------------------------------------------------------------------------

def _messages(room: Room) -> QuerySet:
    return RoomMessage.objects.filter(room=room).select_related(*MESSAGE_RELATIONS)


def get_message(room: Room, public_id: str) -> RoomMessage:
    """A message of this room that is not a tombstone, or NotFound."""
    message = _messages(room).filter(public_id=public_id, deleted=False).first()
    if message is None:
        raise NotFound(_("No such message in this room."))
    return message


def messages_before(room: Room, *, before: int | None, limit: int) -> tuple[list[RoomMessage], bool]:
    """Up to `limit` messages before `seq` (or the latest), oldest first, and whether more exist."""
    queryset = _messages(room).prefetch_related("attachments")
    if before is not None:
        queryset = queryset.filter(seq__lt=before)
    page = list(queryset.order_by("-seq")[: limit + 1])
    return page[:limit][::-1], len(page) > limit


def changes_since(room: Room, *, after: int, limit: int, rev: int | None = None) -> tuple[list[RoomMessage], bool, int]:
    """Messages changed after `rev`, oldest change first; whether more exist; the room's rev.

    The room's rev is read first (or given, as read just before) and the changes are read
    up to it: the lock on the room row makes commit order counter order, so every change up
    to that rev is committed and the answer has no hole.
    """
    if rev is None:
        rev = Room.objects.filter(pk=room.pk).values_list("rev", flat=True).first() or 0
    page = list(_messages(room).filter(rev__gt=after, rev__lte=rev).prefetch_related("attachments")
                .order_by("rev")[: limit + 1])
    return page[:limit], len(page) > limit, rev


def message_pk_by_client_id(room: Room, author, client_id: str) -> int | None:
    """The message the author already sent in the room under this client_id, if any."""
    row = sql.fetch_one(_by_client_id_sql(), [room.pk, author.pk, client_id])
    return row and row[0]


def send_pace(room: Room, author, *, slow_since, window_since, nth: int) -> tuple:
    """For flood control and slow mode: when the author last wrote in the room after
    `slow_since`, and when they wrote their `nth` latest message after `window_since`
    (None when they wrote fewer). Two values, however many messages the window holds.
    """
    row = sql.fetch_one(_send_pace_sql(), [
        room.pk, author.pk, sql.db_datetime(slow_since), room.pk, author.pk, sql.db_datetime(window_since), nth - 1,
    ])
    created = RoomMessage._meta.get_field("created")
    return sql.from_db(created, row[0]), sql.from_db(created, row[1])


# --- Following ---------------------------------------------------------------------------

def followers(room: Room) -> dict[int, str]:
    """Who follows the room, at what level (user pk → level), leaving out its banned members.

    Read after every message (notify_new_message), hence in one raw query.
    """
    target_type = ContentType.objects.get_for_model(Room).pk
    return dict(sql.fetch_all(_followers_sql(), [target_type, room.pk, room.pk, sql.db_now()]))


# --- Reports ---------------------------------------------------------------------------

def open_message_reports(user) -> QuerySet:
    """Open reports on messages in the rooms the user moderates, oldest first."""
    return (
        MessageReport.objects.filter(
            status=ReportStatus.OPEN,
            message__room__in=moderated_rooms(user).order_by().values("pk"),
        )
        .select_related("message__room", "message__author__profile")
        .order_by("created_at", "pk")
    )


# --- Sockets ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Standing:
    """What a socket may do now, from a fresh read; `close_code` set when it must close."""

    close_code: int | None = None
    user: object = None
    room: Room | None = None
    # None when the grants were left for the service to read (socket_standing(grants=False)).
    verbs: frozenset | None = field(default_factory=frozenset)

    @property
    def can_post(self) -> bool:
        return permissions.POST in (self.verbs or ())

    @property
    def can_moderate(self) -> bool:
        return permissions.MODERATE in (self.verbs or ())


def socket_standing(*, session_key: str | None, user_pk: int, room_slug: str, grants: bool = True,
                    session: "SessionRead | None" = None) -> Standing:
    """Re-check a socket as DESIGN.md asks: its session, `view_room`, then its ban.

    Nothing is trusted from when the socket opened: the session row, the user, the room
    and the grants are read afresh. With `grants=False` the grants are left to the
    service the caller is about to call, which raises RoomGone without `view_room`.
    `session`: the session row as the caller read it a moment ago, in this same trip to
    the database thread (a connect, `socket_opening`), so that it is not read twice.
    """
    user = session_user(session_key, user_pk, session=session)
    if user is None:
        return Standing(close_code=SESSION_ENDED)
    room = room_for_member(user, slug=room_slug)
    if room is None:
        return Standing(close_code=NOT_FOUND)
    verbs = permissions.perms_for(user, room) if grants else None
    if verbs is not None and permissions.VIEW not in verbs:
        return Standing(close_code=NOT_FOUND)
    if room.banned:
        return Standing(close_code=BANNED)
    return Standing(user=user, room=room, verbs=verbs)


@dataclass(frozen=True)
class SessionRead:
    """A session row, read and decoded once: its data, and whose session it says it is."""

    data: dict
    user_pk: int | None


def socket_opening(session_key: str | None) -> tuple[int, SessionRead | None]:
    """For a room socket's connect, in one statement: the standing log's latest id (read
    before the check that follows, so that a change made meanwhile is seen; see
    realtime/sockets/standing.py) and the session row, decoded, to hand on to the check
    (`socket_standing(session=…)`) instead of reading it again."""
    if not session_key:
        return latest_standing_change(), None
    row = sql.fetch_one(_opening_sql(_session_store().get_model_class()), [session_key, sql.db_now()])
    if row is None:
        return latest_standing_change(), None
    data = _decoded(session_key, row[1])
    return row[0] or 0, SessionRead(data=data, user_pk=_user_pk_of(data))


def _session_store():
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not issubclass(store, DatabaseSessionStore):
        raise ImproperlyConfigured("Sockets re-check their session in the database: use a database session engine.")
    return store


def _decoded(session_key: str, session_data: str) -> dict:
    return _session_store()(session_key).decode(session_data)


def _user_pk_of(data: dict) -> int | None:
    value = data.get(SESSION_KEY)
    try:
        return get_user_model()._meta.pk.to_python(value) if value is not None else None
    except ValidationError:
        return None


def socket_user_pk(session_key: str | None) -> int | None:
    """Whose session this is, by its data alone: the socket's first guess, which
    `session_user` then checks in full, as on every frame after."""
    if not session_key:
        return None
    row = sql.fetch_one(_session_data_sql(_session_store().get_model_class()), [session_key, sql.db_now()])
    return _user_pk_of(_decoded(session_key, row[0])) if row is not None else None


def session_user(session_key: str | None, user_pk: int, session: SessionRead | None = None):
    """The active user a session still logs in, if it is `user_pk`; else None.

    The same test Django applies to every request (the session exists and has not
    expired, its user is active, and the password has not changed since it began),
    without its side effects: a socket never cycles or flushes a session. The session
    row, the user and their profile come in one query; with `session` (the row as
    `socket_opening` read it in this same trip), only the user and their profile.
    """
    if not session_key:
        return None
    store = _session_store()
    if session is None:
        row = sql.fetch_one(_session_user_sql(store.get_model_class()), [session_key, sql.db_now(), user_pk, True])
        if row is None:
            return None
        data, user_row = _decoded(session_key, row[0]), row[1:]
    else:
        data, user_row = session.data, sql.fetch_one(_user_sql(), [user_pk, True])
        if user_row is None:
            return None
    if str(data.get(SESSION_KEY)) != str(user_pk) or data.get(BACKEND_SESSION_KEY) not in settings.AUTHENTICATION_BACKENDS:
        return None
    session_hash = data.get(HASH_SESSION_KEY)
    if not session_hash:
        return None
    user = _user_with_profile(user_row)
    if constant_time_compare(session_hash, user.get_session_auth_hash()) or any(
        constant_time_compare(session_hash, fallback) for fallback in user.get_session_auth_fallback_hash()
    ):
        return second_factor.mark(user, data)
    return None


def _user_with_profile(row: tuple):
    """A user and their profile (or None) from the columns of `_user_columns()`, as
    select_related("profile") would make them."""
    User, Profile = get_user_model(), _profile_model()
    split = len(User._meta.concrete_fields)
    user = sql.instance(User, row[:split])
    profile = sql.instance(Profile, row[split:]) if row[split] is not None else None
    profile_of = Profile._meta.get_field("user")
    profile_of.remote_field.set_cached_value(user, profile)
    if profile is not None:
        profile_of.set_cached_value(profile, user)
    return user


def room_for_member(user, *, slug: str | None = None, pk: int | None = None) -> Room | None:
    """The room (by slug or pk) as it is now, with the member's ban and mute in force.

    `room.banned` is a bool, `room.muted_until` the end of a mute or None (always so
    without a member). One query: every socket frame reads this, and `post_message`
    again under the room lock.
    """
    user_pk, now = getattr(user, "pk", None), sql.db_now()
    row = sql.fetch_one(_room_sql("slug" if pk is None else "id"), [
        user_pk, now, user_pk, now, slug if pk is None else pk,
    ])
    if row is None:
        return None
    room = sql.instance(Room, row[:-2])
    room.banned = bool(row[-2])
    room.muted_until = sql.from_db(RoomMute._meta.get_field("until"), row[-1])
    return room


def stale_before(now=None):
    """Open-socket rows not refreshed since then belong to a process that went away."""
    interval = settings.MAJLIS_SOCKET_RECHECK_SECONDS
    return (now or timezone.now()) - timedelta(seconds=3 * interval + 10)


# Members listed in `hello`; past this, the room shows only the count.
ONLINE_LISTED = 100


def online_rows(room: Room) -> list[tuple[str, str]]:
    """Every member shown online in the room, as (profile id, name), in no order: a
    process reads this at a room's first connect, then only as a safety net
    (realtime/sockets/presence.py, OnlineView)."""
    return sql.fetch_all(_online_sql(count=False), [room.pk, sql.db_datetime(stale_before()), False])


def online_count(room_slug: str) -> int:
    """How many members the room shows as online (hidden ones never count)."""
    room = Room.objects.filter(slug=room_slug).only("pk").first()
    if room is None:
        return 0
    return sql.fetch_one(_online_sql(count=True), [room.pk, sql.db_datetime(stale_before()), False])[0]


def is_online(room: Room, user, now=None) -> bool:
    """Whether the member has the room open in any tab, on any process."""
    return sql.fetch_one(_is_online_sql(), [room.pk, user.pk, sql.db_datetime(stale_before(now))]) is not None


# --- The SQL of the hot path (see forum/sql.py) ---------------------------------------

@cache
def _online_sql(*, count: bool) -> str:
    """Parameters: room, stale before, False (hide_presence). The members with a fresh
    open-socket row in the room who show their presence: counted, or listed."""
    Profile_ = _profile_model()
    opened = (
        f"SELECT o.{sql.column(OpenSocket, 'user')} FROM {sql.table(OpenSocket)} o"
        f" WHERE o.{sql.column(OpenSocket, 'room')} = %s AND o.{sql.column(OpenSocket, 'seen_at')} >= %s"
    )
    shown = (
        f"FROM {sql.table(Profile_)} p WHERE p.{sql.column(Profile_, 'user')} IN ({opened})"
        f" AND p.{sql.column(Profile_, 'hide_presence')} = %s"
    )
    if count:
        return f"SELECT COUNT(*) {shown}"
    return f"SELECT p.{sql.column(Profile_, 'public_id')}, p.{sql.column(Profile_, 'display_name')} {shown}"


@cache
def _is_online_sql() -> str:
    """Parameters: room, user, stale before (the open_socket_room_user index)."""
    return (
        f"SELECT 1 FROM {sql.table(OpenSocket)} WHERE {sql.column(OpenSocket, 'room')} = %s"
        f" AND {sql.column(OpenSocket, 'user')} = %s AND {sql.column(OpenSocket, 'seen_at')} >= %s LIMIT 1"
    )


def _profile_model() -> type[Model]:
    return get_user_model()._meta.get_field("profile").related_model


@cache
def _session_data_sql(session: type[Model]) -> str:
    """Parameters: session key, now."""
    return (
        f"SELECT {sql.column(session, 'session_data')} FROM {sql.table(session)}"
        f" WHERE {sql.quote(session._meta.pk.column)} = %s AND {sql.column(session, 'expire_date')} > %s"
    )


@cache
def _opening_sql(session: type[Model]) -> str:
    """Parameters: session key, now."""
    latest = f"SELECT MAX({sql.quote(StandingChange._meta.pk.column)}) FROM {sql.table(StandingChange)}"
    return (
        f"SELECT ({latest}), {sql.column(session, 'session_data')} FROM {sql.table(session)}"
        f" WHERE {sql.quote(session._meta.pk.column)} = %s AND {sql.column(session, 'expire_date')} > %s"
    )


@cache
def _session_user_sql(session: type[Model]) -> str:
    """Parameters: session key, now, user pk, True."""
    User = get_user_model()
    return f"""
        SELECT s.{sql.column(session, "session_data")}, {_user_columns()}
        FROM {sql.table(session)} s
        CROSS JOIN {_user_tables()}
        WHERE s.{sql.quote(session._meta.pk.column)} = %s AND s.{sql.column(session, "expire_date")} > %s
          AND u.{sql.quote(User._meta.pk.column)} = %s AND u.{sql.column(User, "is_active")} = %s
    """


@cache
def _user_sql() -> str:
    """Parameters: user pk, True. `_session_user_sql` without the session."""
    User = get_user_model()
    return f"""
        SELECT {_user_columns()} FROM {_user_tables()}
        WHERE u.{sql.quote(User._meta.pk.column)} = %s AND u.{sql.column(User, "is_active")} = %s
    """


def _user_columns() -> str:
    return f"{sql.columns(get_user_model(), 'u')}, {sql.columns(_profile_model(), 'p')}"


def _user_tables() -> str:
    User, Profile = get_user_model(), _profile_model()
    return (
        f"{sql.table(User)} u LEFT JOIN {sql.table(Profile)} p"
        f" ON p.{sql.column(Profile, 'user')} = u.{sql.quote(User._meta.pk.column)}"
    )


@cache
def _room_sql(key: str) -> str:
    """Parameters: user pk, now (the ban); user pk, now (the mute); the room's slug or id."""
    def of_member(model: type[Model], alias: str, select: str) -> str:
        return (
            f"SELECT {select} FROM {sql.table(model)} {alias}"
            f" WHERE {alias}.{sql.column(model, 'room')} = r.{sql.column(Room, 'id')}"
            f" AND {alias}.{sql.column(model, 'user')} = %s AND {_in_force_sql(model, alias)}"
        )

    return f"""
        SELECT {sql.columns(Room, "r")},
               EXISTS ({of_member(RoomBan, "b", "1")}),
               ({of_member(RoomMute, "m", f"m.{sql.column(RoomMute, 'until')}")})
        FROM {sql.table(Room)} r WHERE r.{sql.column(Room, key)} = %s
    """


@cache
def _followers_sql() -> str:
    """Parameters: the room's content type and pk; its pk again and now (the bans in force)."""
    user = sql.column(Follow, "user")
    return f"""
        SELECT f.{user}, f.{sql.column(Follow, "level")} FROM {sql.table(Follow)} f
        WHERE f.{sql.column(Follow, "target_type")} = %s AND f.{sql.column(Follow, "target_id")} = %s
          AND NOT EXISTS (
            SELECT 1 FROM {sql.table(RoomBan)} b WHERE b.{sql.column(RoomBan, "room")} = %s
              AND b.{sql.column(RoomBan, "user")} = f.{user} AND {_in_force_sql(RoomBan, "b")})
    """


@cache
def _by_client_id_sql() -> str:
    """Parameters: room, author, client_id (the unique index of one_message_per_client_id)."""
    return f"""
        SELECT {sql.quote(RoomMessage._meta.pk.column)} FROM {sql.table(RoomMessage)}
        WHERE {sql.column(RoomMessage, "room")} = %s AND {sql.column(RoomMessage, "author")} = %s
          AND {sql.column(RoomMessage, "client_id")} = %s
    """


@cache
def _send_pace_sql() -> str:
    """Parameters: room, author, since; room, author, since, offset (room_message_author_created)."""
    created = sql.column(RoomMessage, "created")
    mine = (
        f"FROM {sql.table(RoomMessage)} WHERE {sql.column(RoomMessage, 'room')} = %s"
        f" AND {sql.column(RoomMessage, 'author')} = %s AND {created} > %s"
    )
    return f"SELECT (SELECT MAX({created}) {mine}), (SELECT {created} {mine} ORDER BY {created} DESC LIMIT 1 OFFSET %s)"
