"""The command line: create_room, grant/revoke on rooms, purge_expired, seed_demo's rooms."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from forum import permissions
from realtime.models import Room, RoomMessage
from realtime.services import post_message


def test_create_room_makes_a_room_nobody_can_see_yet(db, member, capsys):
    call_command("create_room", "aden", "--name", "Aden coordination", "--retention-days", "7",
                 "--slow-mode", "10", "--topic", "Daily check-in")
    room = Room.objects.get(slug="aden")
    assert (room.name, room.topic, room.retention_days, room.slow_mode_seconds) == (
        "Aden coordination", "Daily check-in", 7, 10)
    assert "Created room aden" in capsys.readouterr().out
    assert not permissions.can_view(member, room)


@pytest.mark.parametrize("args", [
    ["aden", "--name", "Again"],  # taken
    ["not a slug", "--name", "X"],
    ["new", "--name", " "],
    ["new", "--name", "X", "--retention-days", "0"],
])
def test_create_room_refuses_bad_input(db, args):
    call_command("create_room", "aden", "--name", "Aden")
    with pytest.raises(CommandError):
        call_command("create_room", *args)


def test_grant_and_revoke_work_on_rooms(db, member):
    call_command("create_room", "aden", "--name", "Aden")
    call_command("grant", "view_room", "room:aden", "group:members", "--system")
    call_command("grant", "post_in_room", "room:aden", "user:member1", "--system")
    room = Room.objects.get(slug="aden")
    assert permissions.can_post(member, room)
    call_command("revoke", "view_room", "room:aden", "group:members", "--system")
    assert not permissions.can_view(member, room)


def test_purge_expired_deletes_what_is_past_each_rooms_retention(member, make_room, capsys, settings):
    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, "room_message": (100, 5)}
    week = make_room("week", retention_days=7)
    forever = make_room("forever")
    for room in (week, forever):
        for n in range(3):
            post_message(author=member, room=room, body=f"{n}", client_id=f"{n}")
    RoomMessage.objects.filter(client_id__in=["0", "1"]).update(created=timezone.now() - timedelta(days=8))

    call_command("purge_expired")
    call_command("purge_expired")  # again, as cron would: nothing left to do

    out = capsys.readouterr().out
    assert out == "week: 2 messages deleted\nweek: 0 messages deleted\n"
    assert sorted(RoomMessage.objects.values_list("room__slug", "client_id")) == [
        ("forever", "0"), ("forever", "1"), ("forever", "2"), ("week", "2")]


def test_seed_demo_adds_rooms_for_each_audience_idempotently(db):
    call_command("seed_demo")
    call_command("seed_demo")
    User = get_user_model()
    people = {u.username: u for u in User.objects.all()}
    slugs = set(Room.objects.values_list("slug", flat=True))
    assert {"majlis", "inside", "diaspora", "rapid-response", "taiz-advocacy", "aden-youth"} <= slugs
    assert len(slugs) == 4 + 8
    assert Room.objects.get(slug="rapid-response").retention_days == 7
    rooms = {room.slug: room for room in Room.objects.all()}
    assert permissions.can_view(people["member"], rooms["inside"])
    assert not permissions.can_view(people["member"], rooms["diaspora"])
    assert permissions.can_view(people["diaspora"], rooms["diaspora"])
    assert not permissions.can_view(people["diaspora"], rooms["inside"])
    assert permissions.can_post(people["member"], rooms["taiz-advocacy"])
    assert not permissions.can_view(people["member"], rooms["aden-youth"])
    assert permissions.can_moderate(people["moderator"], rooms["majlis"])
    assert not permissions.can_moderate(people["member"], rooms["majlis"])
    messages = RoomMessage.objects.filter(room=rooms["majlis"])
    assert messages.count() == 4 and list(messages.values_list("seq", flat=True)) == [1, 2, 3, 4]
