"""The everyday pages in real Chromium, audited by axe-core (npm, `make test` installs it),
on a phone in Arabic and a desktop in English: no violation of any impact, no sideways
scrolling, no text box too narrow to write in, and on the phone no control smaller than a
thumb (44 × 44 CSS px; links inside a post's text are words of a sentence, and exempt).

axe-core is injected into the page as a script, which the site's Content Security Policy
rightly refuses: the audit's browser context bypasses CSP (Playwright's `bypass_csp`), for
the audit only. Every other browser test runs under the policy and checks it was kept.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_screenshots import build_demo, in_language

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SIZES = {"ar": {"width": 360, "height": 740}, "en": {"width": 1280, "height": 800}}
READERS = {"ar": "member", "en": "diaspora"}  # demo people whose profile is in that language
PAGES = {
    "home": "/", "thread": "/t/{campaign}/", "room": "/rooms/majlis/",
    "notifications": "/notifications/", "moderation log": "/moderation/log/",
}
CARDS = {"notifications": ".notification", "moderation log": ".mod-event"}
NARROWEST_TEXT_BOX = 200  # CSS px
SMALLEST_TARGET = 44  # CSS px, on the phone
# Visible controls smaller than a thumb, but the skip link (off screen until focused, then
# 44 px high) and links inside user text.
TOO_SMALL = """min => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary')]
  .filter(e => e.offsetParent !== null && !e.classList.contains('skip')
               && !e.closest('.post-body, .room-message-body, .snippet'))
  .map(e => [e, e.getBoundingClientRect()])
  .filter(([e, box]) => box.width < min || box.height < min)
  .map(([e, box]) => `${e.tagName} "${(e.textContent || e.name || '').trim().slice(0, 20)}" `
                     + `${Math.round(box.width)}x${Math.round(box.height)}`)"""


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.exists():
        # In CI a missing tool is a broken build, never a silent skip.
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"{AXE} is missing: run `make test` (npm ci)")
    return AXE.read_text()


@pytest.mark.parametrize("language", ["ar", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_the_page_passes_axe_without_sideways_scrolling(new_page, log_in, axe_source, name, language):
    names = build_demo()
    in_language(READERS[language], language)
    page = new_page(locale=language, viewport=SIZES[language], bypass_csp=True)
    log_in(page, READERS[language])
    page.goto(PAGES[name].format(**names))
    assert page.locator("html").get_attribute("lang") == language
    page.add_script_tag(content=axe_source)
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    violations = [
        (v["id"], v["impact"], [node["target"] for node in v["nodes"]][:5]) for v in results["violations"]
    ]
    assert violations == [], violations
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "sideways scrolling"
    narrow = page.evaluate(
        """min => [...document.querySelectorAll('textarea, input[type=text], input[type=search], input:not([type])')]
             .filter(box => box.offsetParent !== null && box.getBoundingClientRect().width < min)
             .map(box => box.id || box.name)""",
        NARROWEST_TEXT_BOX,
    )
    assert narrow == [], narrow
    if language == "ar":  # the phone
        assert page.evaluate(TOO_SMALL, SMALLEST_TARGET) == []
    if name in CARDS:  # a card per entry, as wide as the page's column, not a squeezed table row
        widths = page.eval_on_selector_all(CARDS[name], "cards => cards.map(c => c.getBoundingClientRect().width)")
        assert widths and min(widths) >= 0.75 * page.evaluate("document.querySelector('main').clientWidth"), widths
    if name == "room":  # docked at the foot of the screen, without scrolling to it
        expect(page.locator("#room-body")).to_be_in_viewport()
