"""The coalition's pages in Chromium (issue 14): an admin makes a room and grants it to an
organisation from /manage/; a member of it sees the room on their next page load; the
revoke closes the member's open room page at once."""

import pytest
from playwright.sync_api import expect

from forum.models import ModerationEvent

pytestmark = pytest.mark.django_db(transaction=True)
WAIT = 5000


def submit(page, url: str, **fields):
    form = page.locator(f"form[action$='{url}']")
    for name, value in fields.items():
        field = form.locator(f"[name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_an_admin_gives_a_room_to_an_organisation_and_takes_it_back(new_page, log_in, make_member, make_organisation):
    organisation = make_organisation("yemen-watch")
    make_member("hadi", display_name="Hadi", language="en", is_superuser=True)
    make_member("layla", display_name="ليلى", language="ar", organisation=organisation)

    admin = new_page(locale="en")
    log_in(admin, "hadi", second_factor=True)
    admin.goto("/manage/")
    submit(admin, "/manage/places/", kind="room", slug="watch", name="Watch room")
    expect(admin.locator("tr[data-place='room:watch']")).to_contain_text("nobody can see this yet")
    submit(admin, "/manage/grants/", action="grant", perm="view_room", place="room:watch", holder="group:yemen-watch")
    submit(admin, "/manage/grants/", action="grant", perm="post_in_room", place="room:watch",
           holder="group:yemen-watch")
    expect(admin.locator("tr[data-place='room:watch']")).to_contain_text("group:yemen-watch")

    member = new_page()
    log_in(member, "layla")
    member.goto("/rooms/")
    expect(member.locator("a[href='/rooms/watch/']")).to_be_visible()
    member.goto("/rooms/watch/")
    expect(member.locator("[data-connection-state]")).to_have_attribute("data-connection-state", "connected",
                                                                         timeout=WAIT)

    submit(admin, "/manage/grants/", action="revoke", perm="view_room", place="room:watch",
           holder="group:yemen-watch")
    expect(member.locator("[data-connection-state]")).to_have_attribute("data-connection-state", "closed",
                                                                         timeout=1500)
    assert member.goto("/rooms/watch/").status == 404
    actors = set(ModerationEvent.objects.filter(action__in=["grant", "revoke"]).values_list("actor__username", flat=True))
    assert actors == {"hadi"}
