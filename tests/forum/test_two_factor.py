"""Two factors (issue 13): set up an authenticator app, log in with it, recovery codes.

Through the pages as a member uses them, with codes computed from the key the page shows
(DESIGN.md: `<code data-totp-key>`, POST `token`; login continues at /accounts/login/verify/).
"""

import re
import time
from base64 import b32decode

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from forum.models import RecoveryCode, RecoveryCodes
from forum.services import factors

pytestmark = pytest.mark.django_db
PASSWORD = "a long enough passphrase"


def code_for(key_b32: str, offset: int = 0) -> str:
    return f"{totp(b32decode(key_b32), t0=-offset * 30):06d}"


def shown_key(page) -> str:
    match = re.search(r"<code data-totp-key[^>]*>([A-Z2-7]+)</code>", page.content.decode())
    assert match, "the page shows the key inside <code data-totp-key>"
    return match.group(1)


def shown_codes(page) -> list[str]:
    return re.findall(r"<li><code>([a-z2-7]{5}-[a-z2-7]{5})</code></li>", page.content.decode())


@pytest.fixture
def member_with_password(member):
    member.set_password(PASSWORD)
    member.save()
    return member


def enrol(client: Client) -> tuple[str, list[str]]:
    key = shown_key(client.get("/accounts/two-factor/"))
    answer = client.post("/accounts/two-factor/", {"token": code_for(key)})
    assert answer.status_code == 200
    return key, shown_codes(answer)


def log_in_with_password(username: str, **extra) -> tuple[Client, object]:
    client = Client()
    answer = client.post("/accounts/login/", {"username": username, "password": PASSWORD, **extra})
    return client, answer


def test_enrolling_shows_a_key_and_a_qr_code_then_confirms_with_a_code(member_with_password, client_for):
    client = client_for(member_with_password, second_factor=False)
    page = client.get("/accounts/two-factor/")
    key = shown_key(page)
    assert len(key) == 32
    assert client.get("/accounts/two-factor/").content.decode().count(key) == 1  # the same key on reload
    qr = client.get("/accounts/two-factor/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content and key.encode() not in qr.content

    answer = client.post("/accounts/two-factor/", {"token": code_for(key)})

    codes = shown_codes(answer)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=member_with_password).confirmed
    assert client.session[DEVICE_ID_SESSION_KEY]  # this session used it
    stored = set(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert not any(code.replace("-", "") in hashed for code in codes for hashed in stored)  # hashed only
    assert client.get("/accounts/two-factor/qr.svg").status_code == 404  # no pending key left
    assert "data-totp-key" not in client.get("/accounts/two-factor/").content.decode()


def test_a_wrong_code_confirms_nothing(member_with_password, client_for):
    client = client_for(member_with_password, second_factor=False)
    key = shown_key(client.get("/accounts/two-factor/"))
    wrong = f"{(int(code_for(key)) + 1) % 1_000_000:06d}"
    answer = client.post("/accounts/two-factor/", {"token": wrong})
    assert answer.status_code == 400
    assert not TOTPDevice.objects.filter(user=member_with_password, confirmed=True).exists()
    assert not RecoveryCodes.objects.filter(user=member_with_password).exists()
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_login_asks_for_the_code_after_the_password_and_logs_in_only_then(member_with_password, client_for):
    key, _codes = enrol(client_for(member_with_password, second_factor=False))
    client, answer = log_in_with_password(member_with_password.username, next="/following/")
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/verify/")
    assert "_auth_user_id" not in client.session  # the password alone opens nothing
    assert client.get("/accounts/profile/").status_code == 302

    done = client.post(answer["Location"], {"token": code_for(key, offset=1)})

    assert done.status_code == 302 and done["Location"] == "/following/"
    assert client.session["_auth_user_id"] == str(member_with_password.pk)
    assert client.session[DEVICE_ID_SESSION_KEY]
    assert client.get("/accounts/profile/").status_code == 200


def test_a_wrong_or_reused_code_is_refused(member_with_password, client_for):
    key, _codes = enrol(client_for(member_with_password, second_factor=False))
    client, answer = log_in_with_password(member_with_password.username)
    reused = client.post("/accounts/login/verify/", {"token": code_for(key)})  # the enrolment's code
    assert reused.status_code == 400
    assert "_auth_user_id" not in client.session
    wrong = client.post("/accounts/login/verify/", {"token": "000000" if code_for(key, 1) != "000000" else "111111"})
    assert wrong.status_code == 400 and "_auth_user_id" not in client.session


def test_after_a_wrong_code_the_next_try_must_wait(member_with_password, client_for):
    key, _codes = enrol(client_for(member_with_password, second_factor=False))
    client, _answer = log_in_with_password(member_with_password.username)
    client.post("/accounts/login/verify/", {"token": "000000" if code_for(key, 1) != "000000" else "111111"})
    # django-otp's throttle: the right code, at once after a wrong one, is refused too.
    assert client.post("/accounts/login/verify/", {"token": code_for(key, offset=1)}).status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_recovery_code_logs_in_once(member_with_password, client_for):
    _key, codes = enrol(client_for(member_with_password, second_factor=False))
    client, _answer = log_in_with_password(member_with_password.username)
    assert client.post("/accounts/login/verify/", {"token": codes[3].upper()}).status_code == 302
    assert client.session["_auth_user_id"] == str(member_with_password.pk)
    assert factors.recovery_codes_left(member_with_password) == 9

    again, _answer = log_in_with_password(member_with_password.username)
    assert again.post("/accounts/login/verify/", {"token": codes[3]}).status_code == 400
    assert "_auth_user_id" not in again.session


def test_a_half_finished_login_expires(member_with_password, client_for, monkeypatch):
    key, _codes = enrol(client_for(member_with_password, second_factor=False))
    client, _answer = log_in_with_password(member_with_password.username)
    later = time.time() + 601
    monkeypatch.setattr(time, "time", lambda: later)
    answer = client.post("/accounts/login/verify/", {"token": code_for(key, offset=1)})
    assert answer.status_code == 302 and answer["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_a_member_without_a_factor_logs_in_with_the_password_alone(member_with_password):
    client, answer = log_in_with_password(member_with_password.username)
    assert answer.status_code == 302 and answer["Location"] == "/"
    assert client.session["_auth_user_id"] == str(member_with_password.pk)


def test_a_shared_device_session_ends_with_the_browser(member_with_password):
    client, _answer = log_in_with_password(member_with_password.username, shared="on")
    assert client.session.get_expire_at_browser_close()
    kept, _answer = log_in_with_password(member_with_password.username)
    assert not kept.session.get_expire_at_browser_close()


def test_a_logged_in_session_without_a_used_factor_can_use_one(member_with_password, client_for):
    key, _codes = enrol(client_for(member_with_password, second_factor=False))
    other = client_for(member_with_password, second_factor=False)
    assert other.post("/accounts/login/verify/", {"token": code_for(key, offset=1)}).status_code == 302
    assert other.session[DEVICE_ID_SESSION_KEY]


def test_removing_a_factor_needs_the_password_and_a_current_code(member_with_password, client_for):
    client = client_for(member_with_password, second_factor=False)
    key, codes = enrol(client)
    device = TOTPDevice.objects.get(user=member_with_password)
    refused = client.post("/accounts/two-factor/", {
        "action": "remove", "device": device.persistent_id, "password": "wrong password", "token": codes[0],
    })
    assert refused.status_code == 400 and TOTPDevice.objects.filter(pk=device.pk).exists()
    refused = client.post("/accounts/two-factor/", {
        "action": "remove", "device": device.persistent_id, "password": PASSWORD, "token": "abcde-fghij",
    })
    assert refused.status_code == 400 and TOTPDevice.objects.filter(pk=device.pk).exists()

    removed = client.post("/accounts/two-factor/", {
        "action": "remove", "device": device.persistent_id, "password": PASSWORD, "token": codes[1],
    })

    assert removed.status_code == 302
    assert not TOTPDevice.objects.filter(user=member_with_password, confirmed=True).exists()
    assert not RecoveryCodes.objects.filter(user=member_with_password).exists()  # the last factor took them


def test_nobody_removes_another_members_factor(member_with_password, other_member, client_for):
    key, codes = enrol(client_for(member_with_password, second_factor=False))
    device = TOTPDevice.objects.get(user=member_with_password)
    answer = client_for(other_member).post("/accounts/two-factor/", {
        "action": "remove", "device": device.persistent_id, "password": PASSWORD, "token": codes[0],
    })
    assert answer.status_code == 400
    assert TOTPDevice.objects.filter(pk=device.pk, confirmed=True).exists()


def test_new_recovery_codes_replace_the_old_ones(member_with_password, client_for):
    client = client_for(member_with_password, second_factor=False)
    _key, old = enrol(client)
    answer = client.post("/accounts/two-factor/", {"action": "recovery", "password": PASSWORD, "token": old[0]})
    new = shown_codes(answer)
    assert len(new) == 10 and not set(new) & set(old)
    assert factors.verify(member_with_password, old[1]) is None
    assert factors.verify(member_with_password, new[0]) is not None


def test_the_pages_need_a_login():
    assert Client().get("/accounts/two-factor/").status_code == 302
    assert Client().get("/accounts/two-factor/qr.svg").status_code == 302
    assert Client().get("/accounts/login/verify/")["Location"] == "/accounts/login/"


def test_a_member_banned_between_the_password_and_the_code_is_not_logged_in(member_with_password, client_for,
                                                                             admin_user):
    from forum.services.site_bans import ban_everywhere

    key, _codes = enrol(client_for(member_with_password, second_factor=False))
    client, _answer = log_in_with_password(member_with_password.username)
    ban_everywhere(by=admin_user, member=member_with_password, reason="Threats", days=None)
    answer = client.post("/accounts/login/verify/", {"token": code_for(key, offset=1)})
    assert answer.status_code == 302 and answer["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
