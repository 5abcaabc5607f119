"""Each limit refuses with its own message, and a refused upload leaves nothing behind:
no row, no file on disk. Unsent room files and files whose message is gone are purged."""

import os
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from attachments import storage
from attachments.models import Attachment, UploadTally
from attachments.services import add_files, purge_attachments, staged_files, store
from forum.errors import BadRequest, RateLimited, TooLong
from forum.services import content
from tests.attachments import corpus
from tests.attachments.conftest import files_on_disk, upload


@pytest.fixture(scope="module")
def photo():
    return corpus.jpeg(orientation=1)


@pytest.fixture
def post(thread, writer):
    return content.reply(author=writer, thread=thread, body="Files below.")


def assert_nothing_stored(media_root):
    assert Attachment.objects.count() == 0 and UploadTally.objects.filter(bytes__gt=0).count() == 0
    assert files_on_disk(media_root) == []


@pytest.mark.parametrize("family, maker, name, words", [
    ("image", lambda: corpus.jpeg(orientation=1), "big.jpg", "A picture can be at most"),
    ("pdf", corpus.pdf, "big.pdf", "A PDF document can be at most"),
    ("audio", corpus.mp3, "big.mp3", "A recording can be at most"),
])
def test_each_family_has_its_own_size_limit_and_message(family, maker, name, words, settings, post, writer, media_root):
    data = maker()
    settings.MAJLIS_ATTACHMENT_MAX_BYTES = {**settings.MAJLIS_ATTACHMENT_MAX_BYTES, family: len(data) - 1}
    with pytest.raises(TooLong) as refused:
        add_files(by=writer, post=post, files=[upload(data, name)])
    assert refused.value.detail.startswith(words)
    assert_nothing_stored(media_root)
    settings.MAJLIS_ATTACHMENT_MAX_BYTES = {**settings.MAJLIS_ATTACHMENT_MAX_BYTES, family: len(data)}
    assert add_files(by=writer, post=post, files=[upload(data, name)])


def test_the_default_limits_are_10_mb_for_pictures_25_for_documents_and_recordings_10_files_200_mb_a_day():
    from django.conf import settings

    assert settings.MAJLIS_ATTACHMENT_MAX_BYTES == {"image": 10 << 20, "pdf": 25 << 20, "audio": 25 << 20}
    assert settings.MAJLIS_ATTACHMENTS_PER_MESSAGE == 10
    assert settings.MAJLIS_ATTACHMENT_DAILY_BYTES == 200 << 20


def test_more_files_than_a_message_may_carry_are_refused_before_any_is_decoded(
    settings, post, writer, media_root, photo, monkeypatch,
):
    from attachments import cleaning

    monkeypatch.setattr(cleaning, "clean", lambda upload: pytest.fail("decoded a file of a refused message"))
    with pytest.raises(BadRequest) as refused:
        add_files(by=writer, post=post, files=[upload(photo) for _ in range(11)])
    assert refused.value.detail == "At most 10 files can go with one message."
    assert_nothing_stored(media_root)


def test_the_daily_allowance_refuses_with_its_own_message_until_tomorrow(settings, post, writer, media_root, photo):
    settings.MAJLIS_ATTACHMENT_DAILY_BYTES = len(photo) * 2
    add_files(by=writer, post=post, files=[upload(photo), upload(photo)])
    before = files_on_disk(media_root)
    with pytest.raises(RateLimited) as refused:
        add_files(by=writer, post=post, files=[upload(photo)])
    assert "a day" in refused.value.detail and 0 < refused.value.retry_after <= 24 * 3600
    assert Attachment.objects.count() == 2 and files_on_disk(media_root) == before


def test_removing_files_gives_no_allowance_back(settings, post, writer, photo):
    from attachments.services import delete_attachments

    settings.MAJLIS_ATTACHMENT_DAILY_BYTES = len(photo)
    add_files(by=writer, post=post, files=[upload(photo)])
    with transaction.atomic():
        delete_attachments(Attachment.objects.all())
    with pytest.raises(RateLimited):
        add_files(by=writer, post=post, files=[upload(photo)])


def test_one_refused_file_refuses_the_whole_message_and_leaves_nothing(post, writer, media_root, photo):
    with pytest.raises(BadRequest):
        add_files(by=writer, post=post, files=[upload(photo), upload(b"<html></html>", "b.jpg")])
    assert_nothing_stored(media_root)
    with pytest.raises(BadRequest):  # the bad one last: the good ones were already cleaned and written
        add_files(by=writer, post=post, files=[upload(photo), upload(b"\xff\xd8\xff\xe0broken", "c.jpg")])
    assert_nothing_stored(media_root)


def test_a_transaction_rolled_back_after_its_files_were_stored_leaves_no_file(post, writer, media_root, photo):
    with pytest.raises(RuntimeError):
        with staged_files([upload(photo)], by=writer) as staged, transaction.atomic():
            store(staged, by=writer, post=post)
            assert len(files_on_disk(media_root)) == 2  # the file and its preview
            raise RuntimeError("the post could not be stored after all")
    assert_nothing_stored(media_root)


def test_an_empty_file_is_refused(post, writer, media_root):
    with pytest.raises(BadRequest) as refused:
        add_files(by=writer, post=post, files=[upload(b"", "empty.jpg")])
    assert refused.value.detail == "This file is empty."


def test_refusals_are_said_in_arabic_too(post, writer):
    from django.utils import translation

    with translation.override("ar"), pytest.raises(BadRequest) as refused:
        add_files(by=writer, post=post, files=[upload(b"<svg></svg>", "a.svg")])
    assert refused.value.detail.startswith("هذا النوع من الملفات غير مقبول.") and "JPEG" in refused.value.detail


# --- Purging -----------------------------------------------------------------------------

def test_purge_deletes_unsent_room_files_after_a_day_and_files_left_without_a_row(
    make_room, writer, post, media_root, photo, committed,
):
    room = make_room("aden")
    sent = add_files(by=writer, post=post, files=[upload(photo)])[0]
    fresh = add_files(by=writer, room=room, files=[upload(photo)])[0]
    stale = add_files(by=writer, room=room, files=[upload(photo)])[0]
    Attachment.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(hours=25))
    orphan = storage.write(b"left behind by a deleted post", "jpg")
    young_orphan = storage.write(b"an upload under way", "jpg")
    old = time.time() - 2 * 3600
    os.utime(storage.path_of(orphan), (old, old))
    for name in (sent.stored_name, sent.preview_name, fresh.stored_name, fresh.preview_name):
        os.utime(storage.path_of(name), (old, old))

    with committed():
        assert purge_attachments() == (1, 1)

    assert set(Attachment.objects.values_list("pk", flat=True)) == {sent.pk, fresh.pk}
    on_disk = {str(path.relative_to(media_root)) for path in files_on_disk(media_root)}
    assert on_disk == {sent.stored_name, sent.preview_name, fresh.stored_name, fresh.preview_name, young_orphan}


def test_purge_expired_runs_the_attachment_purge(make_room, writer, media_root, photo, committed):
    room = make_room("aden")
    stale = add_files(by=writer, room=room, files=[upload(photo)])[0]
    Attachment.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(days=2))
    with committed():
        call_command("purge_expired", stdout=open(os.devnull, "w"))
    assert not Attachment.objects.exists() and files_on_disk(media_root) == []


def test_a_deleted_post_loses_its_files_at_the_next_purge(post, writer, media_root, photo):
    add_files(by=writer, post=post, files=[upload(photo)])
    post.delete()  # account erasure and thread deletion delete rows in bulk
    assert not Attachment.objects.exists() and len(files_on_disk(media_root)) == 2
    old = time.time() - 2 * 3600
    for path in files_on_disk(media_root):
        os.utime(path, (old, old))
    assert purge_attachments() == (0, 2)
    assert files_on_disk(media_root) == []
