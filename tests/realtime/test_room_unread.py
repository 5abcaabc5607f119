"""Unread messages in rooms (issue 16): counted on home, a divider where the member left
off, and the position the live page reports (POST /rooms/<slug>/read/)."""

import re

import pytest
from django.contrib.auth.models import Group

from realtime.models import RoomRead
from realtime.services import ban_member, post_message
from tests.realtime.conftest import logged_in_client


@pytest.fixture
def members(make_member):
    group = Group.objects.get_or_create(name="members")[0]
    people = [make_member(display_name=name) for name in ("Reem", "Layla")]
    for person in people:
        group.user_set.add(person)
    return people


def say(room, author, body):
    message, _created = post_message(author=author, room=room, body=body, client_id=re.sub(r"\W", "-", body))
    room.refresh_from_db()
    return message


def unread_on_home(client, room) -> int:
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    line = re.search(rf'href="/rooms/{room.slug}/"[^\n]*', page).group(0)
    found = re.search(r"(\d+) unread", line)
    return int(found.group(1)) if found else 0


def test_messages_of_others_are_unread_until_the_room_is_opened_with_a_divider_where_they_begin(room, members):
    reem, layla = members
    client = logged_in_client(reem)
    say(room, reem, "Mine")
    assert unread_on_home(client, room) == 0
    say(room, layla, "First news")
    second = say(room, layla, "Second news")
    assert unread_on_home(client, room) == 2
    page = client.get(f"/rooms/{room.slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.index("Mine") < page.index('id="new"') < page.index("First news")
    assert RoomRead.objects.get(user=reem, room=room).seq == second.seq
    assert unread_on_home(client, room) == 0
    assert 'id="new"' not in client.get(f"/rooms/{room.slug}/").content.decode()


def test_the_live_page_reports_how_far_the_member_read_never_backwards_nor_past_the_room(room, members):
    reem, layla = members
    client = logged_in_client(reem)
    for n in range(3):
        say(room, layla, f"News {n}")
    assert client.post(f"/rooms/{room.slug}/read/", {"seq": "2"}).status_code == 204
    assert unread_on_home(client, room) == 1
    client.post(f"/rooms/{room.slug}/read/", {"seq": "1"})
    assert RoomRead.objects.get(user=reem, room=room).seq == 2
    client.post(f"/rooms/{room.slug}/read/", {"seq": "999"})
    assert RoomRead.objects.get(user=reem, room=room).seq == 3
    assert client.post(f"/rooms/{room.slug}/read/", {"seq": "nonsense"}).status_code == 204
    assert RoomRead.objects.get(user=reem, room=room).seq == 3


def test_reporting_a_position_answers_404_without_the_grant_or_with_a_ban_and_stores_nothing(
    room, make_room, members, moderator,
):
    reem, layla = members
    secret = make_room("secret", grant_to="insiders")
    client = logged_in_client(reem)
    assert client.post(f"/rooms/{secret.slug}/read/", {"seq": "1"}).status_code == 404
    assert client.post("/rooms/no-such-room/read/", {"seq": "1"}).status_code == 404
    say(room, layla, "News")
    ban_member(room=room, member=reem, by=moderator, reason="Spam")
    assert client.post(f"/rooms/{room.slug}/read/", {"seq": "1"}).status_code == 404
    assert not RoomRead.objects.filter(user=reem).exists()
