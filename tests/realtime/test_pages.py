"""The room pages: /rooms/ lists exactly what you can open, a room you cannot see does not exist."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum.models.people import Location
from realtime.models import RoomMessage
from realtime.services import ban_member, post_message, set_read_only


def room_names(response):
    return re.findall(r'class="room-list-name" href="/rooms/([\w-]+)/"', response.content.decode())


def test_the_room_list_shows_exactly_the_rooms_you_can_view(
    member, make_member, admin_user, make_room, grant, client_for
):
    make_room("general")
    make_room("inside", grant_to="in-country")
    make_room("abroad", grant_to="diaspora")
    make_room("staff", grant_to=None)
    moderated = make_room("mods-only", grant_to=None)
    grant("moderate_room", moderated, member)
    banned_from = make_room("banned-from")
    ban_member(by=admin_user, room=banned_from, member=member)

    response = client_for(member).get("/rooms/")

    assert response.status_code == 200
    assert sorted(room_names(response)) == ["general", "inside", "mods-only"]
    assert sorted(room_names(client_for(make_member(location=Location.DIASPORA)).get("/rooms/"))) == [
        "abroad", "banned-from", "general"]


def test_an_admin_sees_every_room(admin_user, make_room, client_for):
    make_room("general")
    make_room("staff", grant_to=None)
    assert sorted(room_names(client_for(admin_user).get("/rooms/"))) == ["general", "staff"]


def test_the_room_list_needs_a_login(client):
    response = client.get("/rooms/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_room_list_costs_the_same_queries_for_1_and_30_rooms(member, make_room, client_for):
    client = client_for(member)
    make_room("room-0")
    one = queries_for(client, "/rooms/")
    for n in range(1, 30):
        make_room(f"room-{n}")
    assert queries_for(client, "/rooms/") == one


def test_a_room_without_grant_and_a_missing_room_are_both_404_alike(member, make_room, client_for):
    make_room("secret", grant_to="diaspora")
    client = client_for(member)
    forbidden, missing = client.get("/rooms/secret/"), client.get("/rooms/nowhere/")
    assert forbidden.status_code == missing.status_code == 404
    # The pages differ only by the address they were asked for and the (masked) CSRF token.
    def normalised(response, slug):
        html = response.content.decode().replace(slug, "X")
        return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", html)

    assert normalised(forbidden, "secret") == normalised(missing, "nowhere")


def test_the_room_page_shows_the_last_50_messages_and_the_hooks_of_the_js_client(member, room, client_for, settings):
    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, "room_message": (100, 5)}
    for n in range(1, 56):
        post_message(author=member, room=room, body=f"message {n} مرحبا", client_id=f"c{n}")

    response = client_for(member).get("/rooms/aden/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="room-message"') == 50
    assert "message 5 " not in html and "message 6 " in html and "message 55 " in html
    assert html.count('class="room-message-body" dir="auto"') == 50
    assert 'data-room-slug="aden"' in html and 'data-ws-path="/ws/rooms/aden/"' in html
    assert 'data-can-post="true"' in html and 'data-can-moderate="false"' in html and 'data-rev="55"' in html
    assert 'name="client_id"' in html and 'action="/rooms/aden/send/"' in html
    assert "<script>" not in html and " style=" not in html and "<style" not in html
    assert "rooms.css" in html


def test_the_room_page_costs_the_same_queries_for_5_and_50_messages(member, make_member, room, client_for, settings):
    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, "room_message": (100, 5)}
    client = client_for(member)
    authors = [make_member() for _ in range(5)]
    for n, author in enumerate(authors):
        post_message(author=author, room=room, body=f"{n}", client_id=f"{n}")
    few = queries_for(client, "/rooms/aden/")
    for n in range(5, 50):
        post_message(author=authors[n % 5], room=room, body=f"{n}", client_id=f"{n}")
    assert queries_for(client, "/rooms/aden/") == few


def test_a_tombstone_shows_without_its_text(member, room, client_for):
    from realtime.services import delete_message

    message, _ = post_message(author=member, room=room, body="regrettable words", client_id="r")
    delete_message(by=member, room=room, message_id=message.public_id)
    html = client_for(member).get("/rooms/aden/").content.decode()
    assert "regrettable" not in html and "room-message-tombstone" in html


def test_a_reader_gets_no_send_form(make_member, make_room, client_for):
    make_room("news", perms=("view_room",))
    html = client_for(make_member()).get("/rooms/news/").content.decode()
    assert 'data-can-post="false"' in html and "room-composer" not in html


def test_a_banned_member_is_told_so(member, moderator, room, client_for):
    ban_member(by=moderator, room=room, member=member, reason="spam")
    response = client_for(member).get("/rooms/aden/")
    assert response.status_code == 403 and "spam" in response.content.decode()


def test_the_send_form_posts_a_message_once_and_goes_back_to_the_room(member, room, client_for):
    client = client_for(member)
    for _ in range(2):  # the same form sent twice
        response = client.post("/rooms/aden/send/", {"body": "from a phone without JS", "client_id": "form-1"})
        assert response.status_code == 302 and response["Location"].startswith("/rooms/aden/#m-")
    assert list(RoomMessage.objects.values_list("body_source", flat=True)) == ["from a phone without JS"]


def test_the_send_form_shows_refusals(member, moderator, room, client_for, settings):
    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, "room_message": (1, 60)}
    client = client_for(member)
    assert client.post("/rooms/aden/send/", {"body": "  ", "client_id": "a"}).status_code == 400
    client.post("/rooms/aden/send/", {"body": "one", "client_id": "b"})
    limited = client.post("/rooms/aden/send/", {"body": "two", "client_id": "c"})
    assert limited.status_code == 429 and 1 <= int(limited["Retry-After"]) <= 60
    assert "two" in limited.content.decode()  # what was typed is kept
    set_read_only(by=moderator, room=room, on=True)
    assert client.post("/rooms/aden/send/", {"body": "three", "client_id": "d"}).status_code == 403
    assert RoomMessage.objects.count() == 1


def test_the_send_form_is_404_for_a_room_you_cannot_see(member, make_room, client_for):
    make_room("secret", grant_to="diaspora")
    assert client_for(member).post("/rooms/secret/send/", {"body": "x", "client_id": "x"}).status_code == 404
    assert not RoomMessage.objects.exists()


def test_the_pages_read_in_arabic(member, room, client_for):
    from forum.services.accounts import set_language

    set_language(member.profile, "ar")
    html = client_for(member).get("/rooms/").content.decode()
    assert 'dir="rtl"' in html


def test_each_message_says_what_the_reader_may_do_to_it_as_the_services_decide(
    member, make_member, moderator, room, client_for
):
    from forum.errors import DomainError
    from realtime.services import delete_message, edit_message, report_message

    other = make_member(display_name="Sami")
    own, _ = post_message(author=member, room=room, body="mine", client_id="own")
    theirs, _ = post_message(author=other, room=room, body="theirs", client_id="theirs")
    set_read_only(by=moderator, room=room, on=True)  # no editing while it lasts
    services = {
        "edit": lambda user, m: edit_message(by=user, room=room, message_id=m.public_id, body="changed"),
        "report": lambda user, m: report_message(by=user, room=room, message_id=m.public_id, reason="look"),
        "delete": lambda user, m: delete_message(by=user, room=room, message_id=m.public_id),
    }
    for reader in (member, moderator):
        page = client_for(reader).get("/rooms/aden/").content.decode()
        for message in (own, theirs):
            tag = re.search(rf'<li [^>]*id="m-{message.public_id}"[^>]*>', page).group(0)
            for action, service in services.items():  # delete last: it makes a tombstone
                shown = f'data-can-{action}="true"' in tag
                assert shown or f'data-can-{action}="false"' in tag
                try:
                    service(reader, RoomMessage.objects.get(pk=message.pk))
                except DomainError:
                    accepted = False
                else:
                    accepted = True
                assert shown == accepted, (reader, message.body_source, action)
        RoomMessage.objects.update(deleted=False)  # the next reader finds both again
