"""Unread messages of rooms, and a member's read position in one (realtime.models.RoomRead;
realtime.services.reading moves it).

A message is unread for a member when someone else wrote it, it is not deleted, it came
after they joined, and its `seq` is past their position. The count is a subquery of the
room list's own query, so a page's query count does not grow with its rooms.
"""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from realtime.models import Room, RoomMessage, RoomRead


def with_unread_messages(user, rooms: QuerySet) -> QuerySet:
    """Rooms, each with `unread` (messages new to the member) and `latest` (its newest message's time)."""
    position = RoomRead.objects.filter(user=user, room=OuterRef("pk")).values("seq")[:1]
    unread = (
        RoomMessage.objects.filter(room=OuterRef("pk"), seq__gt=OuterRef("read_up_to"), deleted=False,
                                   created__gt=user.date_joined)
        .exclude(author=user).order_by().values("room").annotate(n=Count("id")).values("n")
    )
    latest = RoomMessage.objects.filter(room=OuterRef("pk"), deleted=False).order_by("-seq").values("created")[:1]
    return rooms.annotate(
        read_up_to=Coalesce(Subquery(position), Value(0), output_field=IntegerField()),
    ).annotate(unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)), latest=Subquery(latest))


def read_position(user, room: Room) -> int:
    return RoomRead.objects.filter(user=user, room=room).values_list("seq", flat=True).first() or 0


def first_new(user, messages: list, position: int):
    """Of the messages a page shows (oldest first), the first one new to the member: past
    their position, someone else's, not deleted, and written after they joined."""
    return next((m for m in messages if m.seq > position and m.author_id != user.pk
                 and not m.deleted and m.created > user.date_joined), None)
