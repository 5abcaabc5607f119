"""One "⋯" menu per room message and per post, in real Chromium on a 360 px phone in Arabic
(right to left): every item a thumb's size, and a room message edited in place reaching the
other members live, its earlier version shown to the room's moderator."""

import re
from functools import partial

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from forum.services.content import do_create_category, reply, start_thread
from forum.services.grants import do_grant_permission
from realtime.models import MessageRevision, RoomMessage
from realtime.services import do_create_room, edit_message, post_message
from tests.browser import test_accessibility
from tests.browser.test_room import WAIT, assert_clean, connection

axe_source = test_accessibility.axe_source  # the fixture: axe-core's script, as npm installed it
PHONE = {"width": 360, "height": 740}
THUMB = 44  # CSS px
BEFORE = "نلتقي عند الساعة الخامسة في *المكتب القديم*"
AFTER = "نلتقي عند الساعة السادسة في المكتبة"

# The size of every control a menu shows.
BOXES = """menu => [...menu.querySelectorAll('summary, a[href], button, input')]
  .filter(e => e.offsetParent !== null)
  .map(e => { const b = e.getBoundingClientRect();
              return [e.tagName + ' ' + (e.textContent || e.name || '').trim().slice(0, 20), b.width, b.height]; })"""


def too_small(menu) -> list:
    return [box for box in menu.evaluate(BOXES) if box[1] < THUMB or box[2] < THUMB]


def axe_violations(axe_source, page) -> list:
    """axe-core's violations on the page as it is now (its context must bypass CSP)."""
    page.add_script_tag(content=axe_source)
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results["violations"]]


@pytest.fixture
def room(live_server_url):
    room = do_create_room(slug="aden", name="عدن")
    members = Group.objects.get_or_create(name="members")[0]
    for perm in ("view_room", "post_in_room"):
        do_grant_permission(actor=None, via="tests", perm=perm, obj=room, to=members)
    return room


@pytest.fixture
def people(make_member, room):
    layla = make_member("layla", display_name="ليلى", language="ar")
    make_member("omar", display_name="عمر", language="ar")
    noor = make_member("noor", display_name="نور", language="ar")
    do_grant_permission(actor=None, via="tests", perm="moderate_room", obj=room, to=noor)
    return layla


@pytest.fixture
def phone_room(new_page, log_in, room):
    def open_(username, *, second_factor=False):
        page = new_page(locale="ar", viewport=PHONE)
        log_in(page, username, second_factor=second_factor)
        page.goto(f"/rooms/{room.slug}/")
        expect(connection(page)).to_have_attribute("data-connection-state", "connected", timeout=WAIT)
        return page

    return open_


def menu_of(page, text):
    return page.locator("[data-messages] .room-message", has_text=text).locator(".message-menu")


def test_the_author_edits_in_place_the_room_sees_it_live_and_the_moderator_the_earlier_version(
    phone_room, page_log, room, people
):
    message, _ = post_message(author=people, room=room, body=BEFORE, client_id="m1")
    author, reader, moderator = phone_room("layla"), phone_room("omar"), phone_room("noor", second_factor=True)
    assert author.locator("html").get_attribute("dir") == "rtl"

    menu = menu_of(author, "المكتب القديم")
    menu.locator("summary").click()
    assert too_small(menu) == []
    # Right to left, the toggle sits at the message's left end, on its first line.
    toggle = menu.locator("summary").bounding_box()
    line = author.locator(f"#m-{message.public_id}").bounding_box()
    assert toggle["x"] - line["x"] < 8 and toggle["y"] - line["y"] < 16
    expect(menu.locator("[data-action=report]")).to_have_count(0)  # one's own message: delete it instead
    menu.locator("[data-action=edit]").click()

    editor = author.locator(f"#m-{message.public_id} .message-editor textarea")
    expect(editor).to_have_value(BEFORE, timeout=WAIT)  # the text as written, Markdown and all
    expect(editor).to_be_focused()
    for button in author.locator(f"#m-{message.public_id} .message-editor button").all():
        box = button.bounding_box()
        assert box["width"] >= THUMB and box["height"] >= THUMB
    editor.fill(AFTER)
    author.locator(f"#m-{message.public_id} .message-editor button[type=submit]").click()

    edited_word = author.locator("[data-room-strings]").get_attribute("data-edited")
    for page in (author, reader, moderator):
        shown = page.locator(f"#m-{message.public_id}")
        expect(shown.locator(".room-message-body")).to_have_text(AFTER, timeout=WAIT)
        expect(shown.locator(".room-message-edited")).to_have_text(edited_word)
    expect(author.locator(".message-editor")).to_have_count(0)
    assert RoomMessage.objects.get(pk=message.pk).body_source == AFTER
    assert MessageRevision.objects.get().body_source == BEFORE

    # The reader's menu: report, nothing of the author's or the moderators'.
    menu = menu_of(reader, "المكتبة")
    menu.locator("summary").click()
    expect(menu.locator("[data-action]")).to_have_count(1)
    expect(menu.locator("[data-action=report]")).to_be_visible()
    assert too_small(menu) == []

    # The moderator: earlier versions, under the message, and every moderation item a thumb's size.
    menu = menu_of(moderator, "المكتبة")
    menu.locator("summary").click()
    assert too_small(menu) == []
    expect(menu.locator("[data-action=mute]")).to_have_count(2)
    menu.locator("[data-action=versions]").click()
    versions = moderator.locator(f"#m-{message.public_id} .message-versions")
    expect(versions).to_contain_text("المكتب القديم", timeout=WAIT)
    expect(versions.locator("em")).to_have_text("المكتب القديم")  # the old text as it was shown
    expect(reader.locator(".message-versions")).to_have_count(0)
    assert moderator.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "sideways scrolling"
    assert_clean(page_log, author, reader, moderator)


def test_without_javascript_the_menu_leads_to_the_edit_and_versions_pages(new_page, log_in, room, people):
    message, _ = post_message(author=people, room=room, body=BEFORE, client_id="m1")
    author = new_page(locale="ar", viewport=PHONE, java_script_enabled=False)
    log_in(author, "layla")
    author.goto(f"/rooms/{room.slug}/")
    menu = author.locator(f"#m-{message.public_id} .message-menu")
    menu.locator("summary").click()
    assert too_small(menu) == []
    menu.locator("a", has_text=re.compile(".")).first.click()  # its one item: edit
    expect(author).to_have_url(re.compile(r"/messages/.+/edit/$"))
    author.locator("textarea[name=body]").fill(AFTER)
    author.locator("form[data-message-edit-form] button[type=submit]").click()
    expect(author.locator(f"#m-{message.public_id} .room-message-body")).to_have_text(AFTER)

    moderator = new_page(locale="ar", viewport=PHONE, java_script_enabled=False)
    log_in(moderator, "noor", second_factor=True)
    moderator.goto(f"/rooms/{room.slug}/")
    menu = moderator.locator(f"#m-{message.public_id} .message-menu")
    menu.locator("summary").click()
    menu.locator("a[href$='/versions/']").click()
    expect(moderator.locator("[data-versions] em")).to_have_text("المكتب القديم")


def test_a_posts_menu_on_a_phone_reaches_report_edit_and_hide_each_a_thumbs_size(
    new_page, log_in, make_member, live_server_url, axe_source
):
    layla = make_member("layla", display_name="ليلى", language="ar")
    omar = make_member("omar", display_name="عمر", language="ar")
    noor = make_member("noor", display_name="نور", language="ar")
    category = do_create_category(slug="campaigns", name="الحملات")
    for perm in ("view_category", "post_in_category"):
        do_grant_permission(actor=None, via="tests", perm=perm, obj=category, to=Group.objects.get(name="members"))
    do_grant_permission(actor=None, via="tests", perm="moderate_category", obj=category, to=noor)
    thread = start_thread(author=layla, category=category, title="بيان الحملة", body="المسودة الأولى للبيان.")
    answer = reply(author=omar, thread=thread, body="أقترح تعديل الفقرة الثانية.")

    def post_menu(page, post):
        return page.locator(f"#p-{post.public_id} .post-menu")

    reader = new_page(locale="ar", viewport=PHONE)
    log_in(reader, "layla")
    reader.goto(f"/t/{thread.public_id}/")
    own, other = post_menu(reader, thread.posts.get(is_opening=True)), post_menu(reader, answer)
    expect(own.locator("a[href$='/edit/']")).to_be_hidden()  # folded until asked for
    for menu in (own, other):
        menu.locator("summary").click()
        assert too_small(menu) == []
    expect(own).not_to_have_attribute("open", "")  # one menu open at a time
    expect(other.locator("a[href$='/report/']")).to_be_visible()
    assert reader.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "sideways scrolling"
    other.locator("a[href$='/report/']").click()
    expect(reader).to_have_url(re.compile(rf"/p/{answer.public_id}/report/$"))
    reader.go_back()
    own.locator("summary").click()
    own.locator("a[href$='/edit/']").click()
    expect(reader).to_have_url(re.compile(r"/p/.+/edit/$"))

    moderator = new_page(locale="ar", viewport=PHONE, bypass_csp=True)  # for axe only, as below
    log_in(moderator, "noor", second_factor=True)
    moderator.goto(f"/t/{thread.public_id}/")
    menu = post_menu(moderator, answer)
    menu.locator("summary").click()
    assert too_small(menu) == []
    assert axe_violations(axe_source, moderator) == []
    menu.locator("input[name=reason]").fill("يذكر اسم شاهد")
    menu.locator("form[action$='/hide/'] button").click()
    expect(moderator.locator(f"#p-{answer.public_id}")).to_have_class(re.compile("is-hidden"), timeout=WAIT)


def test_open_menus_the_editor_and_the_versions_pass_axe(new_page, log_in, room, people, axe_source):
    # axe-core is injected as a script, which the site's CSP refuses: this context bypasses
    # CSP for the audit only (as tests/browser/test_accessibility.py explains).
    message, _ = post_message(author=people, room=room, body=BEFORE, client_id="m1")
    edit_message(by=people, room=room, message_id=message.public_id, body=AFTER)
    other, _ = post_message(author=people, room=room, body="رسالة ثانية", client_id="m2")

    audit = partial(axe_violations, axe_source)
    moderator = new_page(locale="ar", viewport=PHONE, bypass_csp=True)
    log_in(moderator, "noor", second_factor=True)
    moderator.goto(f"/rooms/{room.slug}/")
    expect(connection(moderator)).to_have_attribute("data-connection-state", "connected", timeout=WAIT)
    menu = menu_of(moderator, "المكتبة")
    menu.locator("summary").click()
    menu.locator("[data-action=versions]").click()
    expect(moderator.locator(".message-versions")).to_have_count(1, timeout=WAIT)
    menu_of(moderator, "رسالة ثانية").locator("summary").click()
    assert audit(moderator) == []

    author = new_page(locale="ar", viewport=PHONE, bypass_csp=True)
    log_in(author, "layla")
    author.goto(f"/rooms/{room.slug}/")
    expect(connection(author)).to_have_attribute("data-connection-state", "connected", timeout=WAIT)
    menu = menu_of(author, "رسالة ثانية")
    menu.locator("summary").click()
    menu.locator("[data-action=edit]").click()
    expect(author.locator(".message-editor textarea")).to_be_focused(timeout=WAIT)
    assert audit(author) == []


def test_a_muted_author_is_not_offered_edit_after_a_live_mute_nor_on_a_page_opened_muted(
    phone_room, page_log, room, people
):
    # The server refuses a muted member's edit (check_edit_message): the menu must not offer it.
    post_message(author=people, room=room, body=BEFORE, client_id="m1")
    author, moderator = phone_room("layla"), phone_room("noor", second_factor=True)
    menu = menu_of(author, "المكتب القديم")
    menu.locator("summary").click()
    expect(menu.locator("[data-action=edit]")).to_have_count(1)
    menu.locator("summary").click()

    moderator.on("dialog", lambda dialog: dialog.accept("تهدئة"))
    muting = menu_of(moderator, "المكتب القديم")
    muting.locator("summary").click()
    muting.locator("button[data-action=mute][data-minutes='10']").click()
    expect(author.locator("[data-notice]")).to_be_visible(timeout=WAIT)  # the mute reached the page
    menu.locator("summary").click()
    expect(menu.locator("[data-action=delete]")).to_have_count(1)
    expect(menu.locator("[data-action=edit]")).to_have_count(0)

    reopened = phone_room("layla")
    menu = menu_of(reopened, "المكتب القديم")
    menu.locator("summary").click()
    expect(menu.locator("[data-action=delete]")).to_have_count(1)
    expect(menu.locator("[data-action=edit]")).to_have_count(0)
