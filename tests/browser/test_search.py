"""Search in a real browser, on a phone, in Arabic: the header's field, a spelling the
post did not use, the marked snippet, and the link that lands on the post; and the same
with JavaScript turned off."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from forum.services.content import do_create_category, reply, start_thread
from forum.services.grants import do_grant_permission


@pytest.fixture
def thread(make_member, settings):
    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, "reply": (10**6, 1)}  # seeding, not a member typing
    writer = make_member("layla", display_name="ليلى", language="ar")
    make_member("omar", display_name="عمر", language="ar")
    category = do_create_category(slug="documentation", name="توثيق الانتهاكات")
    for perm in ("view_category", "post_in_category"):
        do_grant_permission(actor=None, via="tests", perm=perm, obj=category, to=Group.objects.get(name="members"))
    thread = start_thread(author=writer, category=category, title="اجتماع اللجنة", body="نبدأ هنا.")
    for n in range(24):
        reply(author=writer, thread=thread, body=f"ملاحظة رقم {n}")
    target = reply(author=writer, thread=thread, body="التقى الفريق بالمسئولين في مدرسه القرية.")
    return thread, target


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_member_finds_a_post_by_another_spelling_and_lands_on_it(new_page, page_log, log_in, thread, javascript):
    thread, target = thread
    page = new_page(viewport={"width": 360, "height": 740}, java_script_enabled=javascript)
    log_in(page, "omar")
    page.locator(".site-menu > summary").click()  # on a phone the header folds into its menu
    field = page.locator("#site-search-q")
    field.fill("المسؤولين والمدرسة")  # the post wrote المسئولين and مدرسه
    with page.expect_navigation():
        field.press("Enter")
    result = page.locator(".search-result")
    expect(result).to_have_count(1)
    expect(result.locator("mark")).to_have_text(["بالمسئولين", "مدرسه"])
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling"
    with page.expect_navigation():
        result.locator("a.search-title").click()
    assert page.url.endswith(f"/t/{thread.public_id}/?page=2#p-{target.public_id}")
    expect(page.locator(f"#p-{target.public_id}")).to_be_visible()
    page_log(page).assert_no_csp_violation()
    page_log(page).assert_same_origin()
