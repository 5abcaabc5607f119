"""A member's room messages and room follows, for export and for leaving (forum/leaving.py).

Registered when the app loads (realtime/apps.py): the forum reaches rooms only this way.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from django.utils.translation import gettext as _

from forum import erasure
from forum.leaving import Holding
from forum.models import Follow
from realtime import broadcast, protocol
from realtime.models import MessageRevision, Room, RoomMessage
from realtime.selectors import visible_rooms
from search import index as search_index


def _unseen_place() -> str:
    return _("a room you can no longer see")


def export(user) -> dict[str, list[dict]]:
    """The member's messages with the room's name and when; their room follows. The name of
    a room they may no longer open is withheld."""
    visible = dict(visible_rooms(user).values_list("pk", "name"))
    messages = [
        {
            "room": visible.get(message.room_id, _unseen_place()),
            "created": protocol.iso(message.created),
            "edited": protocol.iso(message.edited),
            "text": message.body_source,
        }
        for message in RoomMessage.objects.filter(author=user, deleted=False).order_by("created", "pk")
    ]
    follows = [
        {"kind": "room", "place": visible.get(follow.target_id, _unseen_place()), "level": follow.level}
        for follow in Follow.objects.filter(user=user, target_type=ContentType.objects.get_for_model(Room))
        .order_by("created_at", "pk")
    ]
    return {"room_messages": messages, "follows": follows}


def erase(user) -> None:
    """Every message of the member becomes a tombstone, exactly as a deletion leaves one
    (realtime.services.messages.delete_message): no text, no earlier versions, `deleted`,
    a new `rev` each, and `message.deleted` to the room once committed. Call it inside a
    transaction."""
    mine = RoomMessage.objects.filter(author=user, deleted=False)
    for room_pk in mine.values_list("room_id", flat=True).distinct().order_by("room_id"):
        pks = list(mine.filter(room_id=room_pk).order_by("seq").values_list("pk", flat=True))
        # One UPDATE advances the room's `rev` past all of them, under the room's row lock
        # (SQLite: the transaction's write lock), as `_advance` does for one message.
        Room.objects.filter(pk=room_pk).update(rev=F("rev") + len(pks))
        room = Room.objects.get(pk=room_pk)
        first_rev = room.rev - len(pks) + 1
        search_index.forget_messages(pks)
        MessageRevision.objects.filter(message__in=pks).delete()  # earlier versions go too
        for offset, pk in enumerate(pks):
            RoomMessage.objects.filter(pk=pk).update(deleted=True, body_source="", body_html="", rev=first_rev + offset)
        for message in RoomMessage.objects.filter(pk__in=pks).select_related("room").order_by("rev"):
            message.author = None  # the account goes in this transaction: the room hears "former member"
            broadcast.publish_on_commit(broadcast.room_group(room.slug), protocol.message_event("message.deleted", message))
    erasure.scrub_after_commit()


def holding() -> Holding:
    return Holding(export=export, erase=erase)

