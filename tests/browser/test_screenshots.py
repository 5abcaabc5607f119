"""Screenshots of the demo for docs/screenshots/: `make screenshots` (or MAJLIS_SCREENSHOTS=1).

Every page is shot in Arabic and English, on a phone (360px) and a desktop (1280px).
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTHS = [360, 1280]
READERS = {"ar": "member", "en": "diaspora"}  # demo people whose profile is in that language

PAGES = [
    # (name, path, user-or-None): a user is {language: demo username}
    ("login", "/accounts/login/", None),
    ("home", "/", READERS),
]


# A string condition is evaluated before any fixture, so a skip starts no browser.
pytestmark = pytest.mark.skipif(
    "os.environ.get('MAJLIS_SCREENSHOTS') != '1' and not config.getoption('--screenshots', False)",
    reason="writes docs/screenshots/; `make screenshots` runs it",
)


@pytest.mark.parametrize("language", ["ar", "en"])
@pytest.mark.parametrize("name, path, user", PAGES)
def test_screenshot(new_page, page_log, log_in, name, path, user, language):
    call_command("seed_demo")
    # Anonymous pages follow the browser's language; signed-in ones the profile's.
    page = new_page(locale=language, viewport={"width": WIDTHS[0], "height": 800})
    if user is not None:
        log_in(page, user[language])
    page.goto(path)
    assert page.locator("html").get_attribute("lang") == language
    OUT.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=OUT / f"{name}-{language}-{width}.png", full_page=True, animations="disabled")
    page_log(page).assert_no_csp_violation()
    page_log(page).assert_same_origin()
