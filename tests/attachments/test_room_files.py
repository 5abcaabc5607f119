"""Files in rooms (DESIGN.md): uploaded first (POST /rooms/<slug>/files/, field `file`,
answering `{id, name, size, type, url, preview_url}`), then sent with
`{"type": "send", …, "attachments": [id…]}`; `M` carries them. Only the sender's own
waiting files of that room can be sent; anything else stores nothing."""

import json
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from attachments.models import Attachment
from forum.services.grants import do_grant_permission
from realtime.models import RoomMessage
from realtime.services import ban_member, delete_message, mute_member, post_message, set_read_only
from tests.attachments import corpus
from tests.attachments.conftest import files_on_disk
from tests.realtime.conftest import connect, isolate_socket_tests, logged_in_client

__all__ = ["connect", "isolate_socket_tests"]

KEYS = {"id", "name", "size", "type", "url", "preview_url"}


@pytest.fixture(scope="module")
def photo():
    return corpus.jpeg(orientation=1)


@pytest.fixture
def room(make_room):
    return make_room("aden", name="Aden")


@pytest.fixture
def keeper(make_person, room):
    user = make_person("keeper", display_name="Warda")
    do_grant_permission(actor=None, perm="moderate_room", obj=room, to=user, via="tests")
    return user


def upload(client, data, name="photo.jpg", slug="aden"):
    response = client.post(f"/rooms/{slug}/files/", {"file": SimpleUploadedFile(name, data)},
                           HTTP_ACCEPT_LANGUAGE="en")
    return response.status_code, json.loads(response.content)


@pytest.mark.django_db
def test_an_upload_answers_the_file_as_clients_receive_it_and_waits_for_its_message(room, writer, client_for, photo):
    client = client_for(writer)
    status, answer = upload(client, photo, "IMG_1.jpg")
    assert status == 201 and set(answer) == KEYS
    stored = Attachment.objects.get(public_id=answer["id"])
    assert answer == {
        "id": stored.public_id, "name": "IMG_1.jpg", "size": stored.size, "type": "image/jpeg",
        "url": f"/files/{stored.public_id}/", "preview_url": f"/files/{stored.public_id}/preview/",
    }
    assert (stored.room, stored.uploader, stored.message, stored.post) == (room, writer, None, None)
    assert client.get(answer["url"]).status_code == 200


@pytest.mark.django_db
def test_a_recording_has_no_preview_url(room, writer, client_for):
    status, answer = upload(client_for(writer), corpus.opus(), "voice.ogg")
    assert status == 201 and answer["type"] == "audio/ogg" and answer["preview_url"] is None


@pytest.mark.django_db
@pytest.mark.parametrize("standing, status, code", [
    ("muted", 403, "muted"), ("read_only", 403, "read_only"), ("banned", 403, "forbidden"),
    ("reader", 403, "forbidden"), ("outsider", 404, "not_found"), ("anonymous", 404, "not_found"),
])
def test_an_upload_is_refused_as_a_send_would_be_and_stores_nothing(
    standing, status, code, room, writer, keeper, make_person, client_for, photo, media_root,
):
    from django.contrib.auth.models import Group
    from django.test import Client

    client = client_for(writer)
    if standing == "muted":
        mute_member(by=keeper, room=room, member=writer, until=timezone.now() + timedelta(hours=1))
    elif standing == "read_only":
        set_read_only(by=keeper, room=room, on=True)
    elif standing == "banned":
        ban_member(by=keeper, room=room, member=writer, reason="Spam")
    elif standing in ("reader", "outsider"):
        person = make_person(standing, display_name=standing.title())
        Group.objects.get(name="members").user_set.remove(person)
        if standing == "reader":
            do_grant_permission(actor=None, perm="view_room", obj=room, to=person, via="tests")
        client = client_for(person)
    else:
        client = Client()
    got_status, answer = upload(client, photo)
    assert (got_status, answer["type"], answer["code"]) == (status, "error", code) and answer["detail"]
    assert not Attachment.objects.exists() and files_on_disk(media_root) == []


@pytest.mark.django_db
def test_a_refused_file_answers_its_reason_and_stores_nothing(room, writer, client_for, media_root):
    status, answer = upload(client_for(writer), b"<svg onload=alert(1)>", "x.jpg")
    assert status == 400 and answer["code"] == "bad_request" and "not accepted" in answer["detail"]
    response = client_for(writer).post("/rooms/aden/files/", {}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and json.loads(response.content)["detail"] == "Send the file in the field 'file'."
    assert not Attachment.objects.exists() and files_on_disk(media_root) == []


@pytest.mark.django_db
def test_past_the_daily_allowance_an_upload_answers_429(room, writer, client_for, photo, settings):
    settings.MAJLIS_ATTACHMENT_DAILY_BYTES = len(photo) - 1
    response = client_for(writer).post("/rooms/aden/files/", {"file": SimpleUploadedFile("a.jpg", photo)})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert json.loads(response.content)["code"] == "rate_limited"


# --- Sending ------------------------------------------------------------------------------

def _waiting(user, data, room="aden"):
    client = logged_in_client(user)
    status, answer = upload(client, data, slug=room)
    assert status == 201, answer
    return answer


@pytest.mark.django_db(transaction=True)
async def test_a_send_with_attachments_gives_them_to_the_message_and_m_carries_them(
    room, writer, other_member, connect, photo,
):
    file = await database_sync_to_async(_waiting)(writer, photo)
    sender, receiver = await connect(writer), await connect(other_member)
    await sender.send({"type": "send", "body": "", "client_id": "f1", "attachments": [file["id"]]})
    for socket in (sender, receiver):
        message = (await socket.expect("message"))["message"]
        assert message["attachments"] == [file] and message["body_html"] == ""
    stored = await database_sync_to_async(Attachment.objects.select_related("message").get)(public_id=file["id"])
    assert stored.message.client_id == "f1"
    # Now a file of the message: whoever reads the room may fetch it.
    client = await database_sync_to_async(logged_in_client)(other_member)
    response = await database_sync_to_async(client.get)(file["url"])
    assert response.status_code == 200


@pytest.mark.django_db(transaction=True)
async def test_history_on_connect_carries_each_messages_attachments(room, writer, other_member, connect, photo):
    def send_with_file():
        file = _waiting(writer, photo)
        post_message(author=writer, room=room, body="With a file", client_id="h1", attachments=[file["id"]])
        post_message(author=writer, room=room, body="Without", client_id="h2")
        return file

    file = await database_sync_to_async(send_with_file)()
    socket = await connect(other_member)
    messages = socket.catch_up["messages"]
    assert [m["attachments"] for m in messages] == [[file], []]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("whose", ["someone else's", "unknown", "another room's", "sent already"])
async def test_only_the_senders_own_waiting_files_of_the_room_can_be_sent(
    whose, make_room, room, writer, other_member, connect, photo,
):
    def prepare():
        make_room("taiz")
        mine = _waiting(writer, photo)
        if whose == "someone else's":
            return mine, _waiting(other_member, photo)["id"]
        if whose == "another room's":
            return mine, _waiting(writer, photo, room="taiz")["id"]
        if whose == "sent already":
            sent = _waiting(writer, photo)
            post_message(author=writer, room=room, body="First", client_id="s0", attachments=[sent["id"]])
            return mine, sent["id"]
        return mine, "nOtAnIdAtAll"

    mine, bad = await database_sync_to_async(prepare)()
    before = await database_sync_to_async(RoomMessage.objects.count)()
    socket = await connect(writer)
    await socket.send({"type": "send", "body": "Look", "client_id": "x1", "attachments": [mine["id"], bad]})
    error = await socket.expect("error")
    assert (error["code"], error["ref"]) == ("not_found", "x1")
    assert await database_sync_to_async(RoomMessage.objects.count)() == before
    still = await database_sync_to_async(Attachment.objects.get)(public_id=mine["id"])
    assert still.message_id is None  # nothing half-stored: the good file still waits


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("value", ["abc", [1, 2], ["x" * 17], [f"id{n}" for n in range(11)], {"id": "x"}])
async def test_attachments_must_be_a_short_list_of_ids(value, room, writer, connect):
    socket = await connect(writer)
    await socket.send({"type": "send", "body": "Hi", "client_id": "b1", "attachments": value})
    error = await socket.expect("error")
    assert error["code"] == "bad_request" and "attachments" in error["detail"]
    assert await database_sync_to_async(RoomMessage.objects.count)() == 0


@pytest.mark.django_db(transaction=True)
async def test_a_deleted_message_announces_no_attachments(room, writer, other_member, connect, photo):
    def send():
        file = _waiting(writer, photo)
        return post_message(author=writer, room=room, body="Oops", client_id="d1", attachments=[file["id"]])[0]

    message = await database_sync_to_async(send)()
    receiver = await connect(other_member)
    await database_sync_to_async(delete_message)(by=writer, room=room, message_id=message.public_id)
    deleted = (await receiver.expect("message.deleted"))["message"]
    assert deleted["deleted"] is True and deleted["attachments"] == []


@pytest.mark.django_db
def test_a_send_without_attachments_costs_no_query_for_them(room, writer, django_assert_max_num_queries):
    post_message(author=writer, room=room, body="warm", client_id="w0")
    message, _ = post_message(author=writer, room=room, body="plain", client_id="w1")
    from realtime import protocol

    with django_assert_max_num_queries(0):
        assert protocol.message(message)["attachments"] == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("deleter", ["writer", "keeper"])
def test_a_deleted_message_takes_its_files_off_the_disk(room, writer, keeper, photo, media_root, deleter):
    # A member who deletes a picture (or a moderator who removes an identifying one) must
    # not leave it on the server: neither the row, the cleaned file nor its preview stays.
    file = _waiting(writer, photo)
    message = post_message(author=writer, room=room, body="", client_id="gone", attachments=[file["id"]])[0]
    assert files_on_disk(media_root)
    delete_message(by={"writer": writer, "keeper": keeper}[deleter], room=room, message_id=message.public_id)
    assert not Attachment.objects.exists()
    assert files_on_disk(media_root) == []
