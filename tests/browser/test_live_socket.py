"""The site's one reconnecting socket (static/js/live-socket.js), in real Chromium: its
backoff policy alone (a pure function and a timer-free policy object, run in the page),
then on the room page: a first 4401 tried again at once, a second one final, and a link
that went silent given up after a ping.
"""

import re
import time

from playwright.sync_api import expect

from tests.browser.test_room import (  # noqa: F401 (fixtures)
    ROOM_SOCKET, WAIT, connection, layla, open_room, room,
)
from tests.browser.test_room_presence import RoomSockets, wait_until

MODULE = "/static/js/live-socket.js"


def run_in_page(page, script):
    """Evaluate `script` (an async function of the imported module) in a page of ours."""
    page.goto("/accounts/login/")
    return page.evaluate(f"async () => {{ const m = await import({MODULE!r}); return ({script})(m); }}")


def test_reconnection_delays_are_fully_jittered_under_a_ceiling_capped_at_a_minute(page):
    ceilings, samples = run_in_page(page, """(m) => {
        const attempts = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        return [
            attempts.map((n) => m.backoffDelay(n, () => 1)),
            attempts.map((n) => Array.from({ length: 300 }, () => m.backoffDelay(n))),
        ];
    }""")
    # Growing by half each attempt (static/js/live-socket.js says why), a minute at most.
    assert ceilings == [1500, 2250, 3375, 5063, 7594, 11391, 17086, 25629, 38443, 57665]
    for n, delays in enumerate(samples, start=1):
        ceiling = min(60_000, round(1000 * 1.5 ** n + 1e-9))
        assert all(0 <= delay <= ceiling for delay in delays)
        # Full jitter: anywhere from 0, not only near the ceiling (300 draws: all in the
        # upper half has a chance of 2^-300).
        assert min(delays) < ceiling / 2 < max(delays)


def test_the_attempts_start_again_only_after_a_socket_stayed_open_a_minute(page):
    delays = run_in_page(page, """(m) => {
        const policy = new m.Backoff(() => 1);  // always the ceiling: the attempt shows
        const seen = [policy.closed(1006, 0), policy.closed(1006, 0)];
        policy.opened(1000);
        seen.push(policy.closed(1006, 1000 + 59999));  // open a moment short of a minute
        policy.opened(100000);
        seen.push(policy.closed(1006, 100000 + 60000)); // a stable minute: from the start
        for (let i = 0; i < 20; i += 1) policy.closed(4408, 200000);  // too slow: a drop like any
        seen.push(policy.closed(1006, 200000));
        return seen;
    }""")
    assert delays == [1500, 2250, 3375, 1500, 60000]


def test_4403_and_4404_are_final_and_4401_is_final_only_the_second_time_in_a_row(page):
    answers = run_in_page(page, """(m) => {
        const fresh = () => new m.Backoff(() => 1);
        const twice = fresh();
        const heardBetween = fresh();
        const first = heardBetween.closed(4401, 0);
        heardBetween.heard();  // the next socket was answered: the session was alive
        return {
            banned: fresh().closed(4403, 0), gone: fresh().closed(4404, 0), slow: fresh().closed(4408, 0),
            twice: [twice.closed(4401, 0), twice.closed(4401, 0)],
            heardBetween: [first, heardBetween.closed(4401, 0)],
        };
    }""")
    assert answers == {
        "banned": "final", "gone": "final", "slow": 1500,
        "twice": [0, "final"], "heardBetween": [0, 0],
    }


def test_a_first_4401_is_tried_again_at_once_and_the_room_opens(open_room, page_log, layla):
    attempts = []

    def first_refused(page):
        # As after a password change in another tab: the first socket went out with the
        # old session cookie; the rotated one is already in the jar.
        def handle(route):
            attempts.append(time.monotonic())
            if len(attempts) == 1:
                route.close(code=4401)
            else:
                route.connect_to_server()

        page.route_web_socket(ROOM_SOCKET, handle)

    page = open_room("layla", before_load=first_refused)

    expect(page).to_have_url(re.compile(r"/rooms/aden/$"))
    assert len(attempts) == 2 and attempts[1] - attempts[0] < 0.5
    # Never sent to the login page meanwhile (which would have sent it straight back).
    assert [url for url in page_log(page).requests if "/accounts/login/?next=" in url] == []
    page_log(page).assert_no_csp_violation()


def test_after_a_logout_elsewhere_the_room_tries_once_more_then_goes_to_the_login_page(
    open_room, page_log, layla
):
    page = open_room("layla")
    other_tab = page.context.new_page()
    other_tab.goto("/")

    other_tab.locator("form[action$='/accounts/logout/'] button").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/rooms/aden/"), timeout=WAIT)
    # The first socket, closed with 4401; one more at once, refused with 4401: final.
    assert len([url for url in page_log(page).requests if "/ws/rooms/" in url]) == 2
    page_log(page).assert_no_csp_violation()


def test_a_link_silent_after_a_ping_is_given_up_and_the_room_reconnects(open_room, page_log, layla):
    found = []

    def fake_clock(page):
        page.clock.install()  # the page's timers, moved by the test
        found.append(RoomSockets(page))

    page = open_room("layla", before_load=fake_clock)
    sockets = found[0]

    # A live link answers the ping: nothing happens.
    page.clock.fast_forward(20_000)
    wait_until(page, lambda: sockets.of_type("pong"))
    page.clock.fast_forward(10_000)
    expect(connection(page)).to_have_attribute("data-connection-state", "connected")
    assert len(sockets.routes) == 1

    # The link goes silent (a phone between networks: no close ever arrives).
    sockets.lose = lambda frame: True
    page.clock.fast_forward(20_000)  # the next ping; its answer never comes
    expect(connection(page)).to_have_attribute("data-connection-state", "connected")
    page.clock.fast_forward(10_000)
    expect(connection(page)).to_have_attribute("data-connection-state", "reconnecting", timeout=WAIT)

    sockets.lose = lambda frame: False
    page.clock.fast_forward(2_000)  # the first reconnection waits at most 2 s
    expect(connection(page)).to_have_attribute("data-connection-state", "connected", timeout=WAIT)
    assert len(sockets.routes) == 2 and sockets.routes[-1][0].url.endswith("?after=0")
    page_log(page).assert_no_csp_violation()
