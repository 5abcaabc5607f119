"""An original's life (issue 17, items 6 and 7): it outlives its shared copy (a room's
retention, an edit), leaves with its uploader's account unless they chose otherwise at
upload, and is checked by `verify_evidence`. The custody log is never changed or deleted.
Leaving with "erase" deletes the member's files from the disk; the data export lists them
and carries them."""

import ast
import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from attachments import storage
from attachments.evidence import crypto
from attachments.evidence.access import verified_bytes
from attachments.evidence.keeping import keep_request
from attachments.evidence.models import CustodyEntry, Original
from attachments.evidence.places import do_set_keep_evidence
from attachments.models import Attachment
from attachments.services import purge_attachments, upload_to_room
from forum.services.content import start_thread
from forum.services.export import export_member_data
from forum.services.leaving import delete_account
from realtime.models import Room, RoomMessage
from realtime.services import delete_room, post_message, purge_expired
from tests.attachments import corpus
from tests.attachments.conftest import files_on_disk, sha256

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def photo():
    return corpus.jpeg(orientation=6)


@pytest.fixture
def room(make_room, evidence_key):
    return make_room("aden", name="Aden", retention_days=1, keep_evidence=True)


def _keep_in_room(user, room, data, *, send=True, survive=False):
    attachment = upload_to_room(by=user, room=room, upload=SimpleUploadedFile("IMG_5.jpg", data),
                                keep=keep_request(room, keep=True, hashes=[sha256(data)], survive=survive))
    if send:
        post_message(author=user, room=room, body="From the market", client_id=f"c{attachment.pk}",
                     attachments=[attachment.public_id])
    return attachment


def _keep_in_category(user, category, data, *, survive):
    do_set_keep_evidence(actor=None, place=category, on=True)
    thread = start_thread(author=user, category=category, title=f"Kept {survive}", body="Files.",
                          files=[SimpleUploadedFile("IMG_9.jpg", data)],
                          keep=keep_request(category, keep=True, hashes=[sha256(data)], survive=survive))
    return thread.posts.get().attachments.get()


# --- Retention --------------------------------------------------------------------------

def test_a_rooms_retention_purges_the_message_and_its_copy_but_keeps_the_original(
    room, writer, photo, media_root, evidence_root,
):
    copy = _keep_in_room(writer, room, photo)
    RoomMessage.objects.update(created=timezone.now() - timedelta(days=2))
    assert purge_expired() == {"aden": 1}
    assert not Attachment.objects.exists() and not RoomMessage.objects.exists()
    original = Original.objects.get()
    # What remains: the original, its hashes, its place and upload time; no message text.
    assert (original.attachment, original.attachment_public_id, original.room) == (None, copy.public_id, room)
    assert original.sha256 == sha256(photo) and original.cleaned_sha256 == copy.fingerprint
    assert original.uploaded_at == copy.created_at
    assert verified_bytes(original) == (photo, "ok")
    # The orphan sweep of the shared files leaves the locker's own root alone.
    storage.delete(copy.stored_name, copy.preview_name)
    purge_attachments(now=timezone.now() + timedelta(days=3))
    assert [path.name for path in files_on_disk(evidence_root)] == [Path(original.stored_name).name]


def test_a_room_file_never_sent_takes_its_original_with_it(room, writer, photo, evidence_root, committed):
    _keep_in_room(writer, room, photo, send=False)
    with committed():
        purged, _orphans = purge_attachments(now=timezone.now() + timedelta(days=2))
    assert purged == 1 and not Original.objects.exists() and files_on_disk(evidence_root) == []
    removed = CustodyEntry.objects.get(action="removed")
    assert (removed.via, removed.actor, removed.room) == ("purge_expired", None, room)


def test_an_edit_that_takes_the_file_off_leaves_the_original_in_the_locker(
    category, writer, client_for, photo, evidence_key,
):
    copy = _keep_in_category(writer, category, photo, survive=False)
    post = copy.post
    response = client_for(writer).post(f"/p/{post.public_id}/edit/", {"body": post.body_source,
                                                                       "remove": [copy.public_id]})
    assert response.status_code == 302 and not Attachment.objects.exists()
    assert verified_bytes(Original.objects.get()) == (photo, "ok")


def test_a_room_that_keeps_originals_cannot_be_deleted(room, writer, photo, admin_user):
    _keep_in_room(writer, room, photo)
    with pytest.raises(ValidationError, match="cannot be deleted"):
        delete_room(by=admin_user, room=room)
    assert Original.objects.filter(room=room).exists()


def test_the_admin_neither_offers_nor_half_does_deleting_a_room_that_keeps_originals(
    room, make_room, writer, photo, admin_user, client_for,
):
    _keep_in_room(writer, room, photo)
    empty = make_room("empty")
    client = client_for(admin_user)
    assert client.get(f"/admin/realtime/room/{room.pk}/delete/").status_code == 403
    # Both selected: none is deleted, and the refusal is said (before: a 500, halfway).
    response = client.post("/admin/realtime/room/", {
        "action": "delete_rooms", "_selected_action": [empty.pk, room.pk],
    }, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "cannot be deleted" in response.content.decode()
    assert Room.objects.filter(pk__in=[room.pk, empty.pk]).count() == 2


# --- Leaving ----------------------------------------------------------------------------

# Committed for real: the files leave the disk once the deletion commits.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("content", ["keep", "erase"])
def test_leaving_removes_the_originals_not_chosen_to_survive_and_keeps_the_others(
    content, category, writer, password, photo, evidence_key, evidence_root, media_root,
):
    gone = _keep_in_category(writer, category, photo, survive=False)
    stays = _keep_in_category(writer, category, photo + b"\0", survive=True)
    gone_original, staying_original = gone.original, stays.original
    delete_account(user=writer, password=password, content=content)
    original = Original.objects.get()
    assert original.pk == staying_original.pk and original.uploader is None
    assert verified_bytes(original)[1] == "ok"
    assert [path.name for path in files_on_disk(evidence_root)] == [Path(original.stored_name).name]
    removed = CustodyEntry.objects.get(action="removed")
    assert (removed.original_public_id, removed.via) == (gone_original.public_id, "account deletion")
    # The log keeps its rows: the uploader's own `kept` entries now name no one.
    kept = CustodyEntry.objects.filter(action="kept")
    assert kept.count() == 2 and not kept.filter(actor__isnull=False).exists()
    shared = files_on_disk(media_root)
    if content == "erase":  # the member's files leave the disk, rows and all
        assert not Attachment.objects.exists() and shared == []
        assert original.attachment is None
    else:  # kept under "former member"
        assert Attachment.objects.filter(uploader__isnull=True).count() == 2 and len(shared) == 4


@pytest.mark.django_db(transaction=True)
def test_erasing_deletes_every_file_of_the_member_from_the_disk(
    make_room, writer, other_member, password, photo, media_root,
):
    room = make_room("taiz")
    mine = _keep_in_room_plain(writer, room, photo)
    theirs = _keep_in_room_plain(other_member, room, photo)
    delete_account(user=writer, password=password, content="erase")
    assert list(Attachment.objects.values_list("pk", flat=True)) == [theirs.pk]
    on_disk = {str(path.relative_to(media_root)) for path in files_on_disk(media_root)}
    assert on_disk == {theirs.stored_name, theirs.preview_name}
    assert mine.stored_name not in on_disk


def _keep_in_room_plain(user, room, data):
    attachment = upload_to_room(by=user, room=room, upload=SimpleUploadedFile("p.jpg", data))
    post_message(author=user, room=room, body="", client_id=f"p{attachment.pk}", attachments=[attachment.public_id])
    return attachment


def test_the_data_export_lists_the_members_files_and_carries_them(
    category, thread, writer, password, photo, evidence_key, settings,
):
    copy = _keep_in_category(writer, category, photo, survive=True)
    archive = zipfile.ZipFile(io.BytesIO(export_member_data(user=writer, password=password)))
    data = json.loads(archive.read("majlis-export.json"))
    (listed,) = data["attachments"]
    assert listed["fingerprint_sha256"] == copy.fingerprint and listed["on"] == "post"
    assert listed["place"] == category.name and listed["file"] == f"files/{copy.public_id}-{copy.name}"
    assert archive.read(listed["file"]) == storage.path_of(copy.stored_name).read_bytes()
    (original,) = data["evidence_originals"]
    assert original["sha256"] == sha256(photo) and original["kept_past_account_deletion"] is True
    assert all(photo != archive.read(name) for name in archive.namelist())  # never the original itself
    settings.MAJLIS_EXPORT_FILES_BYTES = copy.size - 1
    archive = zipfile.ZipFile(io.BytesIO(export_member_data(user=writer, password=password)))
    assert json.loads(archive.read("majlis-export.json"))["attachments"][0]["file"] is None
    assert not [name for name in archive.namelist() if name.startswith("files/")]


# --- verify_evidence ----------------------------------------------------------------------

def test_verify_evidence_reports_a_corrupted_and_a_missing_original_and_exits_non_zero(
    room, writer, photo, evidence_root, capsys,
):
    good = _keep_in_room(writer, room, photo).original
    corrupted = _keep_in_room(writer, room, photo + b"\1").original
    missing = _keep_in_room(writer, room, photo + b"\2").original
    path = evidence_root / corrupted.stored_name
    blob = bytearray(path.read_bytes())
    blob[len(blob) // 2] ^= 0x80
    path.write_bytes(bytes(blob))
    (evidence_root / missing.stored_name).unlink()
    with pytest.raises(CommandError, match="2 original"):
        call_command("verify_evidence")
    out = capsys.readouterr()
    assert f"MISMATCH: original {corrupted.public_id}" in out.err and f"MISSING: original {missing.public_id}" in out.err
    assert good.public_id not in out.err and "3 original(s) checked, 2 failed." in out.out
    verified = dict(CustodyEntry.objects.filter(action="verified").values_list("original_public_id", "outcome"))
    assert verified == {good.public_id: "ok", corrupted.public_id: "mismatch", missing.public_id: "missing"}
    assert set(CustodyEntry.objects.filter(action="verified").values_list("via", flat=True)) == {"verify_evidence"}


def test_verify_evidence_passes_when_every_original_is_intact(room, writer, photo, capsys):
    _keep_in_room(writer, room, photo)
    call_command("verify_evidence")
    assert "1 original(s) checked, 0 failed." in capsys.readouterr().out


def test_verify_evidence_without_the_key_cannot_check_and_says_so(room, writer, photo, settings):
    _keep_in_room(writer, room, photo)
    settings.MAJLIS_EVIDENCE_KEY = ""
    with pytest.raises(CommandError, match="MAJLIS_EVIDENCE_KEY is not set: 1 original"):
        call_command("verify_evidence")


def test_a_wrong_key_fails_every_original(room, writer, photo, settings):
    _keep_in_room(writer, room, photo)
    settings.MAJLIS_EVIDENCE_KEY = "A" * 43
    assert crypto.check_key() == []
    with pytest.raises(CommandError):
        call_command("verify_evidence")


# --- The custody log is append-only -------------------------------------------------------

def test_the_custody_log_refuses_every_change_in_code(room, writer, photo):
    _keep_in_room(writer, room, photo)
    entry = CustodyEntry.objects.get()
    with pytest.raises(TypeError):
        CustodyEntry.objects.update(reason="changed")
    with pytest.raises(TypeError):
        CustodyEntry.objects.filter(pk=entry.pk).delete()
    entry.reason = "changed"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    assert CustodyEntry.objects.get().reason != "changed"


_WRITES = {"update", "delete", "bulk_update", "update_or_create", "get_or_create", "raw", "select_for_update"}


def _source_files():
    for path in REPO.rglob("*.py"):
        parts = path.relative_to(REPO).parts
        if parts[0] in {".venv", "node_modules", "tests", "bench"} or "migrations" in parts:
            continue
        yield path


def test_no_code_path_updates_or_deletes_a_custody_row():
    """Every call chain that starts from the custody model or its reader (`log_of`) only reads
    or inserts: no update, delete or raw SQL anywhere in the code."""
    offenders = []
    for path in _source_files():
        source = path.read_text()
        if "CustodyEntry" not in source and "log_of" not in source:
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _WRITES:
                chain = ast.unparse(node.func.value)
                if "CustodyEntry" in chain or "log_of" in chain or "custody" in chain.lower():
                    offenders.append(f"{path.relative_to(REPO)}:{node.lineno}: {ast.unparse(node)}")
    assert offenders == []
    sql = [path for path in _source_files() if "attachments_custodyentry" in path.read_text()]
    assert sql == []


def test_the_admin_shows_the_log_read_only(room, writer, photo, admin_user, client_for):
    _keep_in_room(writer, room, photo)
    entry = CustodyEntry.objects.get()
    client = client_for(admin_user)
    assert client.get("/admin/attachments/custodyentry/").status_code == 200
    assert client.get(f"/admin/attachments/custodyentry/{entry.pk}/delete/").status_code == 403
    response = client.post(f"/admin/attachments/custodyentry/{entry.pk}/change/", {"reason": "changed"})
    assert response.status_code in (200, 403) and CustodyEntry.objects.get().reason == entry.reason


@pytest.mark.skipif(django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
                    reason="the database's own guard is PostgreSQL's")
def test_postgresql_refuses_updates_and_deletes_of_custody_rows_but_an_actor_set_to_null(room, writer, photo):
    from django.db import DatabaseError

    _keep_in_room(writer, room, photo)
    entry = CustodyEntry.objects.get()
    for statement in ("UPDATE attachments_custodyentry SET reason = 'x'", "DELETE FROM attachments_custodyentry"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE attachments_custodyentry SET actor_id = NULL WHERE id = %s", [entry.pk])
    assert CustodyEntry.objects.get().actor is None
