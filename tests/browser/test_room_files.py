"""Files in a room (issue 17, items 1, 2, 4 and 5), in real Chromium on a 360 px phone in
Arabic: a member attaches a photo from their phone, with its GPS position, and sends it; the
other member sees its preview arrive live, taps to load the full picture, and what the
server sends carries no position. A refused file shows the server's reason and nothing is
sent; a file uploaded for a message still in the outbox goes out with it, once, after a
reload; a member who turned on automatic loading sees full pictures without a tap; a live
post with files shows them. Every new control is a thumb's size, and axe finds nothing.
"""

import io
import json
import re
import shutil
import subprocess
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from PIL.ExifTags import IFD
from playwright.sync_api import expect

from attachments import services as files
from attachments.models import Attachment
from forum.models import Profile
from forum.services.content import do_create_category, start_thread
from forum.services.grants import do_grant_permission
from realtime.models import RoomMessage
from realtime.services import post_message
from tests.attachments import corpus
from tests.browser import test_accessibility
from tests.browser.relay import Relay
from tests.browser.test_live_status import kept
from tests.browser.test_message_menu import axe_violations
from tests.browser.test_room import WAIT, confirmed, connection, layla, message, omar, room  # noqa: F401 (fixtures)

axe_source = test_accessibility.axe_source  # the fixture
PHONE = {"width": 360, "height": 740}
THUMB = 44
# Every control the files add: the attach button (the file input over it), a chosen file's
# "remove", "tap to load", a fingerprint's toggle, a download.
NEW_CONTROLS = """() => [...document.querySelectorAll(
    '.room-attach-input, .room-file-remove, .attachment-full, .fingerprint summary, .attachment-download')]
  .filter(e => e.offsetParent !== null)
  .map(e => { const b = e.getBoundingClientRect(); return [e.className || e.tagName, b.width, b.height]; })"""


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MAJLIS_MEDIA_ROOT = tmp_path / "media"
    settings.MAJLIS_FILES_ACCEL_REDIRECT = ""
    return settings.MAJLIS_MEDIA_ROOT


@pytest.fixture
def photo(tmp_path):
    """A phone's photo: a JPEG made with Pillow, its EXIF holding a GPS position."""
    out = io.BytesIO()
    corpus.picture(640, 480).save(out, "JPEG", exif=corpus.exif(orientation=1), quality=90)
    path = tmp_path / "IMG_0412.jpg"
    path.write_bytes(out.getvalue())
    assert Image.open(path).getexif().get_ifd(IFD.GPSInfo)  # the position is there to begin with
    return path


@pytest.fixture
def phone(new_page, log_in, room):
    def open_(username, *, url=None, **options):
        page = new_page(locale="ar", viewport=PHONE, **options)
        log_in(page, username)
        page.goto(url or f"/rooms/{room.slug}/")
        if url is None:
            expect(connection(page)).to_have_attribute("data-connection-state", "connected", timeout=WAIT)
        return page

    return open_


def tray(page):
    return page.locator("[data-attach-tray] .room-file")


def too_small(page) -> list:
    return [box for box in page.evaluate(NEW_CONTROLS) if box[1] < THUMB or box[2] < THUMB]


def served_without_position(page, url) -> bytes:
    """The bytes the member's browser gets at `url`, with its cookies; no GPS left in them."""
    response = page.context.request.get(url)
    assert response.status == 200
    data = response.body()
    exif = Image.open(io.BytesIO(data)).getexif()
    assert not exif.get_ifd(IFD.GPSInfo) and 0x8825 not in exif
    if shutil.which("exiftool"):
        tags = json.loads(subprocess.run(["exiftool", "-j", "-G", "-"], input=data, capture_output=True,
                                         check=True).stdout)[0]
        assert not [tag for tag in tags if "GPS" in tag], tags
    return data


def wait_for(condition, seconds=WAIT / 1000):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_photo_reaches_the_room_live_as_its_preview_and_loads_in_full_without_its_position(
    phone, page_log, room, layla, omar, photo, axe_source,
):
    sender = phone("layla")
    reader = phone("omar", bypass_csp=True)  # for axe, at the end

    sender.locator("[data-attach-input]").set_input_files(photo)
    expect(tray(sender)).to_have_attribute("data-state", "ready", timeout=WAIT)
    expect(tray(sender)).to_contain_text("IMG_0412.jpg")
    hint = sender.locator("[data-attach-hint]")
    expect(hint).to_be_visible()  # what cleaning removes, and what it cannot
    assert hint.inner_text() and "Faces" not in hint.inner_text()  # Arabic shipped
    assert too_small(sender) == []
    assert sender.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "sideways scrolling"
    sender.locator("#room-body").fill("من الحاجز")
    sender.locator(".room-composer button[type=submit]").click()

    stored = Attachment.objects.get()
    live = message(reader, "من الحاجز")
    expect(live).to_have_count(1, timeout=WAIT)
    preview = live.locator(".attachment-preview img")
    expect(preview).to_have_attribute("src", f"/files/{stored.public_id}/preview/")
    expect(preview).to_have_attribute("alt", "صورة: IMG_0412.jpg")
    reader.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=preview.element_handle())
    assert reader.evaluate("img => img.naturalWidth", preview.element_handle()) <= stored.preview_width
    tap = live.locator(".attachment-full")
    expect(tap).to_be_visible()
    assert "٫" in tap.inner_text() or "كيلوبايت" in tap.inner_text()  # the size, as Arabic writes it
    # The fingerprint, which the frame does not carry, is filled in from the page's own source.
    expect(live.locator(".fingerprint summary code")).to_have_text(f"{stored.fingerprint[:12]}…", timeout=WAIT)
    assert not [url for url in page_log(reader).requests if url.endswith(f"/files/{stored.public_id}/")]
    assert too_small(reader) == []
    assert axe_violations(axe_source, reader) == []

    tap.click()  # the full picture, in place
    expect(preview).to_have_attribute("src", f"/files/{stored.public_id}/")
    reader.wait_for_function("img => img.complete && img.naturalWidth === 640", arg=preview.element_handle())
    expect(live.locator(".attachment-full")).to_have_count(0)
    data = served_without_position(reader, f"/files/{stored.public_id}/")
    assert Image.open(io.BytesIO(data)).size == (640, 480)

    assert RoomMessage.objects.get().attachments.get() == stored
    expect(tray(sender)).to_have_count(0)
    expect(sender.locator("[data-attach-hint]")).to_be_hidden()
    page_log(sender).assert_no_csp_violation()


def test_a_refused_file_shows_the_servers_reason_and_nothing_is_sent(phone, page_log, room, layla, tmp_path):
    page = phone("layla")
    fake = tmp_path / "photo.jpg"
    fake.write_bytes(b"<html><script>alert(1)</script></html>")
    page.locator("[data-attach-input]").set_input_files(fake)
    refused = tray(page)
    expect(refused).to_have_attribute("data-state", "refused", timeout=WAIT)
    # The server's own words, in the member's language: what is accepted.
    expect(refused.locator(".room-file-state")).to_contain_text("JPEG")
    assert "Accepted" not in refused.inner_text()

    page.locator("#room-body").fill("مع الملف")
    page.locator("#room-body").press("Enter")
    expect(page.locator("[data-notice]")).to_be_visible()
    expect(page.locator(".room-message.is-sending")).to_have_count(0)
    assert page.locator("#room-body").input_value() == "مع الملف"
    assert not Attachment.objects.exists() and not RoomMessage.objects.exists()

    refused.locator(".room-file-remove").click()  # taken off: the text alone goes
    expect(tray(page)).to_have_count(0)
    page.locator("#room-body").press("Enter")
    expect(confirmed(page).filter(has_text="مع الملف")).to_have_count(1, timeout=WAIT)
    assert RoomMessage.objects.get().attachments.count() == 0
    page_log(page).assert_no_csp_violation()


@pytest.fixture
def relay(live_server_url):
    relay = Relay(live_server_url)
    yield relay
    relay.close()


def test_an_uploaded_file_stays_with_its_message_in_the_outbox_and_is_sent_once_after_a_reload(
    new_page, log_in, relay, room, layla, photo,
):
    page = new_page(locale="ar", viewport=PHONE)
    log_in(page, "layla")
    page.goto(f"{relay.url}/rooms/{room.slug}/")
    expect(connection(page)).to_have_attribute("data-connection-state", "connected", timeout=2 * WAIT)
    relay.stall(sockets_only=True)  # the room's socket stalls; pages and uploads still go

    page.locator("[data-attach-input]").set_input_files(photo)
    expect(tray(page)).to_have_attribute("data-state", "ready", timeout=WAIT)
    stored = Attachment.objects.get()
    page.locator(".room-composer button[type=submit]").click()  # files only, no text
    pending = page.locator(".room-message.is-sending")
    expect(pending.locator(".attachment-preview img")).to_have_attribute("src", f"/files/{stored.public_id}/preview/")
    (entries,) = kept(page).values()
    assert [[file["id"] for file in entry["attachments"]] for entry in entries] == [[stored.public_id]]
    client_id = entries[0]["clientId"]

    page.reload()

    sent = confirmed(page)
    expect(sent).to_have_count(1, timeout=WAIT)
    expect(sent.locator(".attachment-preview img")).to_have_attribute("src", f"/files/{stored.public_id}/preview/")
    expect(page.locator(".room-message.is-sending")).to_have_count(0)
    assert kept(page) == {}
    relay.resume()  # the first page's send, held all this time, reaches the server now
    wait_for(lambda: relay.holding() == 0)
    time.sleep(0.5)
    message = RoomMessage.objects.get()
    assert message.client_id == client_id and list(message.attachments.all()) == [stored]


def _upload(data, name):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def send_photo(page, photo, text):
    """Through the composer, as a member does: attach, wait for the upload, send."""
    page.locator("[data-attach-input]").set_input_files(photo)
    expect(tray(page)).to_have_attribute("data-state", "ready", timeout=WAIT)
    page.locator("#room-body").fill(text)
    page.locator(".room-composer button[type=submit]").click()


def test_automatic_loading_shows_full_pictures_without_a_tap(phone, room, layla, omar, photo):
    Profile.objects.filter(user=omar).update(load_full_pictures=True)
    waiting = files.upload_to_room(by=layla, room=room, upload=_upload(photo.read_bytes(), "before.jpg"))
    post_message(author=layla, room=room, body="قبل", client_id="a1", attachments=[waiting.public_id])
    reader = phone("omar")
    send_photo(phone("layla"), photo, "بعد")  # arriving live
    for body in ("قبل", "بعد"):
        shown = message(reader, body)
        expect(shown.locator(".attachment-preview img")).to_have_attribute(
            "src", re.compile(r"^/files/[\w-]+/$"), timeout=WAIT)
        expect(shown.locator(".attachment-full")).to_have_count(0)
        reader.wait_for_function("img => img.complete && img.naturalWidth === 640",
                                 arg=shown.locator("img").element_handle())
    assert {a.name for a in Attachment.objects.all()} == {"before.jpg", "IMG_0412.jpg"}


def test_a_post_that_arrives_live_shows_its_files(new_page, log_in, layla, omar, photo):
    from django.contrib.auth.models import Group

    from tests.browser.test_live_thread import Sockets

    category = do_create_category(slug="reports", name="تقارير")
    members = Group.objects.get_or_create(name="members")[0]
    for perm in ("view_category", "post_in_category"):
        do_grant_permission(actor=None, via="tests", perm=perm, obj=category, to=members)
    thread = start_thread(author=layla, category=category, title="الحاجز", body="البداية")
    reader = new_page(locale="ar", viewport=PHONE)
    log_in(reader, "omar")
    sockets = Sockets(reader)
    reader.goto(thread.get_absolute_url())
    sockets.wait_open(f"/ws/threads/{thread.public_id}/")

    writer = new_page(locale="ar", viewport=PHONE)
    log_in(writer, "layla")
    writer.goto(thread.get_absolute_url())
    writer.locator("#reply textarea[name=body]").fill("مع صورة")
    writer.locator("#reply input[name=attachments]").set_input_files(photo)
    with writer.expect_navigation():
        writer.locator("#reply button[type=submit]").click()

    live = reader.locator("#posts article.post").nth(1)
    expect(live.locator(".post-body")).to_contain_text("مع صورة", timeout=WAIT)
    picture = Attachment.objects.get()
    image = live.locator(".attachment-preview img")
    expect(image).to_have_attribute("src", f"/files/{picture.public_id}/preview/", timeout=WAIT)
    expect(live.locator(".fingerprint summary code")).to_have_text(f"{picture.fingerprint[:12]}…")
    live.locator(".attachment-full").click()
    expect(image).to_have_attribute("src", f"/files/{picture.public_id}/")


def test_where_the_room_keeps_evidence_a_ticked_file_keeps_its_original_with_the_browsers_fingerprint(
    phone, page_log, room, layla, photo, settings, tmp_path,
):
    import base64
    import hashlib
    import secrets

    from attachments.evidence.models import Original
    from attachments.evidence.places import do_set_keep_evidence

    settings.MAJLIS_EVIDENCE_ROOT = tmp_path / "evidence"
    settings.MAJLIS_EVIDENCE_KEY = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    sender = phone("layla")
    assert sender.locator("[data-keep-original]").count() == 0  # not offered where not kept
    do_set_keep_evidence(actor=None, place=room, on=True)

    sender = phone("layla")
    keep = sender.locator("label", has=sender.locator("[data-keep-original]"))
    expect(keep).to_be_visible()
    assert keep.bounding_box()["height"] >= THUMB
    keep.click()
    sender.locator("[data-attach-input]").set_input_files(photo)
    expect(tray(sender)).to_have_attribute("data-state", "ready", timeout=WAIT)
    sender.locator("#room-body").fill("الأصل محفوظ")
    sender.locator(".room-composer button[type=submit]").click()
    expect(message(sender, "الأصل محفوظ")).to_have_count(1, timeout=WAIT)
    original = Original.objects.get()
    expected = hashlib.sha256(photo.read_bytes()).hexdigest()
    assert original.browser_sha256 == expected == original.sha256  # the browser's, checked by the server
