"""Telling room watchers and mentioned members of a new message, after it is committed."""

from forum.models import FollowLevel
from forum.services.notifications import notify_room_message
from realtime.models import RoomBan, RoomMessage
from realtime.selectors import followers, in_force


def notify_new_message(message: RoomMessage, mentioned_ids: list[int]) -> int:
    """Watchers get one `room` notification per room until read; the mentioned, a `mention`.

    A ban overrides a grant: banned members hear nothing; a member who muted the room
    hears nothing either, mentions included. `message` is the one `post_message` stored,
    with its room: it is not read again.
    """
    room = message.room
    levels = followers(room)
    watchers = {pk for pk, level in levels.items() if level == FollowLevel.WATCHING} - {message.author_id}
    mentioned = {pk for pk in mentioned_ids if levels.get(pk) != FollowLevel.MUTED} - {message.author_id}
    if mentioned:  # a banned member who does not follow the room is not among the followers
        mentioned -= set(RoomBan.objects.filter(in_force(), room=room, user_id__in=mentioned)
                         .values_list("user_id", flat=True))
    if not watchers and not mentioned:
        return 0  # most messages: nobody but the author follows the room
    # The sentence is said when shown, in each reader's language (forum.models.following).
    return notify_room_message(
        room=room, author_id=message.author_id, author_name=message.author.profile.display_name,
        watcher_ids=watchers, mentioned_ids=mentioned, url=room.get_absolute_url(),
        event_key=f"msg:{message.public_id}",
    )
