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
MODERATOR = {"ar": "moderator", "en": "moderator"}  # switched to the shot's language first

PAGES = [
    # (name, path, user-or-None): a user is {language: demo username}; {names} come from
    # the extra demo data below.
    ("login", "/accounts/login/", None),
    ("home", "/", READERS),
    ("category", "/c/campaigns/", READERS),
    ("thread", "/t/{campaign}/", READERS),  # quotes, a hidden post, the follow control
    ("moderation", "/moderation/", MODERATOR),  # a report and a pending post
    ("notifications", "/notifications/", READERS),
    ("rooms", "/rooms/", READERS),
    ("room", "/rooms/majlis/", READERS),
]


# A string condition is evaluated before any fixture, so a skip starts no browser.
pytestmark = pytest.mark.skipif(
    "os.environ.get('MAJLIS_SCREENSHOTS') != '1' and not config.getoption('--screenshots', False)",
    reason="writes docs/screenshots/; `make screenshots` runs it",
)


def build_demo() -> dict:
    """seed_demo, then what the pages are there to show, through the real services:
    quotes, a hidden post, a report, a post waiting for approval and a few notifications."""
    from django.contrib.auth import get_user_model

    from forum.models import Category, Thread
    from forum.services.content import reply, start_thread
    from forum.services.moderation import hide_post, report_post

    call_command("seed_demo")
    people = {user.username: user for user in get_user_model().objects.all()}
    campaign = Thread.objects.get(category__slug="campaigns", title__startswith="حملة")
    opening = campaign.posts.get(is_opening=True)
    suggestion = campaign.posts.get(author=people["moderator"])

    reply(author=people["diaspora"], thread=campaign, reply_to=opening, body=(
        "> **ليلى:**\n> ما الرسائل الأساسية التي نريد التركيز عليها؟\n\n"
        "Access to justice first, I think. @ليلى shall we draft the statement together this week?"
    ))
    off_topic = reply(author=people["admin"], thread=campaign, body=(
        "The survivor I met in Taiz last week agreed to speak: she lives near the market, next to the pharmacy."
    ))
    hide_post(post=off_topic, by=people["moderator"],
              reason="يكشف مكان إقامة ناجية · It reveals where a survivor lives")
    reply(author=people["member"], thread=campaign, reply_to=suggestion, body=(
        "> **نور:**\n> أقترح إضافة **حماية المدافعات عن حقوق الإنسان**.\n\n"
        "موافقة تمامًا، سأضيفها إلى المسودة. @Sami هل يمكنك ترجمتها؟"
    ))

    bridge = Thread.objects.get(category__slug="bridge")
    suspicious = reply(author=people["admin"], thread=bridge, body=(
        "Everyone should install this VPN to stay safe: https://free-vpn.example.com/download"
    ))
    report_post(post=suspicious, by=people["member"],
                reason="رابط غير معروف قد يكون فخًا · An unknown link that may be a trap")

    start_thread(
        author=people["member"], category=Category.objects.get(slug="documentation"),
        title="حالة احتجاز تعسفي في تعز",
        body="وثّقنا احتجاز ناشط لمدة ثلاثة أيام دون تهمة. التفاصيل محفوظة لدى الفريق، ونحتاج إلى مراجعة المنهجية قبل النشر.",
    )
    return {"campaign": campaign.public_id}


def in_language(username: str, language: str) -> None:
    from forum.models import Profile
    from forum.services.accounts import set_language

    profile = Profile.objects.get(user__username=username)
    if profile.language != language:
        set_language(profile, language)


@pytest.mark.parametrize("language", ["ar", "en"])
@pytest.mark.parametrize("name, path, user", [pytest.param(*page, id=page[0]) for page in PAGES])
def test_screenshot(new_page, page_log, log_in, name, path, user, language):
    names = build_demo()
    # Anonymous pages follow the browser's language; signed-in ones the profile's.
    page = new_page(locale=language, viewport={"width": WIDTHS[0], "height": 800})
    if user is not None:
        in_language(user[language], language)
        log_in(page, user[language], second_factor=user is MODERATOR)
    page.goto(path.format(**names))
    assert page.locator("html").get_attribute("lang") == language
    page.evaluate("document.fonts.ready.then(() => true)")
    OUT.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=OUT / f"{name}-{language}-{width}.png", full_page=True, animations="disabled")
    page_log(page).assert_no_csp_violation()
    page_log(page).assert_same_origin()


@pytest.mark.parametrize("language", ["ar", "en"])
def test_screenshot_room_while_reconnecting(new_page, page_log, log_in, language):
    """The room mid-conversation after its connection dropped: the state says so."""
    from playwright.sync_api import expect

    build_demo()
    page = new_page(locale=language, viewport={"width": WIDTHS[0], "height": 800})
    in_language(READERS[language], language)
    log_in(page, READERS[language])
    routes, cut = [], {"on": False}

    def through_playwright(route):
        if cut["on"]:
            route.close(code=1011)  # while cut, every new socket is refused
        else:
            routes.append((route, route.connect_to_server()))

    page.route_web_socket("**/ws/rooms/**", through_playwright)
    page.goto("/rooms/majlis/")
    state = page.locator("[data-connection-state]")
    expect(state).to_have_attribute("data-connection-state", "connected", timeout=10_000)
    cut["on"] = True
    for page_side, server_side in routes:
        server_side.close(code=1011)
        page_side.close(code=1011)
    expect(state).to_have_attribute("data-connection-state", "reconnecting", timeout=10_000)
    OUT.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=OUT / f"room-reconnecting-{language}-{width}.png", full_page=True,
                        animations="disabled")
    page_log(page).assert_no_csp_violation()
