"""Quick exit in Chromium (issue 13, item 3): the button, or Escape pressed three times,
ends the session on the server, empties what Majlis stored in the browser, replaces the
page in the history and lands on a page with nothing of Majlis; without JavaScript the
plain form still ends the session."""

import time

import pytest
from django.contrib.sessions.models import Session

pytestmark = pytest.mark.django_db(transaction=True)
NAMES = ("Majlis", "مجلس")


def session_key(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")


def ended(key: str) -> bool:
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        if not Session.objects.filter(session_key=key).exists():
            return True
        time.sleep(0.1)
    return False


def assert_nothing_of_majlis(page):
    text = page.content()
    assert not any(name in text for name in NAMES), page.url


def fill_storage(page):
    page.evaluate("""() => { localStorage.setItem('majlis.outbox', 'a draft about a witness');
                             sessionStorage.setItem('draft', 'another draft'); }""")


@pytest.mark.parametrize("how", ["button", "escape"])
def test_a_quick_exit_leaves_nothing_behind(new_page, make_member, log_in, how):
    make_member("layla", display_name="ليلى", language="ar")
    page = new_page()
    log_in(page, "layla")
    page.goto("/rooms/")
    fill_storage(page)
    key = session_key(page)

    with page.expect_navigation(url="**/weather/"):
        if how == "button":
            page.locator("form.quick-exit button").click()
        else:
            for _ in range(3):
                page.keyboard.press("Escape")

    assert ended(key)
    assert page.evaluate("() => localStorage.length + sessionStorage.length") == 0
    assert_nothing_of_majlis(page)
    page.go_back()  # the page exited from was replaced; what is before it is shown as neutral too
    page.wait_for_load_state()
    assert_nothing_of_majlis(page)


def test_two_escapes_do_nothing(new_page, make_member, log_in):
    make_member("layla", display_name="ليلى", language="ar")
    page = new_page()
    log_in(page, "layla")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    assert page.url.endswith("/") and Session.objects.filter(session_key=session_key(page)).exists()


def test_without_javascript_the_form_still_ends_the_session(new_page, make_member, log_in):
    make_member("layla", display_name="ليلى", language="ar")
    page = new_page(java_script_enabled=False)
    log_in(page, "layla")
    key = session_key(page)
    with page.expect_navigation(url="**/weather/"):
        page.locator("form.quick-exit button").click()
    assert ended(key)
    assert_nothing_of_majlis(page)
