"""Editing a room message keeps what it said before, for the room's moderators only (as a
post's earlier versions are); the pages that edit without JavaScript and show those versions
ask the same checks as the services."""

import re
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from forum.errors import Forbidden, NotFound, RateLimited, ReadOnly
from forum.models.people import Location
from forum.services.leaving import ERASE, delete_account
from realtime import broadcast, protocol
from realtime.models import MessageRevision, Room, RoomMessage
from realtime.services import delete_message, edit_message, post_message, purge_expired, set_read_only


@pytest.fixture
def published(monkeypatch):
    frames = []
    monkeypatch.setattr(broadcast, "publish_frame", lambda group, frame: frames.append((group, frame)))
    return frames


@pytest.fixture
def said(member, room):
    message, _new = post_message(author=member, room=room, body="meet at the *old* place", client_id="m1")
    return message


def versions_url(message) -> str:
    return f"/rooms/{message.room.slug}/messages/{message.public_id}/versions/"


def edit_url(message) -> str:
    return f"/rooms/{message.room.slug}/messages/{message.public_id}/edit/"


# --- The service ---------------------------------------------------------------------------

def test_an_edit_keeps_the_earlier_text_advances_rev_and_tells_the_room_after_commit(
    member, room, said, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        edited = edit_message(by=member, room=room, message_id=said.public_id, body="meet at the **new** place")
    assert published == []  # nothing before the commit
    callbacks[0]()  # the broadcast (then the wipe of the old bytes, which a test database cannot do)

    revision = MessageRevision.objects.get()
    assert revision.message_id == said.pk and revision.body_source == "meet at the *old* place"
    assert revision.body_html == said.body_html and "<em>old</em>" in revision.body_html
    stored = RoomMessage.objects.get(pk=said.pk)
    assert stored.body_source == "meet at the **new** place" and "<strong>new</strong>" in stored.body_html
    assert stored.rev == 2 and Room.objects.get(pk=room.pk).rev == 2 and stored.edited is not None
    assert [frame["type"] for _group, frame in published] == ["message.edited"]
    frame = published[0][1]["message"]
    assert frame["id"] == said.public_id and frame["rev"] == 2 and frame["edited"] == protocol.iso(edited.edited)
    assert "<strong>new</strong>" in frame["body_html"]


def test_every_edit_keeps_the_text_it_replaced(member, room, said):
    for text in ("second", "third"):
        edit_message(by=member, room=room, message_id=said.public_id, body=text)
    assert [r.body_source for r in RoomMessage.objects.get(pk=said.pk).revisions.all()] == [
        "second", "meet at the *old* place"]


def test_the_same_text_again_changes_nothing(member, room, said, published):
    edit_message(by=member, room=room, message_id=said.public_id, body="  meet at the *old* place ")
    assert not MessageRevision.objects.exists() and published == []
    assert RoomMessage.objects.get(pk=said.pk).edited is None and Room.objects.get(pk=room.pk).rev == 1


def test_an_edit_goes_through_the_sanitiser(member, room, said):
    edit_message(
        by=member, room=room, message_id=said.public_id, body="<script>alert(1)</script> [x](javascript:alert(1))"
    )
    html = RoomMessage.objects.get(pk=said.pk).body_html
    assert "<script" not in html and 'href="javascript' not in html


def test_only_the_author_edits_and_a_refused_edit_keeps_nothing(member, make_member, moderator, room, said, published):
    for someone in (make_member(), moderator):
        with pytest.raises(Forbidden):
            edit_message(by=someone, room=room, message_id=said.public_id, body="not yours")
    assert not MessageRevision.objects.exists() and published == []
    assert RoomMessage.objects.get(pk=said.pk).body_source == "meet at the *old* place"


def test_a_deleted_message_cannot_be_edited(member, room, said):
    delete_message(by=member, room=room, message_id=said.public_id)
    with pytest.raises(NotFound):
        edit_message(by=member, room=room, message_id=said.public_id, body="back again")


def test_no_edit_in_a_read_only_room(member, moderator, room, said):
    set_read_only(by=moderator, room=room, on=True)
    with pytest.raises(ReadOnly):
        edit_message(by=member, room=room, message_id=said.public_id, body="quietly")
    assert not MessageRevision.objects.exists()


def test_edits_are_paced_as_sends_are(member, room, said, settings):
    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, "room_message": (3, 10)}
    for n in range(3):
        edit_message(by=member, room=room, message_id=said.public_id, body=f"take {n}")
    with pytest.raises(RateLimited) as refused:
        edit_message(by=member, room=room, message_id=said.public_id, body="take 3")
    assert 9 <= refused.value.retry_after <= 10 and MessageRevision.objects.count() == 3
    MessageRevision.objects.update(created_at=timezone.now() - timedelta(seconds=11))
    edit_message(by=member, room=room, message_id=said.public_id, body="take 3")


def test_a_deletion_takes_the_earlier_versions_with_the_text(member, moderator, room, said):
    edit_message(by=member, room=room, message_id=said.public_id, body="second thoughts")
    delete_message(by=moderator, room=room, message_id=said.public_id)
    assert not MessageRevision.objects.exists()


def test_a_member_who_leaves_erasing_their_words_leaves_no_earlier_version(member, room, said, password):
    edit_message(by=member, room=room, message_id=said.public_id, body="second thoughts")
    delete_account(user=member, password=password, content=ERASE)
    assert not MessageRevision.objects.exists()


def test_retention_purges_the_earlier_versions_with_their_message(member, make_room):
    week = make_room("week", retention_days=7)
    message, _ = post_message(author=member, room=week, body="old news", client_id="o")
    edit_message(by=member, room=week, message_id=message.public_id, body="older news")
    RoomMessage.objects.update(created=timezone.now() - timedelta(days=8))
    purge_expired()
    assert not MessageRevision.objects.exists()


@pytest.mark.django_db(transaction=True)
async def test_an_edit_over_the_socket_keeps_the_earlier_version_and_a_flood_is_refused(
    member, room, connect, settings
):
    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, "room_message": (2, 60)}
    socket = await connect(member)
    await socket.send({"type": "send", "body": "draft", "client_id": "d"})
    sent = (await socket.expect("message"))["message"]
    for text in ("second", "third"):
        await socket.send({"type": "edit", "id": sent["id"], "body": text})
        assert (await socket.expect("message.edited"))["message"]["edited"] is not None
    await socket.send({"type": "edit", "id": sent["id"], "body": "fourth"})
    refused = await socket.expect("error")
    assert refused["code"] == "rate_limited" and refused["retry_after"] > 0
    kept = await database_sync_to_async(
        lambda: list(MessageRevision.objects.order_by("created_at", "id").values_list("body_source", flat=True)))()
    assert kept == ["draft", "second"]


# --- The pages -----------------------------------------------------------------------------

def test_a_moderator_reads_the_earlier_versions(member, moderator, room, said, client_for):
    edit_message(by=member, room=room, message_id=said.public_id, body="meet at the new place")
    response = client_for(moderator).get(versions_url(said), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<em>old</em> place" in page and "meet at the new place" in page
    assert page.index("meet at the new place") < page.index("<em>old</em> place")  # now first, then before


def test_the_versions_page_does_not_exist_for_anyone_without_the_moderate_grant(
    member, make_member, moderator, room, said, client_for
):
    edit_message(by=member, room=room, message_id=said.public_id, body="edited")
    reader = make_member()  # views the room and writes in it, does not moderate it
    for user in (member, reader):  # the author too: versions are for moderators, as a post's are
        assert client_for(user).get(versions_url(said)).status_code == 404
    missing = f"/rooms/{room.slug}/messages/no-such-id/versions/"
    assert client_for(moderator).get(missing).status_code == 404


def test_a_deleted_message_has_no_versions_page(member, moderator, room, said, client_for):
    edit_message(by=member, room=room, message_id=said.public_id, body="edited")
    delete_message(by=member, room=room, message_id=said.public_id)
    assert client_for(moderator).get(versions_url(said)).status_code == 404


def test_a_message_past_its_rooms_retention_has_no_versions_page_before_the_purge_runs(
    member, moderator, room, said, client_for
):
    edit_message(by=member, room=room, message_id=said.public_id, body="edited")
    assert client_for(moderator).get(versions_url(said)).status_code == 200
    Room.objects.filter(pk=room.pk).update(retention_days=7)
    RoomMessage.objects.filter(pk=said.pk).update(created=timezone.now() - timedelta(days=8))
    assert client_for(moderator).get(versions_url(said)).status_code == 404


def test_a_member_without_view_gets_404_from_every_url_that_takes_a_message_id(
    member, make_member, make_room, client_for
):
    room = make_room("inside", grant_to="in-country")
    message, _ = post_message(author=member, room=room, body="first", client_id="f")
    edit_message(by=member, room=room, message_id=message.public_id, body="second")
    outsider = client_for(make_member(location=Location.DIASPORA))  # the room is for those inside
    assert outsider.get(versions_url(message)).status_code == 404
    assert outsider.get(edit_url(message)).status_code == 404
    assert outsider.post(edit_url(message), {"body": "mine now"}).status_code == 404
    assert RoomMessage.objects.get(pk=message.pk).body_source == "second"


def test_a_moderator_without_a_second_factor_is_sent_to_set_one_up(member, moderator, room, said, client_for):
    edit_message(by=member, room=room, message_id=said.public_id, body="edited")
    response = client_for(moderator, second_factor=False).get(versions_url(said))
    assert response.status_code == 302
    assert response["Location"].startswith(("/accounts/two-factor/", "/accounts/login/verify/"))
    assert "meet at" not in response.content.decode()


def test_the_room_page_offers_earlier_versions_exactly_where_the_page_opens(
    member, make_member, moderator, room, said, client_for
):
    plain, _ = post_message(author=member, room=room, body="never edited", client_id="p")
    edit_message(by=member, room=room, message_id=said.public_id, body="edited")
    for reader in (member, make_member(), moderator):
        page = client_for(reader).get(f"/rooms/{room.slug}/").content.decode()
        for message in (said, plain):
            offered = versions_url(message) in page
            opens = client_for(reader).get(versions_url(message)).status_code == 200
            assert offered == (opens and message is said), (reader, message.body_source)  # edited ones only
    assert versions_url(said) in client_for(moderator).get(f"/rooms/{room.slug}/").content.decode()


def test_the_history_page_offers_the_versions_too(member, moderator, room, said, client_for, settings):
    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, "room_message": (1000, 5)}
    edit_message(by=member, room=room, message_id=said.public_id, body="edited")
    for n in range(60):  # push it out of the live page
        post_message(author=moderator, room=room, body=f"n{n}", client_id=f"n{n}")
    page = client_for(moderator).get(f"/rooms/{room.slug}/?seq={said.seq}").content.decode()
    assert "room-history" in page and versions_url(said) in page


def test_the_author_edits_without_javascript(member, room, said, client_for):
    client = client_for(member)
    form = client.get(edit_url(said), HTTP_ACCEPT_LANGUAGE="en")
    assert form.status_code == 200 and "meet at the *old* place</textarea>" in form.content.decode()
    response = client.post(edit_url(said), {"body": "meet at the new place"})
    assert response.status_code == 302
    assert response["Location"] == f"/rooms/{room.slug}/?seq={said.seq}#m-{said.public_id}"
    assert RoomMessage.objects.get(pk=said.pk).body_source == "meet at the new place"
    assert MessageRevision.objects.get().body_source == "meet at the *old* place"


def test_the_edit_page_refuses_as_the_service_does(member, make_member, moderator, room, said, client_for):
    other = client_for(make_member())
    assert other.get(edit_url(said)).status_code == 403
    assert other.post(edit_url(said), {"body": "mine now"}).status_code == 403
    set_read_only(by=moderator, room=room, on=True)
    response = client_for(member).post(edit_url(said), {"body": "quietly"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403 and "read-only" in response.content.decode()
    assert not MessageRevision.objects.exists()


def test_an_edit_refused_for_its_text_shows_the_form_again_with_what_was_typed(member, room, said, client_for):
    response = client_for(member).post(edit_url(said), {"body": "x" * 4001}, HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 400 and "at most 4000 characters" in page
    assert re.search(r'<textarea[^>]*aria-invalid="true"', page) and "x" * 4001 in page


def test_an_edit_page_post_that_is_too_fast_answers_429_with_retry_after(member, room, said, client_for, settings):
    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, "room_message": (1, 60)}
    client = client_for(member)
    assert client.post(edit_url(said), {"body": "one"}).status_code == 302
    response = client.post(edit_url(said), {"body": "two"})
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 60


def test_the_room_page_costs_the_same_queries_for_1_and_20_edited_messages(
    member, moderator, room, client_for, settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, "room_message": (1000, 5)}
    client = client_for(moderator)

    def edited(n):
        message, _ = post_message(author=member, room=room, body=f"draft {n}", client_id=f"c{n}")
        edit_message(by=member, room=room, message_id=message.public_id, body=f"final {n}")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/rooms/{room.slug}/").status_code == 200
        return len(captured)

    edited(0)
    client.get(f"/rooms/{room.slug}/")  # the read position exists from here on
    one = queries()
    for n in range(1, 20):
        edited(n)
    assert queries() == one
