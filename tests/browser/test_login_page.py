"""Logging in through the real form, in a real browser, in both languages."""

import pytest
from playwright.sync_api import expect


@pytest.mark.parametrize("language, direction", [("ar", "rtl"), ("en", "ltr")])
def test_a_member_logs_in_and_sees_home_in_their_language(
    page, page_log, live_server_url, make_member, log_in, language, direction
):
    make_member("reader", display_name="Reader", language=language)

    log_in(page, "reader")

    assert page.url == f"{live_server_url}/"
    expect(page.locator("html")).to_have_attribute("dir", direction)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("h1")).to_contain_text("Reader")
    page_log(page).assert_no_csp_violation()
    page_log(page).assert_same_origin()


def test_the_language_switcher_turns_arabic_into_english(page, page_log, live_server_url):
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "ar")

    with page.expect_navigation():
        page.get_by_role("button", name="English").click()

    assert page.url == f"{live_server_url}/accounts/login/"
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    page_log(page).assert_no_csp_violation()
    page_log(page).assert_same_origin()
