"""Reading originals (issue 17, item 6): only members granted `handle_evidence` on the place
see its locker, open an original or export them all; moderators and coalition admins
without the grant get the 404 of a missing page. Every opening asks for a reason and is in
the custody log, written before a byte is sent; an original that no longer matches its
SHA-256 is never sent."""

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation

from attachments.evidence.keeping import keep_request
from attachments.evidence.models import CustodyEntry, Original
from attachments.evidence.places import do_set_keep_evidence
from forum.models import Action, ModerationEvent
from forum.services.content import start_thread
from forum.services.grants import do_grant_permission, grant_permission
from tests.attachments import corpus
from tests.attachments.conftest import sha256


@pytest.fixture(scope="module")
def photo():
    return corpus.jpeg(orientation=6)


@pytest.fixture(scope="module")
def document():
    return corpus.pdf(with_photo=False)


@pytest.fixture
def locker(category, writer, evidence_key, photo, document):
    """The category keeps evidence; Layla sent a photo and a PDF and kept their originals."""
    do_set_keep_evidence(actor=None, place=category, on=True)
    files = [SimpleUploadedFile("IMG_1.jpg", photo), SimpleUploadedFile("statement.pdf", document)]
    start_thread(author=writer, category=category, title="Raid", body="Two files.", files=files,
                 keep=keep_request(category, keep=True, hashes=[sha256(photo), sha256(document)]))
    return category


@pytest.fixture
def investigator(make_person, locker, admin_user):
    person = make_person("huda", display_name="Huda")
    grant_permission(by=admin_user, perm="handle_evidence", obj=locker, to=person)
    return person


def _urls(category, original):
    base = f"/evidence/category/{category.slug}/"
    return base, f"{base}originals/{original.public_id}/", f"{base}export/"


def _accesses() -> int:
    return CustodyEntry.objects.exclude(action="kept").count()


@pytest.mark.parametrize("who", ["member", "moderator", "coalition admin", "writer", "anonymous"])
def test_without_the_grant_the_locker_is_a_missing_page(
    who, locker, investigator, writer, other_member, moderator, admin_user, client_for,
):
    person = {"member": other_member, "moderator": moderator, "coalition admin": admin_user, "writer": writer}.get(who)
    client = client_for(person) if person else Client()
    page, original, export = _urls(locker, Original.objects.first())
    for response in (client.get(page), client.post(original, {"reason": "curious", "action": "download"}),
                     client.post(export, {"reason": "curious"})):
        if person is None:
            assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        else:
            assert response.status_code == 404
    missing = client.get("/evidence/category/no-such-place/")
    assert missing.status_code == (302 if person is None else 404)
    assert _accesses() == 0


def test_a_holder_sees_the_locker_with_fingerprints_uploaders_and_the_log(locker, investigator, client_for):
    response = client_for(investigator).get(f"/evidence/category/{locker.slug}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    page = response.content.decode()
    for original in Original.objects.all():
        assert original.sha256 in page and original.cleaned_sha256 in page and original.name in page
    assert "Layla" in page and "kept at upload" in page and "Kept at upload, as its uploader asked." in page
    assert "Huda" in page  # who was granted to read them, from the moderation record
    # Custody times are exact: a full date the browser never turns into "3 hours ago" (its
    # text is its title), and the UTC second.
    from forum.times import full

    entry = CustodyEntry.objects.order_by("pk").first()
    with timezone.override("Asia/Aden"), translation.override("en"):
        assert f'title="{full(entry.created_at)}">{full(entry.created_at)}</time>' in page
    assert entry.created_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC") in page


def test_a_holder_needs_a_second_factor_used_in_the_session(locker, investigator, client_for):
    response = client_for(investigator, second_factor=False).get(f"/evidence/category/{locker.slug}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/?next=")


def test_the_index_lists_only_the_places_the_member_handles(locker, investigator, admin_user, client_for):
    page = client_for(investigator).get("/evidence/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="/evidence/category/{locker.slug}/"' in page
    assert 'href="/evidence/"' in client_for(investigator).get("/accounts/profile/").content.decode()
    page = client_for(admin_user).get("/evidence/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="/evidence/category/{locker.slug}/"' not in page  # not even a coalition admin's, ungranted
    assert 'href="/evidence/"' not in client_for(admin_user).get("/accounts/profile/").content.decode()


def test_a_coalition_admin_must_grant_it_to_themselves_and_the_grant_is_recorded(locker, admin_user, client_for):
    client = client_for(admin_user)
    assert client.get(f"/evidence/category/{locker.slug}/").status_code == 404
    response = client.post("/manage/grants/", {"action": "grant", "perm": "handle_evidence",
                                               "place": f"category:{locker.slug}", "holder": "user:boss"})
    assert response.status_code == 302
    event = ModerationEvent.objects.get(action=Action.GRANT, details__perm="handle_evidence")
    assert (event.actor, event.target_kind, event.target_id) == (admin_user, "user", admin_user.profile.public_id)
    assert event.scope_id == locker.pk
    assert client.get(f"/evidence/category/{locker.slug}/").status_code == 200
    client.post("/manage/grants/", {"action": "revoke", "perm": "handle_evidence",
                                    "place": f"category:{locker.slug}", "holder": "user:boss"})
    assert client.get(f"/evidence/category/{locker.slug}/").status_code == 404
    assert ModerationEvent.objects.filter(action=Action.REVOKE, details__perm="handle_evidence").exists()


def test_the_command_line_grants_it_by_a_named_admin_only(locker, admin_user, make_person):
    make_person("huda", display_name="Huda")
    call_command("grant", "handle_evidence", f"category:{locker.slug}", "user:huda", "--by", "boss")
    assert ModerationEvent.objects.filter(action=Action.GRANT, actor=admin_user, details__perm="handle_evidence").exists()
    with pytest.raises(CommandError, match="never by the system"):
        call_command("revoke", "handle_evidence", f"category:{locker.slug}", "user:huda", "--system")
    with pytest.raises(Exception, match="never by the system"):
        do_grant_permission(actor=None, perm="handle_evidence", obj=locker, to=admin_user, via="tests")


def test_a_download_is_logged_with_its_reason_and_sends_the_untouched_original(
    locker, investigator, client_for, photo,
):
    original = Original.objects.get(content_type="image/jpeg")
    _page, url, _export = _urls(locker, original)
    response = client_for(investigator).post(url, {"reason": "Case 14: sent to the lawyer", "action": "download"})
    assert response.status_code == 200 and response.content == photo
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("attachment;") and "IMG_1.jpg" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert "no-store" in response["Cache-Control"]
    entry = CustodyEntry.objects.exclude(action="kept").get()
    assert (entry.action, entry.actor, entry.reason, entry.outcome, entry.original_public_id, entry.category) == (
        "downloaded", investigator, "Case 14: sent to the lawyer", "ok", original.public_id, locker)


def test_viewing_a_picture_shows_it_inline_and_is_logged_as_viewed(locker, investigator, client_for, photo):
    original = Original.objects.get(content_type="image/jpeg")
    response = client_for(investigator).post(_urls(locker, original)[1], {"reason": "Check", "action": "view"})
    assert response.status_code == 200 and response.content == photo
    assert response["Content-Disposition"].startswith("inline;")
    assert CustodyEntry.objects.exclude(action="kept").get().action == "viewed"


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_an_access_without_a_reason_is_refused_and_nothing_is_sent_or_logged(
    reason, locker, investigator, client_for, photo,
):
    original = Original.objects.get(content_type="image/jpeg")
    page, url, export = _urls(locker, original)
    client = client_for(investigator)
    response = client.post(url, {"reason": reason, "action": "download"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and photo not in response.content
    assert response["Content-Type"].startswith("text/html") and "reason" in response.content.decode()
    response = client.post(export, {"reason": reason}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    assert _accesses() == 0


def test_a_tampered_original_is_never_sent_and_the_attempt_is_logged(
    locker, investigator, client_for, photo, evidence_root,
):
    original = Original.objects.get(content_type="image/jpeg")
    path = evidence_root / original.stored_name
    blob = bytearray(path.read_bytes())
    blob[-20] ^= 0xFF
    path.write_bytes(bytes(blob))
    response = client_for(investigator).post(_urls(locker, original)[1], {"reason": "Check", "action": "download"},
                                             HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409 and photo[:200] not in response.content
    assert "no longer match its fingerprint" in response.content.decode()
    entry = CustodyEntry.objects.exclude(action="kept").get()
    assert (entry.action, entry.outcome) == ("downloaded", "mismatch")


def test_the_export_holds_every_original_a_manifest_whose_hashes_match_and_the_custody_log(
    locker, investigator, client_for, photo, document,
):
    client = client_for(investigator)
    client.post(_urls(locker, Original.objects.first())[1], {"reason": "First look", "action": "view"})
    response = client.post(f"/evidence/category/{locker.slug}/export/", {"reason": "For the UN panel"})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;") and "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["reason"] == "For the UN panel" and manifest["exported_by"] == "Huda"
    assert manifest["place"] == {"kind": "category", "slug": locker.slug, "name": locker.name}
    originals = {o.public_id: o for o in Original.objects.all()}
    assert {item["id"] for item in manifest["originals"]} == set(originals)
    for item in manifest["originals"]:
        data = archive.read(item["file"])
        assert hashlib.sha256(data).hexdigest() == item["sha256"] == item["browser_sha256"]
        assert item["check"] == "ok" and item["uploader"] == "Layla"
        assert item["uploaded_at"] == originals[item["id"]].uploaded_at.isoformat().replace("+00:00", "Z")
    assert {archive.read(item["file"]) for item in manifest["originals"]} == {photo, document}
    for line in archive.read("SHA256SUMS").decode().splitlines():  # as `sha256sum -c` reads it
        digest, path = line.split("  ", 1)
        assert hashlib.sha256(archive.read(path)).hexdigest() == digest
    log = list(csv.DictReader(io.StringIO(archive.read("custody-log.csv").decode())))
    exported = [row for row in log if row["action"] == "exported"]
    assert len(exported) == 2 and {row["reason"] for row in exported} == {"For the UN panel"}
    assert {row["action"] for row in log} == {"kept", "viewed", "exported"}
    assert CustodyEntry.objects.filter(action="exported", actor=investigator, reason="For the UN panel").count() == 2


def test_a_reason_that_looks_like_a_formula_is_written_as_text_in_the_log(locker, investigator, client_for):
    client = client_for(investigator)
    client.post(_urls(locker, Original.objects.first())[1], {"reason": "=HYPERLINK(\"x\")", "action": "view"})
    response = client.post(f"/evidence/category/{locker.slug}/export/", {"reason": "Export"})
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    log = archive.read("custody-log.csv").decode()
    assert "'=HYPERLINK" in log


def test_a_rooms_locker_follows_the_same_rule_and_a_ban_overrides_the_grant(
    make_room, writer, admin_user, moderator, make_person, client_for, photo, evidence_key,
):
    from realtime.services import ban_member
    from attachments.services import upload_to_room

    room = make_room("aden", name="Aden", keep_evidence=True)
    do_grant_permission(actor=None, via="tests", perm="moderate_room", obj=room, to=moderator)
    upload_to_room(by=writer, room=room, upload=SimpleUploadedFile("a.jpg", photo),
                   keep=keep_request(room, keep=True, hashes=[sha256(photo)]))
    holder = make_person("huda", display_name="Huda")
    grant_permission(by=admin_user, perm="handle_evidence", obj=room, to=holder)
    assert client_for(moderator).get("/evidence/room/aden/").status_code == 404
    assert client_for(holder).get("/evidence/room/aden/").status_code == 200
    ban_member(by=moderator, room=room, member=holder, reason="Leaked a name")
    assert client_for(holder).get("/evidence/room/aden/").status_code == 404
