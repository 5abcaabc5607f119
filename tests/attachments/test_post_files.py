"""Files on forum posts: new threads, replies and edits take `attachments` (DESIGN.md:
several files, multipart/form-data); a thread page shows each with its preview or size and
its fingerprint. A refused file refuses the post: nothing is stored, on disk or in rows."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from attachments.models import Attachment
from forum.models import Post, Thread
from tests.attachments import corpus
from tests.attachments.conftest import files_on_disk


@pytest.fixture(scope="module")
def photo():
    return corpus.jpeg(orientation=1)


@pytest.fixture(scope="module")
def document():
    return corpus.pdf(with_photo=False)


def _file(data, name):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_a_new_thread_takes_several_files_and_its_page_shows_them(
    category, writer, other_member, client_for, photo, document,
):
    client = client_for(writer)
    page = client.get(f"/c/{category.slug}/new/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="attachments"' in page and "multiple" in page
    assert "removes the location, device and time data" in page and "faces" in page

    response = client.post(f"/c/{category.slug}/new/", {
        "title": "Checkpoint photos", "body": "Two files.",
        "attachments": [_file(photo, "IMG_2231.jpg"), _file(document, "statement.pdf")],
    })
    thread = Thread.objects.get(title="Checkpoint photos")
    assert response.status_code == 302 and response["Location"] == thread.get_absolute_url()
    picture, pdf = thread.posts.get().attachments.order_by("content_type").reverse()
    assert (picture.content_type, pdf.content_type) == ("image/jpeg", "application/pdf")

    page = client_for(other_member).get(thread.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'src="/files/{picture.public_id}/preview/"' in page
    assert f'href="/files/{picture.public_id}/"' in page and "Tap to load the full picture" in page
    assert f'href="/files/{pdf.public_id}/" download' in page and "statement.pdf" in page
    assert picture.fingerprint in page and pdf.fingerprint in page


def test_a_reply_takes_files_too(thread, writer, client_for, photo):
    response = client_for(writer).post(f"/t/{thread.public_id}/reply/", {
        "body": "Here.", "attachments": [_file(photo, "a.jpg")],
    })
    assert response.status_code == 302
    assert Post.objects.get(body_source="Here.").attachments.count() == 1


def test_the_thread_pages_reply_form_sends_files(thread, writer, client_for):
    page = client_for(writer).get(thread.get_absolute_url()).content.decode()
    form = page[page.index(f'action="/t/{thread.public_id}/reply/"') - 40:]
    assert 'enctype="multipart/form-data"' in form[:200] and 'name="attachments"' in form


def test_a_refused_file_refuses_the_thread_and_stores_nothing(category, writer, client_for, photo, media_root):
    response = client_for(writer).post(f"/c/{category.slug}/new/", {
        "title": "With a bad file", "body": "Two files.",
        "attachments": [_file(photo, "a.jpg"), _file(b"<html><script>x</script></html>", "b.jpg")],
    }, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "This kind of file is not accepted." in response.content.decode()
    assert not Thread.objects.filter(title="With a bad file").exists()
    assert not Attachment.objects.exists() and files_on_disk(media_root) == []


def test_more_than_ten_files_are_refused_with_their_own_message(thread, writer, client_for, photo, media_root):
    response = client_for(writer).post(f"/t/{thread.public_id}/reply/", {
        "body": "Eleven.", "attachments": [_file(photo, f"{n}.jpg") for n in range(11)],
    }, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "At most 10 files can go with one message." in response.content.decode()
    assert not Post.objects.filter(body_source="Eleven.").exists() and files_on_disk(media_root) == []


def test_past_the_daily_allowance_the_form_answers_429_and_stores_nothing(
    thread, writer, client_for, photo, media_root, settings,
):
    settings.MAJLIS_ATTACHMENT_DAILY_BYTES = len(photo) - 1
    response = client_for(writer).post(f"/t/{thread.public_id}/reply/", {
        "body": "Too much today.", "attachments": [_file(photo, "a.jpg")],
    }, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "of files a day" in response.content.decode()
    assert not Post.objects.filter(body_source="Too much today.").exists() and files_on_disk(media_root) == []


def test_an_edit_adds_and_removes_files_and_a_removed_file_leaves_the_disk(
    thread, writer, client_for, photo, document, media_root, committed,
):
    client = client_for(writer)
    client.post(f"/t/{thread.public_id}/reply/", {"body": "First.", "attachments": [_file(photo, "old.jpg")]})
    post = Post.objects.get(body_source="First.")
    old = post.attachments.get()
    page = client.get(f"/p/{post.public_id}/edit/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'enctype="multipart/form-data"' in page and f'value="{old.public_id}"' in page and "old.jpg" in page

    with committed():
        response = client.post(f"/p/{post.public_id}/edit/", {
            "body": "First.", "remove": [old.public_id], "attachments": [_file(document, "new.pdf")],
        })
    assert response.status_code == 302
    assert [a.name for a in post.attachments.all()] == ["new.pdf"]
    on_disk = {str(path.relative_to(media_root)) for path in files_on_disk(media_root)}
    assert old.stored_name not in on_disk and old.preview_name not in on_disk
    assert post.attachments.get().stored_name in on_disk
    post.refresh_from_db()
    assert post.edited_at is not None and not post.revisions.exists()  # the text did not change


def test_an_edit_may_not_bring_a_post_past_ten_files(thread, writer, client_for, photo, settings):
    settings.MAJLIS_ATTACHMENTS_PER_MESSAGE = 2
    client = client_for(writer)
    client.post(f"/t/{thread.public_id}/reply/", {"body": "Two.", "attachments": [_file(photo, "1.jpg"), _file(photo, "2.jpg")]})
    post = Post.objects.get(body_source="Two.")
    response = client.post(f"/p/{post.public_id}/edit/", {"body": "Two.", "attachments": [_file(photo, "3.jpg")]},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "At most 2 files can go with one message." in response.content.decode()
    assert post.attachments.count() == 2


def test_only_the_posts_own_files_can_be_removed(thread, writer, other_member, client_for, photo):
    client_for(other_member).post(f"/t/{thread.public_id}/reply/", {"body": "Theirs.", "attachments": [_file(photo, "t.jpg")]})
    theirs = Attachment.objects.get()
    client = client_for(writer)
    client.post(f"/t/{thread.public_id}/reply/", {"body": "Mine."})
    mine = Post.objects.get(body_source="Mine.")
    response = client.post(f"/p/{mine.public_id}/edit/", {"body": "Mine, edited.", "remove": [theirs.public_id]})
    assert response.status_code == 302  # no such choice on this post: not a field, nothing removed
    assert Attachment.objects.filter(pk=theirs.pk).exists()
