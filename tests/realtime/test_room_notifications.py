"""Following a room: one `room` notification per room until read, mentions, bans win."""

import pytest
from django.contrib.contenttypes.models import ContentType

from forum.models import Notification
from forum.services.following import set_follow_level
from forum.services.notifications import mark_read
from realtime.services import ban_member, post_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_member):
    return make_member("writer", display_name="Layla"), make_member("watcher", display_name="Sami")


def notes(user, room):
    return list(Notification.objects.filter(
        user=user, scope_type=ContentType.objects.get_for_model(room), scope_id=room.pk))


def send(author, room, body, n):
    return post_message(author=author, room=room, body=body, client_id=f"c{n}")


def test_a_watcher_gets_one_room_notification_until_read(room, people, django_capture_on_commit_callbacks):
    writer, watcher = people
    set_follow_level(user=watcher, target=room, level="watching")
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            send(writer, room, f"update {n}", n)
    (note,) = notes(watcher, room)
    assert note.kind == "room" and note.count == 3 and note.url == "/rooms/aden/"
    mark_read(user=watcher)
    with django_capture_on_commit_callbacks(execute=True):
        send(writer, room, "one more", 9)
    assert sorted(n.count for n in notes(watcher, room)) == [1, 3]


def test_a_mention_in_a_room_notifies_even_without_watching(room, people, django_capture_on_commit_callbacks):
    writer, watcher = people
    with django_capture_on_commit_callbacks(execute=True):
        send(writer, room, "@Sami can you join?", 1)
    (note,) = notes(watcher, room)
    assert note.kind == "mention" and "Layla" in note.text


def test_muted_rooms_and_banned_members_hear_nothing(room, people, moderator, make_member,
                                                      django_capture_on_commit_callbacks):
    writer, watcher = people
    banned = make_member("banned", display_name="Banned")
    set_follow_level(user=watcher, target=room, level="muted")
    set_follow_level(user=banned, target=room, level="watching")
    ban_member(by=moderator, room=room, member=banned, reason="spam")
    with django_capture_on_commit_callbacks(execute=True):
        send(writer, room, "@Sami @Banned hello", 1)
    assert notes(watcher, room) == [] and notes(banned, room) == []


def test_following_a_room_you_cannot_view_is_404_and_stores_nothing(room, make_member, client_for):
    outsider = make_member("outsider", display_name="Outsider")
    outsider.groups.clear()
    response = client_for(outsider).post("/rooms/aden/follow/", {"level": "watching"})
    assert response.status_code == 404
    assert not outsider.follows.exists()
    assert client_for(outsider).post("/rooms/nowhere/follow/", {"level": "watching"}).status_code == 404


def test_a_member_follows_a_room_from_its_page(room, member, client_for):
    client = client_for(member)
    assert 'action="/rooms/aden/follow/"' in client.get("/rooms/aden/").content.decode()
    assert client.post("/rooms/aden/follow/", {"level": "watching"}).status_code == 302
    assert member.follows.get().level == "watching"
    assert "Aden" in client.get("/following/").content.decode()
