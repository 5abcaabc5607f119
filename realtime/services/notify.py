"""Telling room watchers and mentioned members of a new message, after it is committed."""

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

from forum.models import Follow, FollowLevel
from forum.services.notifications import isolate, notify_room_message
from realtime.models import RoomBan, RoomMessage
from realtime.selectors import in_force


def notify_new_message(message_pk: int, mentioned_ids: list[int]) -> int:
    """Watchers get one `room` notification per room until read; the mentioned, a `mention`.

    A ban overrides a grant: banned members hear nothing; a member who muted the room
    hears nothing either, mentions included.
    """
    message = RoomMessage.objects.select_related("room", "author__profile").get(pk=message_pk)
    room = message.room
    levels = dict(Follow.objects.filter(
        target_type=ContentType.objects.get_for_model(room), target_id=room.pk,
    ).values_list("user_id", "level"))
    banned = set(RoomBan.objects.filter(in_force(), room=room).values_list("user_id", flat=True))
    watchers = {pk for pk, level in levels.items() if level == FollowLevel.WATCHING} - banned
    mentioned = {pk for pk in mentioned_ids if levels.get(pk) != FollowLevel.MUTED} - banned
    name, room_name = isolate(message.author.profile.display_name), isolate(room.name)

    def text_for(kind: str) -> str:
        if kind == "mention":
            return _("%(name)s mentioned you in “%(title)s”") % {"name": name, "title": room_name}
        return _("New messages in “%(room)s”") % {"room": room_name}

    return notify_room_message(
        room=room, author_id=message.author_id, watcher_ids=watchers, mentioned_ids=mentioned,
        text_for=text_for, url=room.get_absolute_url(), event_key=f"msg:{message.public_id}",
    )
