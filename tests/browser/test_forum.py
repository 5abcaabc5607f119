"""The forum in a real browser: a member writes in Arabic, a moderator hides a post."""

import re

from django.contrib.auth.models import Group
from django.utils.translation import gettext, override
from playwright.sync_api import expect

from forum.services.content import do_create_category
from forum.services.grants import do_grant_permission

TITLE = "توثيق انتهاكات الأسبوع في تعز"
OPENING = "نبدأ هنا بجمع الحالات الموثقة هذا الأسبوع، مع حماية هوية الشهود."
REPLY = "هذه شهادة تحتوي على تفاصيل تكشف هوية شاهد، يجب ألا تبقى ظاهرة."
REASON = "تكشف هوية شاهد"


def test_a_member_starts_an_arabic_thread_and_sees_the_post_a_moderator_hid(
    new_page, page_log, live_server_url, make_member, log_in
):
    make_member("layla", display_name="ليلى", language="ar")
    moderator = make_member("nour", display_name="نور", language="ar")
    category = do_create_category(slug="documentation", name="توثيق الانتهاكات")
    members = Group.objects.get(name="members")  # made with the first member
    for perm in ("view_category", "post_in_category"):
        do_grant_permission(actor=None, via="tests", perm=perm, obj=category, to=members)
    do_grant_permission(actor=None, via="tests", perm="moderate_category", obj=category, to=moderator)
    with override("ar"):
        hidden_note = gettext("This post was hidden by a moderator.")
    assert hidden_note != "This post was hidden by a moderator.", "the Arabic catalogue is missing"

    # The member starts a thread in Arabic through the real form, then replies to it.
    member_page = new_page()
    log_in(member_page, "layla")
    member_page.goto("/c/documentation/new/")
    expect(member_page.locator("html")).to_have_attribute("dir", "rtl")
    member_page.locator("#id_title").fill(TITLE)
    member_page.locator("#id_body").fill(OPENING)
    with member_page.expect_navigation():
        member_page.locator("form button[type=submit].primary").click()
    assert re.fullmatch(rf"{re.escape(live_server_url)}/t/[\w-]+/", member_page.url), member_page.url
    thread_url = member_page.url
    expect(member_page.locator("h1")).to_have_text(TITLE)
    member_page.locator("#reply textarea[name=body]").fill(REPLY)
    with member_page.expect_navigation():
        member_page.locator("#reply button[type=submit]").click()
    posts = member_page.locator("#posts article.post")
    expect(posts).to_have_count(2)
    expect(posts.nth(1)).to_contain_text(REPLY)
    reply_id = posts.nth(1).get_attribute("data-post-id")

    # The moderator, in another browser context, hides the reply with a reason.
    moderator_page = new_page()
    log_in(moderator_page, "nour", second_factor=True)
    moderator_page.goto(thread_url)
    moderator_page.locator(f"#p-{reply_id} .post-menu summary").click()  # the post's "⋯" menu
    hide_form = moderator_page.locator(f"#p-{reply_id} form[action$='/p/{reply_id}/hide/']")
    hide_form.locator("input[name=reason]").fill(REASON)
    with moderator_page.expect_navigation():
        hide_form.locator("button[type=submit]").click()
    # Moderators still read it in full, with the reason.
    expect(moderator_page.locator(f"#p-{reply_id}")).to_have_class(re.compile(r"\bis-hidden\b"))
    expect(moderator_page.locator(f"#p-{reply_id} .hidden-note")).to_contain_text(REASON)
    expect(moderator_page.locator(f"#p-{reply_id} .post-body")).to_contain_text(REPLY)

    # The member reloads: the note in Arabic, not the text nor the post's id; the opening post untouched.
    member_page.reload()
    hidden = posts.nth(1)
    expect(member_page.locator(f"#p-{reply_id}")).to_have_count(0)
    expect(hidden).to_have_class(re.compile(r"\bis-hidden\b"))
    expect(hidden.locator(".hidden-note")).to_have_text(hidden_note)
    expect(hidden).not_to_contain_text(REPLY)
    expect(member_page.locator("#posts")).not_to_contain_text(REPLY)
    expect(member_page.locator("#posts")).not_to_contain_text(REASON)
    expect(posts.first).to_contain_text(OPENING)

    for page in (member_page, moderator_page):
        page_log(page).assert_no_csp_violation()
        page_log(page).assert_same_origin()
