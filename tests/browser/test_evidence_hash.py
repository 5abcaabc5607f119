"""The evidence locker in a real browser: when a member chooses files on a post form that
offers "keep the original as evidence", Chromium computes each file's SHA-256 with Web
Crypto (static/js/evidence-hash.js) and sends it in `original_sha256`, one per file in
order; the server finds the same and keeps the originals."""

import base64
import hashlib
import re
import secrets

from django.contrib.auth.models import Group
from playwright.sync_api import expect

from attachments.evidence.models import Original
from forum.models import Category
from forum.services.content import do_create_category
from forum.services.grants import do_grant_permission
from tests.attachments import corpus


def test_chromium_computes_and_sends_each_files_sha256(
    new_page, page_log, live_server_url, make_member, log_in, settings, tmp_path,
):
    settings.MAJLIS_MEDIA_ROOT = tmp_path / "media"
    settings.MAJLIS_EVIDENCE_ROOT = tmp_path / "evidence"
    settings.MAJLIS_FILES_ACCEL_REDIRECT = ""
    settings.MAJLIS_EVIDENCE_KEY = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    make_member("layla", display_name="Layla", language="en")
    category = do_create_category(slug="documentation", name="Documentation", keep_evidence=True)
    members = Group.objects.get(name="members")
    for perm in ("view_category", "post_in_category"):
        do_grant_permission(actor=None, via="tests", perm=perm, obj=category, to=members)
    photo, document = corpus.jpeg(orientation=6), corpus.pdf(with_photo=False)
    files = [
        {"name": "IMG_2231.jpg", "mimeType": "image/jpeg", "buffer": photo},
        {"name": "statement.pdf", "mimeType": "application/pdf", "buffer": document},
    ]
    expected = [hashlib.sha256(photo).hexdigest(), hashlib.sha256(document).hexdigest()]

    page = new_page(locale="en")
    log_in(page, "layla")
    page.goto("/c/documentation/new/")
    page.locator("#id_title").fill("Raid on the office")
    page.locator("#id_body").fill("Two files, originals kept.")
    page.locator("input[name=attachments]").set_input_files(files)
    page.locator("input[name=keep_original]").check()
    # Sent at once: the form waits for the fingerprints before it goes.
    with page.expect_navigation():
        page.locator("form button[type=submit].primary").click()
    assert re.fullmatch(rf"{re.escape(live_server_url)}/t/[\w-]+/", page.url), page.url
    kept = list(Original.objects.order_by("id").values_list("name", "browser_sha256", "sha256"))
    assert kept == [("IMG_2231.jpg", expected[0], expected[0]), ("statement.pdf", expected[1], expected[1])]

    # On the thread page's reply form, the fingerprint is in the form as soon as a file is chosen.
    page.locator("#reply input[name=attachments]").set_input_files(files[1:])
    hidden = page.locator("#reply input[type=hidden][name=original_sha256]")
    expect(hidden).to_have_count(1)
    expect(hidden).to_have_value(expected[1])
    page.locator("#reply input[name=attachments]").set_input_files(files[:1])  # chosen again: replaced
    expect(hidden).to_have_count(1)
    expect(hidden).to_have_value(expected[0])
    page_log(page).assert_same_origin()
    page_log(page).assert_no_csp_violation()
    assert Category.objects.get(slug="documentation").keep_evidence
