"""The room page's live client (static/js/room.js) in real Chromium, with two members.

Each member has a browser context of their own (own cookies, own socket). Rooms, grants
and people are made with the real services before the pages open.
"""

import json
import re
import time

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from forum.services.grants import do_grant_permission
from realtime.models import RoomMessage
from realtime.services import do_create_room, post_message

WAIT = 10_000  # ms: the longest any single expectation may take
ROOM_SOCKET = re.compile(r"/ws/rooms/aden/")


@pytest.fixture
def room(live_server_url):
    room = do_create_room(slug="aden", name="عدن")
    members = Group.objects.get_or_create(name="members")[0]
    for perm in ("view_room", "post_in_room"):
        do_grant_permission(actor=None, via="tests", perm=perm, obj=room, to=members)
    return room


@pytest.fixture
def layla(make_member):
    return make_member("layla", display_name="ليلى", language="ar")


@pytest.fixture
def omar(make_member):
    return make_member("omar", display_name="Omar", language="ar")


@pytest.fixture
def open_room(new_page, log_in, room):
    """`open_room("layla")`: that member's page on the room, once its socket is up."""

    def open_(username, *, before_load=None, second_factor=False):
        page = new_page()
        log_in(page, username, second_factor=second_factor)
        if before_load is not None:
            before_load(page)
        page.goto(f"/rooms/{room.slug}/")
        expect(connection(page)).to_have_attribute("data-connection-state", "connected", timeout=WAIT)
        return page

    return open_


def connection(page):
    return page.locator("[data-connection-state]")


def message(page, text):
    return page.locator("[data-messages] .room-message", has_text=text)


def confirmed(page):
    """The messages the server has confirmed (they carry its id), in page order."""
    return page.locator("[data-messages] .room-message[data-id]")


def write(page, text):
    page.locator("#room-body").fill(text)
    page.locator("#room-body").press("Enter")


def assert_clean(page_log, *pages):
    for page in pages:
        page_log(page).assert_no_csp_violation()
        page_log(page).assert_same_origin()


def test_an_arabic_message_sent_with_enter_reaches_both_members_once(open_room, page_log, layla, omar):
    sender, reader = open_room("layla"), open_room("omar")
    expect(sender.locator("html")).to_have_attribute("dir", "rtl")
    expect(reader.locator("[data-presence]")).to_contain_text("ليلى", timeout=WAIT)

    # Shift+Enter is a new line, not a send; typing shows on the other page.
    sender.locator("#room-body").fill("سلام عليكم")
    sender.locator("#room-body").press("Shift+Enter")
    expect(sender.locator("#room-body")).to_have_value("سلام عليكم\n")
    expect(reader.locator("[data-typing]")).to_contain_text("ليلى", timeout=WAIT)
    sender.locator("#room-body").press_sequentially("كيف الحال؟")
    sender.locator("#room-body").press("Enter")

    for page in (sender, reader):
        expect(message(page, "كيف الحال؟")).to_have_count(1, timeout=WAIT)
        expect(message(page, "كيف الحال؟")).to_have_attribute("data-id", re.compile(r".+"))
        expect(message(page, "كيف الحال؟").locator(".room-message-body")).to_have_attribute("dir", "auto")
        expect(message(page, "كيف الحال؟")).to_contain_text("ليلى")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(sender.locator("#room-body")).to_have_value("")
    expect(sender.locator(".room-message.is-sending")).to_have_count(0)
    expect(reader.locator("[data-typing]")).to_have_text("")  # the message ends the typing
    assert RoomMessage.objects.filter(body_source="سلام عليكم\nكيف الحال؟").count() == 1
    assert_clean(page_log, sender, reader)


def test_what_is_written_offline_goes_out_once_and_what_was_missed_arrives(
    open_room, page_log, layla, omar
):
    away, other = open_room("layla"), open_room("omar")

    away.context.set_offline(True)
    expect(connection(away)).to_have_attribute("data-connection-state", "offline", timeout=WAIT)
    expect(connection(away)).not_to_have_text("")
    write(away, "كتبتها دون اتصال")
    expect(away.locator(".room-message.is-sending", has_text="كتبتها دون اتصال")).to_have_count(1)
    for n in (1, 2, 3):
        write(other, f"missed {n}")
    expect(confirmed(other)).to_have_count(3, timeout=WAIT)
    expect(message(away, "missed")).to_have_count(0)

    away.context.set_offline(False)

    expect(connection(away)).to_have_attribute("data-connection-state", "connected", timeout=WAIT)
    for page in (away, other):
        expect(confirmed(page).locator(".room-message-body")).to_have_text(
            ["missed 1", "missed 2", "missed 3", "كتبتها دون اتصال"], timeout=WAIT
        )
    expect(away.locator(".room-message.is-sending")).to_have_count(0)
    assert RoomMessage.objects.filter(body_source="كتبتها دون اتصال").count() == 1
    room_sockets = [url for url in page_log(away).requests if "/ws/rooms/" in url]
    assert len(room_sockets) == 2 and room_sockets[-1].endswith("?after=0")
    assert_clean(page_log, away, other)


def test_a_dropped_socket_shows_reconnecting_then_resumes_from_its_rev(open_room, page_log, layla, omar):
    routes = []

    def through_playwright(page):
        # Every socket of the room goes through Playwright, which can cut it like a
        # network would; until `cut` is cleared, new sockets are refused at once.
        def handle(route):
            if cut:
                route.close(code=1011)
                return
            routes.append((route, route.connect_to_server()))

        page.route_web_socket(ROOM_SOCKET, handle)

    cut = False
    away = open_room("layla", before_load=through_playwright)
    other = open_room("omar")
    write(other, "before the cut")
    expect(confirmed(away)).to_have_count(1, timeout=WAIT)

    cut = True
    page_side, server_side = routes[-1]
    server_side.close(code=1011)
    page_side.close(code=1011)
    expect(connection(away)).to_have_attribute("data-connection-state", "reconnecting", timeout=WAIT)
    write(other, "while you were cut off")
    expect(confirmed(other)).to_have_count(2, timeout=WAIT)

    cut = False
    expect(connection(away)).to_have_attribute("data-connection-state", "connected", timeout=WAIT)
    expect(confirmed(away).locator(".room-message-body")).to_have_text(
        ["before the cut", "while you were cut off"], timeout=WAIT
    )
    # It resumed from the last change it had (rev 1), not from the latest history.
    assert routes[-1][0].url.endswith("/ws/rooms/aden/?after=1")
    assert_clean(page_log, away, other)


def test_a_message_whose_answer_was_lost_is_sent_again_and_stored_once(open_room, page_log, layla):
    sockets = []

    def answers_lost_after_a_send(page):
        # The first socket carries the send to the server, then hears nothing more: as
        # when a phone's connection dies between sending and hearing back.
        def handle(route):
            server = route.connect_to_server()
            socket = {"route": route, "server": server, "sent": [], "deaf": False}
            sockets.append(socket)

            def from_page(text):
                socket["sent"].append(json.loads(text))
                server.send(text)
                if len(sockets) == 1 and socket["sent"][-1]["type"] == "send":
                    socket["deaf"] = True

            def from_server(text):
                if not socket["deaf"]:
                    route.send(text)

            route.on_message(from_page)
            server.on_message(from_server)

        page.route_web_socket(ROOM_SOCKET, handle)

    page = open_room("layla", before_load=answers_lost_after_a_send)
    write(page, "did it arrive?")
    deadline = time.monotonic() + WAIT / 1000
    while not RoomMessage.objects.exists() and time.monotonic() < deadline:
        page.wait_for_timeout(50)  # lets Playwright run the socket's handlers meanwhile
    assert RoomMessage.objects.count() == 1
    expect(page.locator(".room-message.is-sending")).to_have_count(1)
    sockets[0]["server"].close(code=1011)
    sockets[0]["route"].close(code=1011)

    expect(confirmed(page).locator(".room-message-body")).to_have_text(["did it arrive?"], timeout=WAIT)
    expect(page.locator(".room-message.is-sending")).to_have_count(0)
    sends = [frame for socket in sockets for frame in socket["sent"] if frame["type"] == "send"]
    assert len(sends) == 2 and sends[0]["client_id"] == sends[1]["client_id"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", sends[0]["client_id"])
    assert RoomMessage.objects.count() == 1
    assert_clean(page_log, page)


def test_logging_out_elsewhere_sends_the_room_page_to_the_login_page(open_room, page_log, layla):
    page = open_room("layla")
    other_tab = page.context.new_page()
    other_tab.goto("/")

    other_tab.locator("form[action$='/accounts/logout/'] button").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/rooms/aden/"), timeout=WAIT)
    assert_clean(page_log, page)


def test_a_broadcast_lost_on_the_way_is_filled_in_by_sync(open_room, page_log, layla, omar):
    dropped = []

    def losing_one_message(page):
        def handle(route):
            server = route.connect_to_server()

            def from_server(text):
                if '"type":"message"' in text and "lost on the way" in text and not dropped:
                    dropped.append(text)  # as a full channel layer would: silently
                    return
                route.send(text)

            server.on_message(from_server)

        page.route_web_socket(ROOM_SOCKET, handle)

    reader = open_room("layla", before_load=losing_one_message)
    writer = open_room("omar")

    write(writer, "lost on the way")
    expect(message(writer, "lost on the way")).to_have_count(1, timeout=WAIT)
    write(writer, "the next one")

    # The next broadcast's rev skips one: the reader asks for what it missed.
    expect(confirmed(reader).locator(".room-message-body")).to_have_text(
        ["lost on the way", "the next one"], timeout=WAIT
    )
    assert len(dropped) == 1
    assert_clean(page_log, reader, writer)


def test_too_fast_messages_wait_and_go_out_once_each(open_room, page_log, layla, settings):
    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, "room_message": (2, 2)}
    page = open_room("layla")

    for n in (1, 2, 3):
        write(page, f"quick {n}")

    expect(page.locator("[data-notice]")).to_be_visible(timeout=WAIT)
    expect(confirmed(page).locator(".room-message-body")).to_have_text(
        ["quick 1", "quick 2", "quick 3"], timeout=WAIT
    )
    expect(page.locator(".room-message.is-sending")).to_have_count(0)
    assert RoomMessage.objects.filter(body_source__startswith="quick").count() == 3
    assert_clean(page_log, page)


def test_scrolling_to_the_top_loads_earlier_messages_in_place(open_room, page_log, room, layla, settings):
    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, "room_message": (1000, 5)}
    for n in range(1, 61):
        post_message(author=layla, room=room, body=f"message {n}", client_id=f"m{n}")
    page = open_room("layla")
    expect(confirmed(page)).to_have_count(50)
    expect(page.locator("[data-load-older]")).to_be_visible()

    # The room scrolls with the page (its message box is docked at the foot of the screen).
    page.evaluate("window.scrollTo(0, 0)")

    expect(confirmed(page)).to_have_count(60, timeout=WAIT)
    bodies = confirmed(page).locator(".room-message-body").all_inner_texts()
    assert bodies == [f"message {n}" for n in range(1, 61)]
    expect(page.locator("[data-load-older]")).to_be_hidden()
    # The reader still looks at what they looked at, not at the new top.
    assert page.evaluate("document.scrollingElement.scrollTop") > 0
    assert_clean(page_log, page)


def test_a_moderator_deletes_a_message_for_both_and_a_ban_closes_the_members_page(
    open_room, page_log, room, layla, make_member
):
    noor = make_member("noor", display_name="Noor", language="ar")
    do_grant_permission(actor=None, via="tests", perm="moderate_room", obj=room, to=noor)
    member, moderator = open_room("layla"), open_room("noor", second_factor=True)
    moderator.on("dialog", lambda dialog: dialog.accept("spam"))

    write(member, "كلام مسيء")
    expect(message(moderator, "كلام مسيء")).to_have_count(1, timeout=WAIT)
    message(member, "كلام مسيء").locator(".message-menu summary").click()  # each action is in the "⋯" menu
    expect(message(member, "كلام مسيء").locator("button[data-action=delete]")).to_be_visible()
    expect(message(member, "كلام مسيء").locator("button[data-action=report]")).to_have_count(0)
    message(moderator, "كلام مسيء").locator(".message-menu summary").click()
    message(moderator, "كلام مسيء").locator("button[data-action=delete]").click()

    for page in (member, moderator):
        expect(message(page, "كلام مسيء")).to_have_count(0, timeout=WAIT)
        expect(page.locator(".room-message.is-deleted .room-message-tombstone")).to_have_count(1)
    assert RoomMessage.objects.get().deleted

    write(member, "ثانية")
    expect(message(moderator, "ثانية")).to_have_count(1, timeout=WAIT)
    menu = message(moderator, "ثانية").locator(".message-menu")
    menu.locator("summary").click()
    menu.locator("button[data-action=mute][data-minutes='10']").click()
    expect(member.locator("[data-notice]")).to_be_visible(timeout=WAIT)

    write(member, "هل تسمعونني؟")  # muted: refused, and the page says so
    expect(member.locator(".room-message.is-failed", has_text="هل تسمعونني؟")).to_have_count(1, timeout=WAIT)
    expect(member.locator("[data-notice]")).to_have_text(
        member.locator("[data-room-strings]").get_attribute("data-error-muted")
    )
    menu.locator("summary").click()  # the menu closed behind its last action
    menu.locator("button[data-action=ban]").click()

    expect(connection(member)).to_have_attribute("data-connection-state", "banned", timeout=WAIT)
    expect(member.locator("#room-body")).to_be_disabled()
    room_sockets = [url for url in page_log(member).requests if "/ws/rooms/" in url]
    member.wait_for_timeout(1500)  # longer than the first reconnection delay
    assert [url for url in page_log(member).requests if "/ws/rooms/" in url] == room_sockets
    expect(moderator.locator("[data-notice]")).to_contain_text("ليلى", timeout=WAIT)
    assert_clean(page_log, member, moderator)


def test_a_moderators_read_only_and_slow_mode_show_on_the_members_page(
    open_room, page_log, room, layla, make_member
):
    noor = make_member("noor", display_name="Noor", language="en")
    do_grant_permission(actor=None, via="tests", perm="moderate_room", obj=room, to=noor)
    member, moderator = open_room("layla"), open_room("noor", second_factor=True)
    expect(member.locator("[data-moderation]")).to_have_count(0)

    moderator.locator("[data-moderation] summary").click()
    moderator.locator("[data-room-action=read-only]").click()

    expect(member.locator("[data-read-only]")).to_be_visible(timeout=WAIT)
    expect(member.locator("#room-body")).to_be_disabled()
    expect(moderator.locator("[data-room-action=read-only]")).to_have_attribute("aria-pressed", "true")

    moderator.locator("[data-room-action=read-only]").click()
    moderator.locator("#room-slow-mode").fill("30")
    moderator.locator("[data-slow-mode-form] button").click()

    expect(member.locator("[data-read-only]")).to_be_hidden(timeout=WAIT)
    expect(member.locator("#room-body")).to_be_enabled()
    expect(member.locator("[data-slow-mode]")).to_be_visible(timeout=WAIT)
    expect(member.locator("[data-slow-mode]")).to_contain_text("30")
    assert_clean(page_log, member, moderator)


def test_a_message_read_live_is_not_counted_unread_after_the_member_leaves(open_room, page_log, room, layla, omar):
    """The page told how far it was read as it was left (static/js/room/read.js): a message
    that arrived while it was open is not new on the next visit."""
    from realtime.models import RoomRead

    page, other = open_room("layla"), open_room("omar")
    write(other, "وصلت الرسالة مباشرة")
    expect(message(page, "وصلت الرسالة مباشرة")).to_have_count(1, timeout=WAIT)
    page.goto("/")  # leaving the room: its pagehide sends the position
    deadline = time.monotonic() + WAIT / 1000
    while time.monotonic() < deadline and not RoomRead.objects.filter(user=layla, room=room, seq=1).exists():
        time.sleep(0.1)
    assert RoomRead.objects.get(user=layla, room=room).seq == 1
    page.reload()  # home may have been drawn while the beacon was still on its way
    place = page.locator("ul.places li", has=page.locator(f'a[href="/rooms/{room.slug}/"]'))
    expect(place.locator(".badge.new")).to_have_count(0)
    assert_clean(page_log, page, other)
