"""A thread page, live: a diaspora member watches, an in-country member replies elsewhere."""

import time

from django.contrib.auth.models import Group
from playwright.sync_api import expect

from forum.models.people import Location
from forum.services.content import do_create_category, start_thread
from forum.services.grants import do_grant_permission

QUESTION = "نحتاج إلى من يترجم بيان الحملة إلى الألمانية قبل يوم الخميس. من يستطيع المساعدة؟"
ANSWER = "أرسلت المسودة العربية الآن، شكرًا لكم في برلين."
HIDDEN_NOTE = "This post was hidden by a moderator."  # the diaspora member reads English


class Sockets:
    """The page's WebSockets as Chromium sees them (DevTools protocol), without touching the page.

    Playwright says when a socket is created but not when its handshake is done; the
    server joins its groups before it accepts, so "handshake answered" means "subscribed".
    """

    def __init__(self, page):
        self.page, self.created, self.opened = page, [], set()
        session = page.context.new_cdp_session(page)
        session.on("Network.webSocketCreated", lambda e: self.created.append((e["requestId"], e["url"])))
        session.on("Network.webSocketHandshakeResponseReceived",
                   lambda e: self.opened.add(e["requestId"]) if e["response"]["status"] == 101 else None)
        session.send("Network.enable")

    def mark(self) -> int:
        return len(self.created)

    def wait_open(self, path: str, *, since: int = 0, timeout: float = 5.0) -> None:
        """Wait until a socket to `path`, created after `since`, has been accepted."""
        deadline = time.monotonic() + timeout
        while not any(path in url and request in self.opened for request, url in self.created[since:]):
            assert time.monotonic() < deadline, f"no open socket to {path}: {self.created[since:]}"
            self.page.wait_for_timeout(25)  # lets Playwright deliver the protocol's events


def test_a_reply_appears_live_for_a_watching_diaspora_member_and_hides_live(
    new_page, page_log, make_member, log_in
):
    layla = make_member("layla", display_name="ليلى", language="ar", location=Location.IN_COUNTRY)
    make_member("sami", display_name="Sami", language="en", location=Location.DIASPORA)
    moderator = make_member("nour", display_name="نور", language="ar")
    category = do_create_category(slug="bridge", name="جسر الداخل والمهجر · Inside and diaspora")
    for perm in ("view_category", "post_in_category"):
        do_grant_permission(actor=None, via="tests", perm=perm, obj=category, to=Group.objects.get(name="members"))
    do_grant_permission(actor=None, via="tests", perm="moderate_category", obj=category, to=moderator)
    thread = start_thread(author=layla, category=category, title="ترجمة بيان الحملة", body=QUESTION)
    thread_url = f"/t/{thread.public_id}/"

    # The diaspora member opens the thread (a short window, so the page scrolls) and watches it.
    reader = new_page(locale="en", viewport={"width": 1280, "height": 420})
    sockets = Sockets(reader)
    log_in(reader, "sami")
    reader.goto(thread_url)
    counter = reader.locator("#unread-count")
    expect(counter).to_be_hidden()
    follow = reader.locator("form.follow")
    since = sockets.mark()
    with reader.expect_navigation():
        follow.locator("button[value=watching]").click()
    assert reader.url.endswith(thread_url)
    expect(follow.locator("button[value=watching]")).to_have_attribute("aria-pressed", "true")
    sockets.wait_open(f"/ws/threads/{thread.public_id}/", since=since)
    sockets.wait_open("/ws/notifications/", since=since)
    expect(counter).to_be_hidden()

    # The reader is at the top of the page, reading the question.
    reader.evaluate("window.scrollTo(0, 0); window.majlisNoReload = true")
    assert reader.evaluate("document.documentElement.scrollHeight > window.innerHeight")
    question_top = reader.locator("#posts article.post").first.evaluate("n => n.getBoundingClientRect().top")
    posts = reader.locator("#posts article.post")
    expect(posts).to_have_count(1)

    # The in-country member replies in another browser, through the reply form.
    writer = new_page()
    log_in(writer, "layla")
    writer.goto(thread_url)
    writer.locator("#reply textarea[name=body]").fill(ANSWER)
    with writer.expect_navigation():
        writer.locator("#reply button[type=submit]").click()

    # The reply arrives live, below; nothing the reader was reading moved; the count rose.
    expect(posts).to_have_count(2)
    live = posts.nth(1)
    expect(live.locator(".post-body")).to_contain_text(ANSWER)
    expect(live.locator(".author")).to_have_text("ليلى")
    expect(counter).to_be_visible()
    expect(counter).to_have_text("1")
    assert reader.evaluate("window.majlisNoReload") is True, "the page was reloaded"
    assert reader.evaluate("window.scrollY") == 0
    assert posts.first.evaluate("n => n.getBoundingClientRect().top") == question_top
    post_id = live.get_attribute("data-post-id")
    assert post_id

    # A moderator hides it: on the reader's page it turns into the note, live.
    moderator_page = new_page()
    log_in(moderator_page, "nour", second_factor=True)
    moderator_page.goto(thread_url)
    moderator_page.locator(f"#p-{post_id} .post-menu summary").click()  # the post's "⋯" menu
    hide_form = moderator_page.locator(f"#p-{post_id} form[action$='/p/{post_id}/hide/']")
    hide_form.locator("input[name=reason]").fill("خطأ في النشر")
    with moderator_page.expect_navigation():
        hide_form.locator("button[type=submit]").click()

    # In place, without its text, its id or its links (as a page loaded now shows it).
    hidden = posts.nth(1)
    expect(hidden.locator(".hidden-note")).to_have_text(HIDDEN_NOTE)
    expect(hidden).not_to_contain_text(ANSWER)
    expect(reader.locator(f"#p-{post_id}")).to_have_count(0)
    expect(reader.locator(f"[data-post-id='{post_id}']")).to_have_count(0)
    expect(hidden.locator("a, form")).to_have_count(0)
    expect(reader.locator("#posts")).not_to_contain_text(ANSWER)
    assert reader.evaluate("window.majlisNoReload") is True, "the page was reloaded"

    for page in (reader, writer, moderator_page):
        page_log(page).assert_no_csp_violation()
        page_log(page).assert_same_origin()
