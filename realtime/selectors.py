"""Reads of the realtime app, filtered by what the reader may see, in SQL."""

from dataclasses import dataclass, field
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from forum import permissions
from forum.models import Profile, ReportStatus
from realtime.errors import NotFound
from realtime.models import MessageReport, OpenSocket, Room, RoomBan, RoomMessage, RoomMute

# Close codes of DESIGN.md (Wire protocol).
SESSION_ENDED, BANNED, NO_ROOM = 4401, 4403, 4404

MESSAGE_RELATIONS = ("room", "author__profile")


def in_force(now=None) -> Q:
    """Bans and mutes that still hold: without an end, or ending later."""
    return Q(until__isnull=True) | Q(until__gt=now or timezone.now())


# --- Rooms -----------------------------------------------------------------------------

def visible_rooms(user) -> QuerySet:
    """The rooms the user may open: granted view (or moderate), and not banned from."""
    rooms = permissions.objects_for(user, Room.objects.all())
    if user is None or not user.is_authenticated:
        return rooms
    banned = RoomBan.objects.filter(in_force(), room=OuterRef("pk"), user=user)
    return rooms.exclude(Exists(banned)).order_by("name", "slug")


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
        raise NotFound("No such member.")
    return profile.user


# --- Messages --------------------------------------------------------------------------

def _messages(room: Room) -> QuerySet:
    return RoomMessage.objects.filter(room=room).select_related(*MESSAGE_RELATIONS)


def get_message(room: Room, public_id: str) -> RoomMessage:
    """A message of this room that is not a tombstone, or NotFound."""
    message = _messages(room).filter(public_id=public_id, deleted=False).first()
    if message is None:
        raise NotFound("No such message in this room.")
    return message


def messages_before(room: Room, *, before: int | None, limit: int) -> tuple[list[RoomMessage], bool]:
    """Up to `limit` messages before `seq` (or the latest), oldest first, and whether more exist."""
    queryset = _messages(room)
    if before is not None:
        queryset = queryset.filter(seq__lt=before)
    page = list(queryset.order_by("-seq")[: limit + 1])
    return page[:limit][::-1], len(page) > limit


def changes_since(room: Room, *, after: int, limit: int) -> tuple[list[RoomMessage], bool, int]:
    """Messages changed after `rev`, oldest change first; whether more exist; the room's rev.

    The room's rev is read first and the changes are read up to it: the lock on the room
    row makes commit order counter order, so every change up to that rev is committed and
    the answer has no hole.
    """
    rev = Room.objects.filter(pk=room.pk).values_list("rev", flat=True).first() or 0
    page = list(_messages(room).filter(rev__gt=after, rev__lte=rev).order_by("rev")[: limit + 1])
    return page[:limit], len(page) > limit, rev


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


def socket_standing(*, session_key: str | None, user_pk: int, room_slug: str, grants: bool = True) -> Standing:
    """Re-check a socket as DESIGN.md asks: its session, `view_room`, then its ban.

    Nothing is trusted from when the socket opened: the session row, the user, the room
    and the grants are read afresh. With `grants=False` the grants are left to the
    service the caller is about to call, which raises RoomGone without `view_room`.
    """
    user = session_user(session_key, user_pk)
    if user is None:
        return Standing(close_code=SESSION_ENDED)
    banned = RoomBan.objects.filter(in_force(), room=OuterRef("pk"), user=user)
    room = Room.objects.annotate(banned=Exists(banned)).filter(slug=room_slug).order_by().first()
    if room is None:
        return Standing(close_code=NO_ROOM)
    verbs = permissions.perms_for(user, room) if grants else None
    if verbs is not None and permissions.VIEW not in verbs:
        return Standing(close_code=NO_ROOM)
    if room.banned:
        return Standing(close_code=BANNED)
    return Standing(user=user, room=room, verbs=verbs)


def session_user(session_key: str | None, user_pk: int):
    """The active user a session still logs in, if it is `user_pk`; else None.

    The same test Django applies to every request (the session exists and has not
    expired, its user is active, and the password has not changed since it began),
    without its side effects: a socket never cycles or flushes a session.
    """
    if not session_key:
        return None
    data = import_module(settings.SESSION_ENGINE).SessionStore(session_key).load()
    if str(data.get(SESSION_KEY)) != str(user_pk) or data.get(BACKEND_SESSION_KEY) not in settings.AUTHENTICATION_BACKENDS:
        return None
    user = get_user_model().objects.select_related("profile").filter(pk=user_pk, is_active=True).first()
    session_hash = data.get(HASH_SESSION_KEY)
    if user is None or not session_hash:
        return None
    if constant_time_compare(session_hash, user.get_session_auth_hash()) or any(
        constant_time_compare(session_hash, fallback) for fallback in user.get_session_auth_fallback_hash()
    ):
        return user
    return None


def stale_before(now=None):
    """Open-socket rows not refreshed since then belong to a process that went away."""
    interval = getattr(settings, "MAJLIS_SOCKET_RECHECK_SECONDS", 30)
    return (now or timezone.now()) - timedelta(seconds=3 * interval + 10)


def online_people(room: Room) -> list[dict]:
    """Who has the room open, once each, leaving out members who hide their presence."""
    online = OpenSocket.objects.filter(room=room, seen_at__gte=stale_before()).values("user")
    profiles = Profile.objects.filter(user__in=online, hide_presence=False).order_by("display_name", "pk")
    return [{"id": public_id, "name": name} for public_id, name in profiles.values_list("public_id", "display_name")]
