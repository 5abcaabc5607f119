"""Showing files (issue 17, items 1, 4 and 5): a room's page without JavaScript shows each
message's files as a thread shows a post's (preview, "tap to load", downloads with kind and
size, fingerprint), a deleted message none; the room's form sends files without JavaScript;
"Load full pictures automatically" (the profile, off by default) shows pictures in full
in posts and rooms; GET /files/details/ tells the pages' own client what a frame does not
carry (fingerprints, sizes; a live post's files), to the people who may see them only."""

import json

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from attachments import services as files
from attachments.templatetags.files import size
from forum.models import Profile
from forum.services.content import reply
from realtime.models import RoomMessage
from realtime.services import delete_message, post_message
from tests.attachments import corpus

@pytest.fixture(scope="module")
def photo():
    return corpus.jpeg(orientation=1)


@pytest.fixture
def room(make_room):
    return make_room("aden", name="Aden")


def _file(data, name):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _message_with(room, author, *uploads, body="Look"):
    waiting = [files.upload_to_room(by=author, room=room, upload=upload) for upload in uploads]
    message, _ = post_message(author=author, room=room, body=body, client_id=f"c{len(body)}",
                              attachments=[a.public_id for a in waiting])
    return message, waiting


def _page(client, url):
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_a_room_page_without_javascript_shows_a_messages_files(room, writer, other_member, client_for, photo):
    message, (picture, pdf) = _message_with(room, writer, _file(photo, "IMG_7.jpg"),
                                            _file(corpus.pdf(with_photo=False), "statement.pdf"))
    page = _page(client_for(other_member), room.get_absolute_url())
    item = page[page.index(f'id="m-{message.public_id}"'):]
    item = item[:item.index("</li>\n</ol>") if "</li>\n</ol>" in item else None]
    assert f'src="/files/{picture.public_id}/preview/"' in item
    assert f'width="{picture.preview_width}" height="{picture.preview_height}"' in item
    assert 'alt="Picture: IMG_7.jpg"' in item
    assert f'<a class="attachment-full" href="/files/{picture.public_id}/">Tap to load the full picture ({size(picture.size)})' in item
    assert f'href="/files/{pdf.public_id}/" download' in item and "PDF document, " + size(pdf.size) in item
    assert picture.fingerprint[:12] + "…" in item and pdf.fingerprint in item
    # The full picture is not loaded until tapped.
    assert f'src="/files/{picture.public_id}/"' not in item


def test_full_pictures_load_at_once_for_a_member_who_asked(room, thread, writer, other_member, client_for, photo):
    message, (picture,) = _message_with(room, writer, _file(photo, "IMG_8.jpg"))
    post = reply(author=writer, thread=thread, body="With a photo")
    files.add_files(by=writer, files=[_file(photo, "IMG_9.jpg")], post=post)
    on_post = post.attachments.get()
    Profile.objects.filter(user=other_member).update(load_full_pictures=True)
    client = client_for(other_member)
    for url, shown in ((room.get_absolute_url(), picture), (thread.get_absolute_url(), on_post)):
        page = _page(client, url)
        assert f'<img src="/files/{shown.public_id}/" width="{shown.width}" height="{shown.height}"' in page, url
        assert f"/files/{shown.public_id}/preview/" not in page and 'class="attachment-full"' not in page
    # The live room client reads the same choice.
    assert 'data-load-full="true"' in _page(client, room.get_absolute_url())
    assert 'data-load-full="false"' in _page(client_for(writer), room.get_absolute_url())


def test_a_deleted_message_shows_no_files(room, writer, other_member, client_for, photo):
    message, (picture,) = _message_with(room, writer, _file(photo, "IMG_1.jpg"))
    delete_message(by=writer, room=room, message_id=message.public_id)
    page = _page(client_for(other_member), room.get_absolute_url())
    assert picture.public_id not in page and "This message was deleted." in page


def test_the_rooms_form_sends_files_without_javascript(room, writer, client_for, photo):
    client = client_for(writer)
    page = _page(client, room.get_absolute_url())
    form = page[page.index('class="room-composer"'):]
    assert 'enctype="multipart/form-data"' in form[:300] and 'type="file"' in form and 'name="attachments"' in form
    assert "Location and device data are removed" in form and "Faces" in form

    response = client.post(f"/rooms/{room.slug}/send/", {
        "body": "", "client_id": "nojs1", "attachments": [_file(photo, "a.jpg"), _file(photo, "b.jpg")],
    })
    assert response.status_code == 302
    message = RoomMessage.objects.get(client_id="nojs1")
    assert sorted(message.attachments.values_list("name", flat=True)) == ["a.jpg", "b.jpg"]
    assert message.body_source == ""


def test_a_refused_file_on_the_rooms_form_sends_nothing_and_says_why(room, writer, client_for, media_root):
    response = client_for(writer).post(f"/rooms/{room.slug}/send/", {
        "body": "Here", "client_id": "nojs2", "attachments": [_file(b"<html><script>x</script></html>", "x.jpg")],
    }, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Accepted: photos" in response.content.decode() and "Here</textarea>" in response.content.decode()
    assert not RoomMessage.objects.filter(client_id="nojs2").exists()


def test_details_answer_fingerprints_to_those_who_may_see_and_a_live_posts_files(
    room, thread, writer, other_member, client_for, make_person, photo,
):
    message, (picture,) = _message_with(room, writer, _file(photo, "IMG_2.jpg"))
    post = reply(author=writer, thread=thread, body="Files")
    (on_post,) = files.add_files(by=writer, files=[_file(photo, "p.jpg")], post=post)
    waiting = files.upload_to_room(by=writer, room=room, upload=_file(photo, "unsent.jpg"))

    def details(client, **query):
        response = client.get("/files/details/", query)
        assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
        return json.loads(response.content)["files"]

    member = client_for(other_member)
    (found,) = details(member, id=[picture.public_id, "nonexistent", waiting.public_id])
    assert found["fingerprint"] == picture.fingerprint and found["id"] == picture.public_id
    assert (found["preview_width"], found["width"]) == (picture.preview_width, picture.width)
    assert [f["id"] for f in details(member, post=post.public_id)] == [on_post.public_id]
    # The uploader sees their own waiting file; an outsider and an anonymous client nothing.
    assert [f["id"] for f in details(client_for(writer), id=[waiting.public_id])] == [waiting.public_id]
    outsider = make_person("outsider", display_name="Outsider")
    Group.objects.get(name="members").user_set.remove(outsider)
    assert details(client_for(outsider), id=[picture.public_id], post=post.public_id) == []
    assert details(client_for(outsider), id=[picture.public_id]) == []
    assert details(Client(), id=[picture.public_id]) == []
