"""Who is in the room, in real Chromium (DESIGN.md, "Presence"): `hello` brings the list
and the total, then only changes come (`presence.changed`); the page keeps its list
through a lost connection, says how it is connected, and a reconnect's `hello` puts the
list right again.
"""

import json
import time

from playwright.sync_api import expect

from tests.browser.test_room import (  # noqa: F401 (fixtures)
    ROOM_SOCKET, WAIT, connection, layla, omar, open_room, room,
)

# A reconnection waits at most the backoff ceiling of its attempt (live-socket.js): a few
# seconds for the first attempts, which is all these tests cause.
RECONNECT = 20_000


class RoomSockets:
    """Every room socket of one page, relayed through Playwright: the frames the page was
    sent, and the power to lose some of them or to cut the link, as a network would."""

    def __init__(self, page):
        self.routes, self.received, self.lost = [], [], []
        self.refuse = False  # while set, new sockets are refused at once
        self.lose = lambda frame: False
        page.route_web_socket(ROOM_SOCKET, self.handle)

    def handle(self, route):
        if self.refuse:
            route.close(code=1011)
            return
        server = route.connect_to_server()
        self.routes.append((route, server))

        def from_server(text):
            frame = json.loads(text)
            if self.lose(frame):
                self.lost.append(frame)
                return
            self.received.append(frame)
            route.send(text)

        server.on_message(from_server)

    def cut(self):
        route, server = self.routes[-1]
        server.close(code=1011)
        route.close(code=1011)

    def of_type(self, kind):
        return [frame for frame in self.received if frame["type"] == kind]


def relayed(into: list):
    """For open_room's before_load: the page's room sockets, relayed, appended to `into`."""
    return lambda page: into.append(RoomSockets(page))


def people(page):
    return page.locator("[data-presence] li")


def presence_box(page):
    return page.locator("[data-presence-box]")


def says(page, key, **values):
    """The page's own words for `key` (a data-* attribute of its strings), filled in."""
    text = page.locator("[data-room-strings]").get_attribute(f"data-{key}")
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def expect_online(page, names, count=None):
    """The page shows `count` online (the room's total), and lists exactly `names`."""
    count = len(names) if count is None else count
    expect(presence_box(page)).to_have_attribute("data-online", str(count), timeout=WAIT)
    expect(presence_box(page)).to_be_visible()
    shown = page.evaluate("n => new Intl.NumberFormat(document.documentElement.lang).format(n)", count)
    expect(page.locator("#room-presence-label")).to_have_text(says(page, "online-count", count=shown))
    expect(people(page)).to_have_count(len(names))
    for name in names:
        expect(people(page).filter(has_text=name)).to_have_count(1)


def wait_until(page, condition):
    deadline = time.monotonic() + WAIT / 1000
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(50)  # lets Playwright run the sockets' handlers meanwhile


def test_two_members_see_each_other_join_and_leave_by_changes(open_room, layla, omar):
    found = []
    first = open_room("layla", before_load=relayed(found))
    expect_online(first, ["ليلى"])

    second = open_room("omar")
    expect_online(second, ["ليلى", "Omar"])  # from its hello
    expect_online(first, ["ليلى", "Omar"])   # from a change

    second.close()
    expect_online(first, ["ليلى"])

    # After hello, only changes reached the page: who came, who went, and the total.
    frames = found[0]
    assert frames.received[0]["type"] == "hello"
    about_omar = [
        (change["joined"], change["left"], change["online_count"])
        for change in frames.of_type("presence.changed")
        if omar.profile.public_id in change["left"] + [person["id"] for person in change["joined"]]
    ]
    assert about_omar == [([{"id": omar.profile.public_id, "name": "Omar"}], [], 2), ([], [omar.profile.public_id], 1)]
    assert frames.of_type("presence") == []


def test_the_states_are_shown_and_the_list_survives_reconnects_and_is_put_right_by_hello(
    open_room, layla, omar, make_member
):
    noor = make_member("noor", display_name="Noor", language="ar")
    found = []
    page = open_room("layla", before_load=relayed(found))
    sockets = found[0]
    other = open_room("omar")
    noors_page = open_room("noor")
    expect_online(page, ["ليلى", "Omar", "Noor"])
    expect(connection(page)).to_have_text(says(page, "state-connected"))

    # Offline: the page says so, and keeps who was here (marked stale) until it is back.
    page.context.set_offline(True)
    expect(connection(page)).to_have_attribute("data-connection-state", "offline", timeout=WAIT)
    expect(connection(page)).to_have_text(says(page, "state-offline"))
    expect(presence_box(page)).to_have_attribute("data-stale", "true")
    expect(people(page)).to_have_count(3)
    page.context.set_offline(False)
    expect(connection(page)).to_have_attribute("data-connection-state", "connected", timeout=RECONNECT)
    expect(connection(page)).to_have_text(says(page, "state-connected"))
    expect(presence_box(page)).not_to_have_attribute("data-stale", "true")
    expect_online(page, ["ليلى", "Omar", "Noor"])

    # Noor leaves, and the change is lost on the way (the channel layer delivers at most
    # once): this page still shows her.
    sockets.lose = lambda frame: frame["type"] == "presence.changed"
    noors_page.close()
    expect_online(other, ["ليلى", "Omar"])
    wait_until(page, lambda: any(noor.profile.public_id in frame["left"] for frame in sockets.lost))
    expect_online(page, ["ليلى", "Omar", "Noor"])

    # The socket drops: the page says it reconnects and keeps its list meanwhile; the new
    # socket's hello replaces the list with the room as it is now.
    sockets.lose = lambda frame: False
    sockets.refuse = True
    sockets.cut()
    expect(connection(page)).to_have_attribute("data-connection-state", "reconnecting", timeout=WAIT)
    expect(connection(page)).to_have_text(says(page, "state-reconnecting"))
    expect(presence_box(page)).to_have_attribute("data-stale", "true")
    expect(people(page)).to_have_count(3)
    sockets.refuse = False
    expect(connection(page)).to_have_attribute("data-connection-state", "connected", timeout=RECONNECT)
    expect_online(page, ["ليلى", "Omar"])
    assert sockets.of_type("hello")[-1]["online_count"] == 2


def test_the_count_is_the_rooms_total_and_the_list_who_the_page_knows(open_room, layla):
    found = []
    page = open_room("layla", before_load=relayed(found))
    sockets = found[0]
    # Only the changes this test writes: the server's own (about layla) would race them.
    sockets.lose = lambda frame: frame["type"] == "presence.changed"
    expect_online(page, ["ليلى"])

    def tell(frame):
        sockets.routes[-1][0].send(json.dumps(frame))

    # A crowded room: hello listed at most 100, and the changes name only who came and went.
    tell({"type": "presence.changed", "joined": [{"id": "zaid", "name": "Zaid"}, {"id": "huda", "name": "هدى"}],
          "left": [], "online_count": 150})
    expect_online(page, ["ليلى", "Zaid", "هدى"], count=150)
    tell({"type": "presence.changed", "joined": [], "left": ["zaid", "someone-not-listed"], "online_count": 148})
    expect_online(page, ["ليلى", "هدى"], count=148)
    tell({"type": "presence.changed", "joined": [{"id": "huda", "name": "هدى"}], "left": [], "online_count": 148})
    expect_online(page, ["ليلى", "هدى"], count=148)  # a repeat is one person, once

    # A name is text, never markup.
    tell({"type": "presence.changed", "joined": [{"id": "x", "name": "<b>x</b>"}], "left": [], "online_count": 149})
    expect(people(page).filter(has_text="<b>x</b>")).to_have_count(1)
    expect(page.locator("[data-presence] b")).to_have_count(0)

    # The whole list of the older protocol, should a server still send it, replaces ours.
    tell({"type": "presence", "online": [{"id": "sami", "name": "Sami"}]})
    expect_online(page, ["Sami"])
