"""Times written in the browser (static/js/time.js, with Intl) read exactly as the server
writes them (forum/times.py), in real Chromium: the same words, the same digits, the same
zone; a room message arriving live says what the server says for a message of its age."""

import re
import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone, translation
from playwright.sync_api import expect

from forum import times
from forum.models import Profile
from forum.services.content import do_create_category, start_thread
from forum.services.grants import do_grant_permission
from realtime.models import RoomMessage
from realtime.services import do_create_room

WAIT = 10_000
NOW = datetime(2026, 12, 3, 11, 5, 30, tzinfo=UTC)
AGES = [timedelta(seconds=s) for s in (
    0, 59, -30, 60, 119, 120, 180, 600, 660, 3599, 3600, 7200, 10800, 39600, 86399, 86400,
    172800, 259200, 604799, 604800, 864000, 400 * 86400, -5 * 3600,
)]
# Every month's name, and a night that is another day in another zone.
DATES = [datetime(2025, month, 9, 21, 59, 59, tzinfo=UTC) for month in range(1, 13)]

IMPORT_TIME_JS = """async (cases) => {
  const script = document.querySelector("script[src*='/js/notifications']");
  const time = await import(new URL("time.js", script.src));
  return cases.map(([iso, now]) => time.when(iso, now));
}"""


def as_the_server_writes(moment, *, language, zone):
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        return times.relative(moment, NOW) or times.full(moment)


def iso_ms(moment) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def set_profile(username, **fields):
    Profile.objects.filter(user__username=username).update(**fields)


@pytest.mark.parametrize("language, zone", [
    ("ar", "Asia/Aden"), ("ar", "America/Detroit"), ("en", "Europe/London"), ("en", "Pacific/Auckland"),
])
def test_time_js_writes_every_age_and_date_as_the_server_does(new_page, log_in, make_member, language, zone):
    make_member("layla", display_name="Layla", language=language)
    set_profile("layla", time_zone=zone)
    page = new_page(locale=language)
    log_in(page, "layla")
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("data-tz", zone)
    moments = [NOW - age for age in AGES] + DATES
    in_the_browser = page.evaluate(IMPORT_TIME_JS, [[iso_ms(m), NOW.timestamp() * 1000] for m in moments])
    expected = [as_the_server_writes(m, language=language, zone=zone) for m in moments]
    assert in_the_browser == expected
    if zone == "Asia/Aden":  # and what that is: Arabic words and digits, the next day in Aden
        assert expected[0] == "الآن" and "قبل ٣ ساعات" in expected and "١٠ يناير ٢٠٢٥، ٠٠:٥٩" in expected


def test_every_time_zone_offered_is_one_the_browser_knows(new_page, log_in, make_member):
    make_member("layla", display_name="Layla")
    page = new_page(locale="en")
    log_in(page, "layla")
    unknown = page.evaluate("""(zones) => zones.filter((zone) => {
      try { new Intl.DateTimeFormat("en", { timeZone: zone }); return false; } catch { return true; }
    })""", sorted(times.time_zone_names()))
    assert unknown == []


@pytest.fixture
def room(live_server_url):
    room = do_create_room(slug="aden", name="عدن")
    members = Group.objects.get_or_create(name="members")[0]
    for perm in ("view_room", "post_in_room"):
        do_grant_permission(actor=None, via="tests", perm=perm, obj=room, to=members)
    return room


@pytest.mark.parametrize("language, zone, now", [("ar", "Asia/Aden", "الآن"), ("en", "Europe/London", "now")])
def test_a_room_message_arriving_live_reads_as_the_server_writes_it(
    new_page, log_in, make_member, room, language, zone, now
):
    make_member("layla", display_name="Layla", language=language)
    make_member("omar", display_name="Omar", language="ar")
    set_profile("layla", time_zone=zone)
    pages = {}
    for username in ("layla", "omar"):
        pages[username] = new_page(locale=language)
        log_in(pages[username], username)
        pages[username].goto(f"/rooms/{room.slug}/")
        expect(pages[username].locator("[data-connection-state]")).to_have_attribute(
            "data-connection-state", "connected", timeout=WAIT)

    pages["omar"].locator("#room-body").fill("وصلت للتو")
    pages["omar"].locator("#room-body").press("Enter")
    live = pages["layla"].locator(".room-message[data-id]", has_text="وصلت للتو").locator("time")
    expect(live).to_have_text(now, timeout=WAIT)

    message = RoomMessage.objects.get(body_source="وصلت للتو")
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        full = times.full(message.created)
    expect(live).to_have_attribute("title", full)
    expect(live).to_have_attribute("datetime", iso_ms(message.created))
    # The same message as the server writes it into the page for this reader.
    served = pages["layla"].request.get(f"/rooms/{room.slug}/").text()
    assert f'<time datetime="{times.iso_utc(message.created)}" title="{full}">{now}</time>' in served


def test_times_on_an_open_page_move_on_with_the_clock(new_page, log_in, make_member, live_server_url):
    layla = make_member("layla", display_name="Layla", language="en")
    category = do_create_category(slug="campaigns", name="Campaigns")
    for perm in ("view_category", "post_in_category"):
        do_grant_permission(actor=None, via="tests", perm=perm, obj=category,
                            to=Group.objects.get_or_create(name="members")[0])
    thread = start_thread(author=layla, category=category, title="Fresh", body="Just written")
    page = new_page(locale="en")
    log_in(page, "layla")
    page.clock.install()
    page.goto(thread.get_absolute_url())
    post_time = page.locator("#posts .post time").first
    expect(post_time).to_have_text("now")
    page.clock.fast_forward("03:00")
    expect(post_time).to_have_text(re.compile(r"^[34] minutes ago$"), timeout=WAIT)

    # A time written as a date stays one: the session's start ("Since 3 Dec 2026, 14:00").
    page.goto("/accounts/sessions/")
    since = page.locator(".sessions time").first
    written = since.get_attribute("title")
    assert re.fullmatch(r"\d+ \w{3} \d{4}, \d\d:\d\d", written)
    expect(since).to_have_text(written)
    page.clock.fast_forward("03:00")
    expect(since).to_have_text(written)
