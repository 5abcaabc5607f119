"""Keeping originals at upload (issue 17, item 6): where a place keeps evidence and the key
is set, "keep the original as evidence" keeps the untouched file too, encrypted with AES-GCM
bound to its attachment, after checking the SHA-256 the browser computed. Anywhere else
the option is not offered, and asking all the same is refused with nothing stored."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from attachments.evidence import crypto
from attachments.evidence.models import CustodyEntry, Original
from attachments.evidence.places import do_set_keep_evidence
from attachments.models import Attachment
from forum.models import Category, Post, Thread
from realtime.models import Room
from tests.attachments import corpus
from tests.attachments.conftest import files_on_disk, sha256


@pytest.fixture(scope="module")
def photo():
    return corpus.jpeg(orientation=6)  # GPS, make, model, serial: what the original keeps


@pytest.fixture
def keeping(category, evidence_key):
    do_set_keep_evidence(actor=None, place=category, on=True)
    return category


def _file(data, name="IMG_0001.jpg"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _thread(client, category, files, hashes, **fields):
    return client.post(f"/c/{category.slug}/new/", {
        "title": "Checkpoint", "body": "At the checkpoint.", "attachments": files,
        "keep_original": "on", "original_sha256": hashes, **fields,
    }, HTTP_ACCEPT_LANGUAGE="en")


def _stored(root) -> list[bytes]:
    return [path.read_bytes() for path in files_on_disk(root)]


@pytest.mark.parametrize("keeps, key, offered", [(True, True, True), (True, False, False), (False, True, False)])
def test_the_post_forms_offer_keeping_only_where_the_place_keeps_evidence_and_the_key_is_set(
    keeps, key, offered, category, thread, writer, client_for, settings, evidence_key,
):
    if not key:
        settings.MAJLIS_EVIDENCE_KEY = ""
    Category.objects.filter(pk=category.pk).update(keep_evidence=keeps)
    client = client_for(writer)
    post = thread.posts.get()
    for url in (f"/c/{category.slug}/new/", thread.get_absolute_url(), f"/t/{thread.public_id}/reply/",
                f"/p/{post.public_id}/edit/"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert ('name="keep_original"' in page) is offered, url
        assert ('name="keep_after_leaving"' in page) is offered
        assert ('data-fingerprints="original_sha256"' in page) is offered
        assert ("js/evidence-hash" in page) is offered
    if offered:
        assert "Keep the original as evidence" in page and "Only the people named" in page
        assert "deleted with your account" in page


@pytest.mark.parametrize("keeps, key, refusal", [
    (True, False, "This server keeps no originals: no evidence key is set."),
    (False, True, "This place does not keep originals as evidence."),
])
def test_asking_to_keep_where_it_is_not_offered_is_refused_and_nothing_is_stored(
    keeps, key, refusal, category, writer, client_for, photo, settings, evidence_key, media_root, evidence_root,
):
    if not key:
        settings.MAJLIS_EVIDENCE_KEY = ""
    Category.objects.filter(pk=category.pk).update(keep_evidence=keeps)
    response = _thread(client_for(writer), category, [_file(photo)], [sha256(photo)])
    assert response.status_code == 400 and refusal in response.content.decode()
    assert not Thread.objects.exists() and not Attachment.objects.exists() and not Original.objects.exists()
    assert files_on_disk(media_root) == [] and files_on_disk(evidence_root) == []


def test_the_original_is_kept_encrypted_beside_the_cleaned_copy(keeping, writer, client_for, photo, evidence_root):
    response = _thread(client_for(writer), keeping, [_file(photo)], [sha256(photo)])
    assert response.status_code == 302
    copy = Attachment.objects.get()
    original = Original.objects.get()
    assert (original.attachment, original.attachment_public_id, original.category, original.room) == (
        copy, copy.public_id, keeping, None)
    assert original.sha256 == original.browser_sha256 == sha256(photo) and original.size == len(photo)
    assert original.cleaned_sha256 == copy.fingerprint != original.sha256
    assert original.uploaded_at == copy.created_at and original.uploader == writer
    assert not original.survives_leaving
    (stored,) = _stored(evidence_root)
    # At rest: neither the picture nor any of its identifying fields can be read.
    assert photo not in stored and photo[2000:2064] not in stored
    assert all(secret.encode() not in stored for secret in corpus.SECRETS)
    assert crypto.decrypt(stored, attachment_id=copy.public_id) == photo
    entry = CustodyEntry.objects.get()
    assert (entry.action, entry.actor, entry.via, entry.original_public_id, entry.original_sha256) == (
        "kept", writer, "upload", original.public_id, original.sha256)


def test_tampering_with_an_original_or_moving_it_is_detected(keeping, writer, client_for, photo, evidence_root):
    _thread(client_for(writer), keeping, [_file(photo, "a.jpg"), _file(photo + b"\0", "b.jpg")],
            [sha256(photo), sha256(photo + b"\0")])
    first, second = Original.objects.order_by("id")
    blob = (evidence_root / first.stored_name).read_bytes()
    for position in (len(crypto.MAGIC) + 3, len(blob) // 2, len(blob) - 1):  # nonce, ciphertext, tag
        flipped = bytearray(blob)
        flipped[position] ^= 0x01
        with pytest.raises(crypto.Tampered):
            crypto.decrypt(bytes(flipped), attachment_id=first.attachment_public_id)
    with pytest.raises(crypto.Tampered):  # bound to its attachment: not readable as another's
        crypto.decrypt(blob, attachment_id=second.attachment_public_id)
    with pytest.raises(crypto.Tampered):
        crypto.decrypt(blob[:-10], attachment_id=first.attachment_public_id)


def test_a_file_whose_browser_fingerprint_differs_refuses_the_post_and_stores_nothing(
    keeping, writer, client_for, photo, media_root, evidence_root,
):
    other = corpus.png()
    response = _thread(client_for(writer), keeping, [_file(photo, "good.jpg"), _file(other, "changed.png")],
                       [sha256(photo), sha256(photo)])
    assert response.status_code == 400
    assert "“changed.png” changed on its way here" in response.content.decode()
    assert not Thread.objects.exists() and not Attachment.objects.exists() and not Original.objects.exists()
    assert not CustodyEntry.objects.exists()
    assert files_on_disk(media_root) == [] and files_on_disk(evidence_root) == []


@pytest.mark.parametrize("hashes", [[], ["abc"], ["0" * 64, "1" * 64]])
def test_fingerprints_missing_malformed_or_miscounted_are_refused(
    hashes, keeping, writer, client_for, photo, media_root, evidence_root,
):
    response = _thread(client_for(writer), keeping, [_file(photo)], hashes)
    assert response.status_code == 400 and "fingerprint before sending it, and it did not arrive" in response.content.decode()
    assert not Post.objects.exists() and files_on_disk(media_root) == [] and files_on_disk(evidence_root) == []


def test_without_the_box_ticked_nothing_is_kept(keeping, writer, client_for, photo, evidence_root):
    response = client_for(writer).post(f"/c/{keeping.slug}/new/", {
        "title": "Plain", "body": "No evidence.", "attachments": [_file(photo)], "original_sha256": [sha256(photo)],
    })
    assert response.status_code == 302 and Attachment.objects.count() == 1
    assert not Original.objects.exists() and files_on_disk(evidence_root) == []


def test_a_reply_and_an_edit_keep_originals_too_and_a_heic_keeps_its_own_type(
    keeping, thread, writer, client_for, photo,
):
    client = client_for(writer)
    heic = corpus.heic()
    client.post(f"/t/{thread.public_id}/reply/", {
        "body": "Reply.", "attachments": [_file(heic, "IMG_7.HEIC")], "keep_original": "on",
        "keep_after_leaving": "on", "original_sha256": [sha256(heic)],
    })
    original = Original.objects.get()
    assert (original.content_type, original.name, original.survives_leaving) == ("image/heic", "IMG_7.heic", True)
    assert original.attachment.content_type == "image/jpeg"  # the shared copy, re-encoded
    post = Post.objects.get(body_source="Reply.")
    response = client.post(f"/p/{post.public_id}/edit/", {
        "body": "Reply.", "attachments": [_file(photo)], "keep_original": "on", "original_sha256": [sha256(photo)],
    })
    assert response.status_code == 302 and Original.objects.count() == 2


# --- Rooms ---------------------------------------------------------------------------------

@pytest.fixture
def room(make_room):
    return make_room("aden", name="Aden")


def _room_upload(client, data, **fields):
    return client.post("/rooms/aden/files/", {"file": SimpleUploadedFile("voice.jpg", data), **fields},
                       HTTP_ACCEPT_LANGUAGE="en")


def test_a_room_upload_takes_the_same_fields(room, writer, client_for, photo, evidence_key, evidence_root):
    Room.objects.filter(pk=room.pk).update(keep_evidence=True)
    response = _room_upload(client_for(writer), photo, keep_original="1", original_sha256=sha256(photo))
    assert response.status_code == 201
    original = Original.objects.get()
    assert (original.room, original.category, original.attachment.public_id) == (room, None, response.json()["id"])
    assert set(response.json()) == {"id", "name", "size", "type", "url", "preview_url"}  # the contract, unchanged


@pytest.mark.parametrize("keeps, key, wrong_hash", [(True, True, True), (True, False, False), (False, True, False)])
def test_a_room_upload_that_may_not_keep_is_refused_with_nothing_stored(
    keeps, key, wrong_hash, room, writer, client_for, photo, settings, evidence_key, media_root, evidence_root,
):
    if not key:
        settings.MAJLIS_EVIDENCE_KEY = ""
    Room.objects.filter(pk=room.pk).update(keep_evidence=keeps)
    response = _room_upload(client_for(writer), photo, keep_original="1",
                            original_sha256="0" * 64 if wrong_hash else sha256(photo))
    assert response.status_code == 400 and response.json()["code"] == "bad_request"
    assert not Attachment.objects.exists() and not Original.objects.exists()
    assert files_on_disk(media_root) == [] and files_on_disk(evidence_root) == []


# --- The key -----------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["not base64 at all!", "c2hvcnQ=", "A" * 43 + "=" * 9])
def test_a_malformed_key_stops_the_server_at_its_start_up_checks(key, settings):
    settings.MAJLIS_EVIDENCE_KEY = key
    errors = crypto.check_key()
    assert [error.id for error in errors] == ["majlis.E001"]
    with pytest.raises(SystemCheckError, match="MAJLIS_EVIDENCE_KEY"):
        call_command("check")


def test_a_key_in_either_base64_alphabet_with_or_without_padding_passes(settings):
    raw = bytes(range(250, 256)) + bytes(26)  # bytes that differ between the two alphabets
    import base64

    for text in (base64.urlsafe_b64encode(raw).decode(), base64.b64encode(raw).decode(),
                 base64.urlsafe_b64encode(raw).decode().rstrip("=")):
        settings.MAJLIS_EVIDENCE_KEY = text
        assert crypto.check_key() == [] and crypto.parse_key(text) == raw


def test_turning_keeping_on_needs_the_key(category):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="MAJLIS_EVIDENCE_KEY"):
        do_set_keep_evidence(actor=None, place=category, on=True)
    category.refresh_from_db()
    assert not category.keep_evidence


def test_the_lockers_words_are_shipped_in_arabic():
    from django.utils.translation import gettext, override

    with override("ar"):
        for text in ("Keep the original as evidence", "Keep the original even if I delete my account",
                     "Custody log", "Why do you open it?", "This place does not keep originals as evidence."):
            assert gettext(text) != text, text
