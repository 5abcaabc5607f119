"""`/files/<id>/` and `/files/<id>/preview/` answer exactly those who may see the post or
message the file belongs to, with headers that keep the file inert and off shared caches.

Everyone else, anonymous clients included, gets the very 404 of an id that never existed.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from attachments.models import Attachment
from attachments.services import add_files
from forum.ids import new_public_id
from forum.services import content, moderation
from forum.services.grants import do_revoke_permission
from realtime.models import RoomMessage
from realtime.services import ban_member, delete_message, post_message
from tests.attachments import corpus
from tests.attachments.conftest import upload

CSP = "sandbox; default-src 'none'"


def _attach(by, data=None, name="photo.jpg", **home):
    return add_files(by=by, files=[upload(data or corpus.jpeg(orientation=1), name)], **home)[0]


def fetch(client, path: str):
    """Status and body, without what differs between any two renderings (CSRF tokens, the path)."""
    response = client.get(path)
    body = response.content.decode(errors="replace") if not response.streaming else b"".join(response.streaming_content)
    if isinstance(body, str):
        body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body.replace(path, "PATH"))
    return response.status_code, body


def assert_like_a_missing_id(client, attachment):
    for suffix in ("", "preview/"):
        missing = fetch(client, f"/files/{new_public_id()}/{suffix}")
        assert missing[0] == 404
        assert fetch(client, f"/files/{attachment.public_id}/{suffix}") == missing


@pytest.fixture
def room(make_room, members_group):
    return make_room("aden", name="Aden", grant_to="members")


@pytest.fixture
def photo_post(thread, writer):
    post = content.reply(author=writer, thread=thread, body="The photo from the checkpoint.")
    return post, _attach(writer, post=post)


@pytest.fixture
def photo_message(room, writer):
    message, _ = post_message(author=writer, room=room, body="Photo", client_id="c1")
    return message, _attach(writer, message=message)


def test_a_member_who_sees_the_post_gets_the_file_with_every_protective_header(photo_post, other_member, client_for):
    _post, attachment = photo_post
    response = client_for(other_member).get(f"/files/{attachment.public_id}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == CSP
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert set(response["Cache-Control"].replace(" ", "").split(",")) == {"private", "no-store"}
    assert response["Content-Disposition"].startswith("inline")
    served = b"".join(response.streaming_content)
    assert __import__("hashlib").sha256(served).hexdigest() == attachment.fingerprint
    preview = client_for(other_member).get(f"/files/{attachment.public_id}/preview/")
    assert preview.status_code == 200 and preview["Content-Type"] == "image/webp"
    assert preview["Content-Security-Policy"] == CSP and preview["X-Content-Type-Options"] == "nosniff"
    assert len(b"".join(preview.streaming_content)) == attachment.preview_size <= 20 * 1024


@pytest.mark.parametrize("maker, name, content_type", [
    (corpus.pdf, "statement.pdf", "application/pdf"),
    (corpus.mp3, "voice.mp3", "audio/mpeg"),
])
def test_documents_and_recordings_download_with_a_safe_name_and_have_no_preview(
    maker, name, content_type, thread, writer, other_member, client_for,
):
    post = content.reply(author=writer, thread=thread, body="Attached.")
    attachment = _attach(writer, maker(), "بيان \"سري\"\r\n" + name, post=post)
    client = client_for(other_member)
    response = client.get(f"/files/{attachment.public_id}/")
    assert response.status_code == 200 and response["Content-Type"] == content_type
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=utf-8''" in disposition
    assert "\r" not in disposition and "\n" not in disposition and '"سري"' not in disposition
    assert response["Content-Security-Policy"] == CSP
    assert client.get(f"/files/{attachment.public_id}/preview/").status_code == 404


def test_in_production_the_proxy_sends_the_file(photo_post, other_member, client_for, settings):
    settings.MAJLIS_FILES_ACCEL_REDIRECT = "/protected-files/"
    _post, attachment = photo_post
    response = client_for(other_member).get(f"/files/{attachment.public_id}/")
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/protected-files/{attachment.stored_name}"
    assert response["Content-Type"] == "image/jpeg" and response["Content-Security-Policy"] == CSP
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    preview = client_for(other_member).get(f"/files/{attachment.public_id}/preview/")
    assert preview["X-Accel-Redirect"] == f"/protected-files/{attachment.preview_name}"
    # A file that fails the rule is not redirected to either.
    missing = client_for(other_member).get(f"/files/{new_public_id()}/")
    assert missing.status_code == 404 and "X-Accel-Redirect" not in missing


def test_the_stored_name_is_random_and_never_the_uploaders(photo_post, media_root):
    _post, attachment = photo_post
    assert "photo" not in attachment.stored_name and attachment.stored_name.endswith(".jpg")
    assert (media_root / attachment.stored_name).is_file() and (media_root / attachment.preview_name).is_file()
    assert attachment.name == "photo.jpg"


# --- Who may not -------------------------------------------------------------------------

def test_anonymous_clients_get_the_404_of_a_missing_id(photo_post):
    assert_like_a_missing_id(Client(HTTP_ACCEPT_LANGUAGE="en"), photo_post[1])


def test_a_member_without_the_view_grant_gets_the_404_of_a_missing_id(secret_file, other_member, client_for):
    assert_like_a_missing_id(client_for(other_member), secret_file)


@pytest.fixture
def secret_file(make_category, make_person, make_organisation):
    organisation = make_organisation("marib-voices")
    insider = make_person("insider", display_name="Karim", organisation=organisation)
    category = make_category("marib-internal", grants=[(organisation.group, "view", "post")])
    thread = content.start_thread(author=insider, category=category, title="Rotation", body="Canary.")
    attachment = _attach(insider, post=thread.posts.get())
    attachment.insider = insider
    return attachment


def test_after_a_revoke_the_file_answers_404_at_once(photo_post, other_member, client_for, category, members_group):
    client = client_for(other_member)
    _post, attachment = photo_post
    assert client.get(f"/files/{attachment.public_id}/").status_code == 200
    do_revoke_permission(actor=None, perm="view_category", obj=category, to=members_group, via="tests")
    assert_like_a_missing_id(client, attachment)


def test_a_file_on_a_hidden_post_is_for_its_moderators_only(photo_post, moderator, writer, other_member, client_for):
    post, attachment = photo_post
    moderation.hide_post(post=post, by=moderator, reason="Shows a face")
    assert_like_a_missing_id(client_for(other_member), attachment)
    assert_like_a_missing_id(client_for(writer), attachment)  # once hidden, the moderators' business
    assert client_for(moderator).get(f"/files/{attachment.public_id}/").status_code == 200


def test_a_file_on_a_pending_post_is_for_its_author_and_moderators(
    premoderated, writer, other_member, moderator, client_for,
):
    thread = content.start_thread(author=moderator, category=premoderated, title="Method", body="Read first.")
    post = content.reply(author=writer, thread=thread, body="Waiting.")
    assert post.status == "pending"
    attachment = _attach(writer, post=post)
    assert_like_a_missing_id(client_for(other_member), attachment)
    assert client_for(writer).get(f"/files/{attachment.public_id}/").status_code == 200
    assert client_for(moderator).get(f"/files/{attachment.public_id}/").status_code == 200


def test_a_room_file_is_for_who_opens_the_room_and_not_for_a_banned_member(
    photo_message, room, writer, other_member, make_person, client_for,
):
    _message, attachment = photo_message
    assert client_for(other_member).get(f"/files/{attachment.public_id}/").status_code == 200
    keeper = make_person("keeper", display_name="Warda")
    from forum.services.grants import do_grant_permission

    do_grant_permission(actor=None, perm="moderate_room", obj=room, to=keeper, via="tests")
    ban_member(by=keeper, room=room, member=other_member, reason="Spam")
    assert_like_a_missing_id(client_for(other_member), attachment)
    outsider = make_person("outsider", display_name="Outsider")
    Group.objects.get(name="members").user_set.remove(outsider)
    assert_like_a_missing_id(client_for(outsider), attachment)


def test_a_file_of_a_deleted_message_answers_404_at_once(photo_message, room, writer, other_member, client_for):
    message, attachment = photo_message
    delete_message(by=writer, room=room, message_id=message.public_id)
    assert_like_a_missing_id(client_for(other_member), attachment)
    assert_like_a_missing_id(client_for(writer), attachment)


def test_a_file_of_a_message_past_its_rooms_retention_answers_404(make_room, writer, other_member, client_for):
    room = make_room("taiz", retention_days=7)
    message, _ = post_message(author=writer, room=room, body="Old photo", client_id="c2")
    attachment = _attach(writer, message=message)
    assert client_for(other_member).get(f"/files/{attachment.public_id}/").status_code == 200
    RoomMessage.objects.filter(pk=message.pk).update(created=timezone.now() - timedelta(days=8))
    assert_like_a_missing_id(client_for(other_member), attachment)


def test_a_file_waiting_to_be_sent_is_its_uploaders_only(room, writer, other_member, moderator, client_for):
    attachment = _attach(writer, room=room)
    assert attachment.post_id is None and attachment.message_id is None
    assert client_for(writer).get(f"/files/{attachment.public_id}/").status_code == 200
    assert_like_a_missing_id(client_for(other_member), attachment)
    assert_like_a_missing_id(client_for(moderator), attachment)


def test_only_get_and_head_are_answered(photo_post, other_member, client_for):
    _post, attachment = photo_post
    client = client_for(other_member)
    assert client.head(f"/files/{attachment.public_id}/").status_code == 200
    assert client.post(f"/files/{attachment.public_id}/").status_code == 405
    assert Attachment.objects.filter(pk=attachment.pk).exists()
