"""A security key as the second factor, in real Chromium with a virtual authenticator
(the DevTools protocol's WebAuthn domain): add it, get the recovery codes, log in with it.

WebAuthn needs a secure context and a domain for the relying party, so these pages are
opened on http://localhost, not on the server's 127.0.0.1.
"""

import pytest
from django.contrib.sessions.models import Session
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from forum.demo import DEMO_PASSWORD
from forum.models import RecoveryCodes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def localhost_page(browser, live_server_url):
    context = browser.new_context(base_url=live_server_url.replace("127.0.0.1", "localhost"), locale="en")
    page = context.new_page()
    devtools = context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "usb", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True, "automaticPresenceSimulation": True,
    }})
    page.console_lines = []
    page.on("console", lambda message: page.console_lines.append(message.text))
    yield page
    context.close()


def session_of(page) -> dict:
    key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    return Session.objects.get(session_key=key).get_decoded()


def test_a_member_adds_a_security_key_and_logs_in_with_it(localhost_page, make_member, log_in):
    page = localhost_page
    member = make_member("samira", display_name="Samira", language="en")
    log_in(page, "samira")

    page.goto("/accounts/two-factor/")
    with page.expect_navigation():  # the page reloads once the key is added
        page.locator("#passkey-register-button").click()
    assert WebAuthnCredential.objects.filter(user=member, confirmed=True).count() == 1
    assert session_of(page).get(DEVICE_ID_SESSION_KEY)  # adding it vouched for this session
    with page.expect_navigation():
        page.locator("form:has(input[name=action][value=first_codes]) button[type=submit]").click()
    expect(page.locator("[data-recovery-codes] li")).to_have_count(10)
    assert RecoveryCodes.objects.get(user=member).remaining() == 10
    assert not [line for line in page.console_lines if "Content Security Policy" in line]

    # Log out, then in again: the password leads to the second step, the key finishes it.
    with page.expect_navigation():
        page.locator("form[action$='/accounts/logout/'] button").click()
    page.goto("/accounts/login/?next=/following/")
    page.locator("#id_username").fill("samira")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
    assert "/accounts/login/verify/" in page.url
    with page.expect_navigation(url="**/following/"):
        page.locator("#passkey-verification-button").click()
    session = session_of(page)
    assert session["_auth_user_id"] == str(member.pk)
    assert session[DEVICE_ID_SESSION_KEY] == WebAuthnCredential.objects.get(user=member).persistent_id
