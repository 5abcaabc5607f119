"""Every rule of the rooms, written once: one `check_<action>(user, obj)` per room action.

The contract of forum/checks.py: a check returns None when the member may act. It raises
`RoomGone` (a NotFound) when they may not even see the room, the same answer as for a
room that does not exist: 404 on a page, 4404 on a socket. It raises `Forbidden`,
`Muted` or `ReadOnly` with a translated reason when they see the room but may not do
this. Services call the check before they write; the room page asks
`permissions.can(check, user, obj)` for each control it offers; a socket's `error` frame
carries the very `detail` a page shows, in the member's language.

A member's ban and mute come with the room row: a room read for this member by
`selectors.room_for_member` carries them (`room.banned`, `room.muted_until`), read in one
statement with the row (the send path reads it under the room lock, see
services/messages.py `_advance`), and the checks take them as read. A plain Room is read
again for the member first (one query).
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from forum import permissions, times
from forum.errors import Forbidden, Muted, NotFound, ReadOnly, RoomGone
from realtime import selectors
from realtime.models import Room, RoomMessage


# Small rules, composed below ------------------------------------------------------------

def _as_read_for(user, room: Room) -> Room:
    """The room with this member's ban and mute in force (see the module's docstring)."""
    if hasattr(room, "banned"):
        return room
    read = selectors.room_for_member(user, pk=room.pk)
    if read is None:
        raise RoomGone()  # deleted meanwhile
    return read


def _check_sees(user, room: Room) -> None:
    if permissions.VIEW not in permissions.perms_for(user, room):
        raise RoomGone()


def _check_not_banned(room: Room) -> None:
    if room.banned:
        raise Forbidden(_("You are banned from this room."))


def _check_writes_in(user, room: Room) -> None:
    if permissions.POST not in permissions.perms_for(user, room):
        raise Forbidden(_("You can read this room but not write in it."))


def _check_not_muted(room: Room) -> None:
    if room.muted_until is not None:
        until = times.full(room.muted_until)
        raise Muted(_("You are muted in this room until %(until)s.") % {"until": until})


def _check_open(room: Room) -> None:
    if room.read_only:
        raise ReadOnly(_("This room is read-only for now."))


def _moderates(user, room: Room) -> bool:
    return permissions.MODERATE in permissions.perms_for(user, room)


def _check_moderates(user, room: Room) -> None:
    if not _moderates(user, room):
        permissions.check_second_factor(user, room)
        raise Forbidden(_("Only the room's moderators can do this."))


def _opened(user, room: Room) -> Room:
    """`check_view_room`, answering the room as read for the member (for the next rules)."""
    _check_sees(user, room)
    room = _as_read_for(user, room)
    _check_not_banned(room)
    return room


def _check_still_there(message: RoomMessage) -> None:
    if message.deleted:
        raise NotFound(_("That message is no longer here."))


# Rooms ----------------------------------------------------------------------------------

def check_view_room(user, room: Room) -> None:
    """Open the room (its page, its socket): a grant to view it, and no ban in force."""
    _opened(user, room)


check_follow_room = check_view_room


def check_write_grant(user, room: Room) -> None:
    """The grants part of `check_post_message`: the room page offers its composer by it
    (a mute or read-only mode come and go while the page is open), and `post_message`
    asks it before it takes the room lock, to keep the lock short."""
    _check_sees(user, room)
    _check_writes_in(user, room)


def check_not_banned(user, room: Room) -> None:
    """The ban part of `check_post_message`, which `post_message` asks before it answers a
    repeated send: a repeat is answered to a member muted since, never to a banned one."""
    _check_not_banned(_as_read_for(user, room))


def check_post_message(user, room: Room) -> None:
    """Write a message: may write here, and is not banned, muted or shut out by read-only
    mode (which holds for moderators too)."""
    check_write_grant(user, room)
    room = _as_read_for(user, room)
    _check_not_banned(room)
    _check_not_muted(room)
    _check_open(room)


def check_moderate_room(user, room: Room) -> None:
    """Slow mode, read-only mode, handling the reports of the room's messages."""
    _check_sees(user, room)
    _check_moderates(user, room)


check_set_slow_mode = check_set_read_only = check_moderate_room


def check_sanction(user, room: Room, member) -> None:
    """Mute or ban `member` here: a moderator may, but never another moderator of the room."""
    check_moderate_room(user, room)
    if _moderates(member, room):
        raise Forbidden(_("A moderator of this room cannot be muted or banned in it."))


check_mute = check_ban = check_sanction


def check_lift_sanction(user, room: Room, member=None) -> None:
    """Lift a member's mute or ban: the room's moderators."""
    check_moderate_room(user, room)


check_unmute = check_unban = check_lift_sanction


def check_manage_rooms(user) -> None:
    """Creating, changing and deleting rooms is for coalition admins."""
    permissions.check_coalition_admin(user, _("Only coalition admins can create or change rooms."))


# Messages (`message.room` may be a room read for the member, as above) --------------------

def _check_kept(message: RoomMessage) -> None:
    """A message past its room's retention is gone, whether or not purge_expired ran yet."""
    days = message.room.retention_days
    if days is not None and message.created < timezone.now() - timedelta(days=days):
        raise NotFound(_("That message is no longer here."))


def check_view_message(user, message: RoomMessage) -> None:
    """See one message (and so its files): the room opens for the member, and the message
    is neither deleted nor past the room's retention."""
    _opened(user, message.room)
    _check_still_there(message)
    _check_kept(message)


def check_edit_message(user, message: RoomMessage) -> None:
    """Its author rewrites it, where they may still write."""
    room = _opened(user, message.room)
    _check_still_there(message)
    if message.author_id != user.pk:
        raise Forbidden(_("Only its author can edit a message."))
    check_post_message(user, room)


def check_delete_message(user, message: RoomMessage) -> None:
    """Its author, or a moderator of the room, turns it into a tombstone."""
    _opened(user, message.room)
    _check_still_there(message)
    if message.author_id != user.pk and not _moderates(user, message.room):
        permissions.check_second_factor(user, message.room)  # a moderator, but not in this session
        raise Forbidden(_("Only its author or a moderator can delete a message."))


def check_read_message_versions(user, message: RoomMessage) -> None:
    """The earlier versions of an edited message are for the room's moderators, as a
    post's are for its category's: whoever else asks is told the page does not exist."""
    _opened(user, message.room)
    _check_still_there(message)
    _check_kept(message)  # past retention, its versions are gone with it
    _check_moderates(user, message.room)


def check_report_message(user, message: RoomMessage) -> None:
    """Anyone who reads the room may ask its moderators to look at someone else's message
    (their own they can delete)."""
    _opened(user, message.room)
    _check_still_there(message)
    if message.author_id == user.pk:
        raise Forbidden(_("You can delete your own message rather than report it."))
