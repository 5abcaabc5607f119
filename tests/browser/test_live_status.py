"""Live status you can trust (issue 16, item 4), in real Chromium through a TCP relay that
stalls the room's link without closing it (tests/browser/relay.py): the dock beside the
message box says "reconnecting" within 30 s, a message not confirmed within 10 s says it
is waiting, and what was written goes out once after recovery or after a reload. Logout and
quick exit leave no outbox in the browser. Then the composer on a touch screen (Enter is a
new line, the button sends) and the skip link to the message box (items 1 and 7).
"""

import re
import time

import pytest
from playwright.sync_api import expect

from realtime.models import RoomMessage
from tests.browser.relay import Relay
from tests.browser.test_room import WAIT, confirmed, connection, layla, message, room  # noqa: F401 (fixtures)

OUTBOX = "majlis.outbox."
ROOM_SOCKETS = "/ws/rooms/"
WAITING = re.compile(r"\bis-waiting\b")


@pytest.fixture
def relay(live_server_url):
    relay = Relay(live_server_url)
    yield relay
    relay.close()  # before the server waits for its connections to end


@pytest.fixture
def relayed_room(new_page, log_in, relay, room, layla):
    """`relayed_room(**context_options)`: layla's page on the room, loaded through the
    relay (so its socket goes through it too), once the room said hello."""

    def open_(*, clock=False, **context_options):
        page = new_page(**context_options)
        log_in(page, "layla")
        if clock:
            page.clock.install()  # the page's timers, moved by the test
        page.goto(f"{relay.url}/rooms/{room.slug}/")
        # Twice the usual wait: the first page of the module opens while Chromium starts up.
        expect(connection(page)).to_have_attribute("data-connection-state", "connected", timeout=2 * WAIT)
        return page

    return open_


def strings(page):
    return page.locator("[data-room-strings]")


def said(page, key):
    return strings(page).get_attribute(f"data-{key}")


def dock_state(page):
    return page.locator(".room-dock [data-connection-state]")


def kept(page):
    """This tab's outboxes: {key: [{clientId, body}]}."""
    return page.evaluate(f"""() => Object.fromEntries(Object.keys(sessionStorage)
        .filter((key) => key.startsWith({OUTBOX!r}))
        .map((key) => [key, JSON.parse(sessionStorage.getItem(key))]))""")


def run_clock_until(page, condition, step_ms=500):
    """Move the page's fake clock on, a step at a time, until `condition()` (real network
    traffic meanwhile goes on in real time)."""
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.clock.run_for(step_ms)
        time.sleep(0.05)


def wait_for(condition, seconds=WAIT / 1000):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def stored(body):
    return RoomMessage.objects.filter(body_source=body).count()


def write(page, text):
    page.locator("#room-body").fill(text)
    page.locator("#room-body").press("Enter")


def test_a_stalled_link_is_shown_as_reconnecting_beside_the_message_box_within_30_seconds(relayed_room, relay):
    page = relayed_room(clock=True)
    state = dock_state(page)
    expect(state).to_have_text(said(page, "state-connected"))
    expect(state).to_have_attribute("role", "status")  # read out politely by screen readers

    relay.stall()  # no byte either way, and no close: as a phone that lost its signal
    page.clock.run_for(20_000)  # the ping goes out; no answer comes
    expect(state).to_have_attribute("data-connection-state", "connected")
    page.clock.run_for(10_000)

    expect(state).to_have_attribute("data-connection-state", "reconnecting")
    expect(state).to_have_text(said(page, "state-reconnecting"))
    expect(state).to_be_visible()
    expect(state).to_be_in_viewport()
    assert said(page, "state-reconnecting") not in ("", "Connection lost: reconnecting…")  # Arabic shipped

    # A new handshake into the stall neither opens nor fails: it is given up after 15 s
    # and tried again, so the link is found as soon as it is back.
    run_clock_until(page, lambda: relay.websockets(ROOM_SOCKETS) == 2)
    page.clock.run_for(15_000)
    run_clock_until(page, lambda: relay.websockets(ROOM_SOCKETS) == 3)
    expect(state).to_have_attribute("data-connection-state", "reconnecting")

    relay.resume()
    run_clock_until(page, lambda: state.get_attribute("data-connection-state") == "connected")
    expect(state).to_have_text(said(page, "state-connected"))


def test_a_message_typed_during_a_stall_waits_visibly_and_is_delivered_once_after_recovery(relayed_room, relay):
    page = relayed_room(clock=True)
    relay.stall()

    write(page, "أثناء الانقطاع")  # goes out on the stalled socket, with a ping behind it
    pending = page.locator(".room-message.is-sending", has_text="أثناء الانقطاع")
    expect(pending).to_have_count(1)
    expect(pending.locator(".room-message-status")).to_have_text(said(page, "sending"))
    page.clock.run_for(9_000)
    expect(pending).not_to_have_class(WAITING)

    page.clock.run_for(1_000)  # 10 s without a confirmation: said in words, not only colour
    expect(pending).to_have_class(WAITING)
    expect(pending.locator(".room-message-status")).to_have_text(said(page, "waiting"))
    assert said(page, "waiting") not in ("", "Waiting: not delivered yet")  # Arabic shipped
    # The ping sent with the message found the link dead: no 20 s wait for the next one.
    expect(dock_state(page)).to_have_attribute("data-connection-state", "reconnecting")
    assert stored("أثناء الانقطاع") == 0

    # The signal is back: the stalled socket's bytes (the first send) reach the server
    # too, and the new socket sends the same client_id again.
    relay.resume()
    run_clock_until(page, lambda: confirmed(page).filter(has_text="أثناء الانقطاع").count() == 1)
    expect(page.locator(".room-message.is-sending")).to_have_count(0)
    expect(message(page, "أثناء الانقطاع")).to_have_count(1)
    wait_for(lambda: relay.holding() == 0)
    time.sleep(0.5)
    assert stored("أثناء الانقطاع") == 1
    assert kept(page) == {}


def test_a_message_in_the_outbox_survives_a_reload_and_is_sent_once(relayed_room, relay, layla, room):
    page = relayed_room()
    key = f"{OUTBOX}{layla.profile.public_id}.{room.slug}"
    relay.stall(sockets_only=True)  # the room's socket stalls; pages still load

    write(page, "قبل إعادة التحميل")
    expect(page.locator(".room-message.is-sending", has_text="قبل إعادة التحميل")).to_have_count(1)
    outbox = kept(page)
    assert list(outbox) == [key] and [entry["body"] for entry in outbox[key]] == ["قبل إعادة التحميل"]
    client_id = outbox[key][0]["clientId"]
    # What another account left in this tab is never sent as layla's, and is dropped.
    page.evaluate(f"""() => sessionStorage.setItem({OUTBOX + 'someone-else.' + room.slug!r},
        JSON.stringify([{{clientId: "theirs", body: "not layla's"}}]))""")

    page.reload()

    expect(confirmed(page).filter(has_text="قبل إعادة التحميل")).to_have_count(1, timeout=WAIT)
    expect(page.locator(".room-message.is-sending")).to_have_count(0)
    assert RoomMessage.objects.get(body_source="قبل إعادة التحميل").client_id == client_id
    assert kept(page) == {}

    relay.resume()  # the first page's send, held all this time, reaches the server now
    wait_for(lambda: relay.holding() == 0)
    time.sleep(0.5)
    assert stored("قبل إعادة التحميل") == 1
    assert not RoomMessage.objects.filter(body_source="not layla's").exists()
    expect(message(page, "قبل إعادة التحميل")).to_have_count(1)


@pytest.mark.parametrize("how", ["logout", "quick exit"])
def test_logout_and_quick_exit_leave_no_outbox_in_the_browser(relayed_room, relay, how):
    page = relayed_room()
    relay.stall(sockets_only=True)
    write(page, "لا تبقى بعدي")
    expect(page.locator(".room-message.is-sending")).to_have_count(1)
    assert kept(page) != {}

    if how == "logout":
        with page.expect_navigation(url="**/accounts/login/"):
            page.locator("form[data-logout] button").click()
    else:
        with page.expect_navigation(url="**/weather/"):
            page.locator("form.quick-exit button").click()

    assert kept(page) == {}
    assert page.evaluate("() => sessionStorage.length + localStorage.length") == 0
    relay.resume()


def test_on_a_touch_screen_enter_starts_a_new_line_and_the_send_button_sends(relayed_room, relay):
    page = relayed_room(has_touch=True, is_mobile=True, viewport={"width": 360, "height": 740})
    assert page.evaluate("() => matchMedia('(pointer: coarse)').matches")
    box = page.locator("#room-body")
    send = page.locator(".room-composer button[type=submit]")

    box.fill("السطر الأول")
    box.press("Enter")
    expect(box).to_have_value("السطر الأول\n")
    box.press_sequentially("السطر الثاني")
    expect(page.locator(".room-message.is-sending")).to_have_count(0)
    expect(page.locator("[data-composer-hint]")).to_be_hidden()  # it speaks of keyboards

    size = send.bounding_box()
    assert size["width"] >= 44 and size["height"] >= 44
    send.tap()

    expect(confirmed(page).filter(has_text="السطر الثاني")).to_have_count(1, timeout=WAIT)
    expect(box).to_have_value("")
    assert stored("السطر الأول\nالسطر الثاني") == 1


def test_a_keyboard_reaches_the_message_box_by_a_skip_link_shown_on_focus(relayed_room, relay):
    page = relayed_room()
    skip = page.locator("a[data-skip-to-composer]")
    expect(skip).not_to_be_in_viewport()

    page.keyboard.press("Tab")  # "Skip to content"
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert skip.inner_text() != "Skip to the message box"  # Arabic shipped
    page.keyboard.press("Enter")

    expect(page.locator("#room-body")).to_be_focused()
    page.keyboard.type("من لوحة المفاتيح")
    page.keyboard.press("Enter")
    expect(confirmed(page).filter(has_text="من لوحة المفاتيح")).to_have_count(1, timeout=WAIT)
