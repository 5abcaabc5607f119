"""Unread tracking in a real browser, on a phone, in Arabic: home counts a reply by someone
else, the thread opens on the page of that reply with it in view, and the count clears."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from forum.services.content import do_create_category, reply, start_thread
from forum.services.grants import do_grant_permission


@pytest.fixture
def world(make_member, settings):
    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, "reply": (10**6, 1)}  # seeding, not a member typing
    writer = make_member("layla", display_name="ليلى", language="ar")
    make_member("omar", display_name="عمر", language="ar")
    category = do_create_category(slug="documentation", name="توثيق الانتهاكات")
    for perm in ("view_category", "post_in_category"):
        do_grant_permission(actor=None, via="tests", perm=perm, obj=category, to=Group.objects.get(name="members"))
    thread = start_thread(author=writer, category=category, title="اجتماع اللجنة", body="نبدأ هنا.")
    for n in range(24):
        reply(author=writer, thread=thread, body=f"ملاحظة رقم {n}")
    return writer, category, thread


def test_a_reply_is_counted_on_home_and_the_thread_opens_at_it(new_page, page_log, log_in, world):
    writer, category, thread = world
    page = new_page(viewport={"width": 360, "height": 740})
    log_in(page, "omar")
    page.goto(f"{thread.get_absolute_url()}?page=2")  # read to the end
    page.goto("/")
    place = page.locator("ul.places li", has=page.locator(f'a[href="/c/{category.slug}/"]'))
    expect(place.locator(".badge.new")).to_have_count(0)
    answer = reply(author=writer, thread=thread, body="وصل التقرير النهائي.")
    page.reload()
    expect(place.locator(".badge.new")).to_have_text("واحد غير مقروء")
    page.goto(thread.get_absolute_url())
    expect(page.locator("#new")).to_be_visible()
    post = page.locator(f"#p-{answer.public_id}")
    expect(post).to_be_in_viewport()
    assert "?page=" not in page.url  # no redirect: the page itself was the one of the reply
    page.goto("/")
    expect(place.locator(".badge.new")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling"
    page_log(page).assert_no_csp_violation()
    page_log(page).assert_same_origin()
