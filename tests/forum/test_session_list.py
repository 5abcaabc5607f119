"""The sessions page (issue 13, item 2): every session of mine with a short device class,
never the user agent or an address; end one or all others; idle sessions expire."""

import io
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from forum.models import SessionRecord
from forum.services import member_sessions
from forum.services.member_sessions import SEEN_KEY
from forum.user_agents import device_class

pytestmark = pytest.mark.django_db

ANDROID_CHROME = ("Mozilla/5.0 (Linux; Android 14; SM-A546E Build/UP1A.231005.007) AppleWebKit/537.36 "
                  "(KHTML, like Gecko) Chrome/131.0.6778.200 Mobile Safari/537.36")
WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
IPHONE_SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1")


def log_in(member, password, user_agent: str) -> Client:
    client = Client(HTTP_USER_AGENT=user_agent)
    assert client.post("/accounts/login/", {"username": member.username, "password": password}).status_code == 302
    return client


@pytest.mark.parametrize("agent, expected", [
    (ANDROID_CHROME, "android_phone:chrome"), (WINDOWS_FIREFOX, "windows:firefox"), (IPHONE_SAFARI, "iphone:safari"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
     "mac:safari"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 "
     "Edg/131.0.0.0", "windows:edge"),
    ("curl/8.5.0", "unknown:unknown"), ("", "unknown:unknown"),
])
def test_a_user_agent_becomes_a_short_device_class(agent, expected):
    assert device_class(agent) == expected


def test_the_page_lists_each_session_with_its_device_class_and_nothing_more(member, password):
    phone = log_in(member, password, ANDROID_CHROME)
    laptop = log_in(member, password, WINDOWS_FIREFOX)
    page = laptop.get("/accounts/sessions/").content.decode()
    assert "Android phone, Chrome" in page and "Windows computer, Firefox" in page
    for fragment in ("Build/", "537.36", "SM-A546E", "131.0", "Win64", "127.0.0.1"):
        assert fragment not in page
    assert page.count('<span class="badge">this session</span>') == 1
    stored = SessionRecord.objects.filter(user=member)
    assert sorted(stored.values_list("device", flat=True)) == ["android_phone:chrome", "windows:firefox"]
    for record in stored:  # to the hour, no finer
        assert record.created_at.minute == record.created_at.second == 0
    assert phone.get("/accounts/profile/").status_code == 200


def test_ending_a_session_logs_that_browser_out_and_not_this_one(member, password):
    phone = log_in(member, password, ANDROID_CHROME)
    laptop = log_in(member, password, WINDOWS_FIREFOX)
    phone_key = phone.session.session_key
    phone_id = SessionRecord.objects.get(session_key=phone_key).public_id

    answer = laptop.post("/accounts/sessions/", {"end": phone_id})

    assert answer.status_code == 302
    assert not Session.objects.filter(session_key=phone_key).exists()
    assert not SessionRecord.objects.filter(session_key=phone_key).exists()
    assert phone.get("/accounts/profile/").status_code == 302  # to the login page
    assert laptop.get("/accounts/profile/").status_code == 200


def test_ending_all_others_ends_sessions_without_a_record_too(member, password):
    this = log_in(member, password, WINDOWS_FIREFOX)
    recorded = log_in(member, password, ANDROID_CHROME)
    unrecorded = log_in(member, password, IPHONE_SAFARI)
    SessionRecord.objects.filter(session_key=unrecorded.session.session_key).delete()  # from before records

    this.post("/accounts/sessions/", {"end": "others"})

    alive = set(Session.objects.values_list("session_key", flat=True))
    assert this.session.session_key in alive
    assert recorded.session.session_key not in alive and unrecorded.session.session_key not in alive
    assert list(SessionRecord.objects.filter(user=member).values_list("session_key", flat=True)) == [
        this.session.session_key]


def test_another_members_session_cannot_be_ended(member, make_member, password):
    other_member = make_member("reem", display_name="Reem")
    mine = log_in(member, password, ANDROID_CHROME)
    theirs = log_in(other_member, password, WINDOWS_FIREFOX)
    their_id = SessionRecord.objects.get(session_key=theirs.session.session_key).public_id
    assert mine.post("/accounts/sessions/", {"end": their_id}).status_code == 404
    assert mine.post("/accounts/sessions/", {"end": "no-such-session"}).status_code == 404
    assert theirs.get("/accounts/profile/").status_code == 200


def test_a_password_change_ends_the_other_sessions_and_says_so(member, password):
    this = log_in(member, password, WINDOWS_FIREFOX)
    other = log_in(member, password, ANDROID_CHROME)
    answer = this.post("/accounts/password/", {
        "old_password": password, "new_password1": "a-new-long-passphrase-2026",
        "new_password2": "a-new-long-passphrase-2026"}, follow=True)
    assert "Your other sessions have ended." in answer.content.decode()
    assert [r.session_key for r in SessionRecord.objects.filter(user=member)] == [this.session.session_key]
    assert not Session.objects.filter(session_key=other.session.session_key).exists()
    assert "Changing your password also ends every other session." in this.get("/accounts/sessions/").content.decode()


def test_a_session_in_use_is_seen_hourly_and_an_idle_one_expires(member, password, settings):
    client = log_in(member, password, ANDROID_CHROME)
    key = client.session.session_key
    record = SessionRecord.objects.get(session_key=key)
    # An hour and a half later, as far as the session knows:
    session = client.session
    session[SEEN_KEY] = (timezone.now() - timedelta(hours=2)).isoformat()
    session.save()
    SessionRecord.objects.filter(pk=record.pk).update(last_seen_at=record.last_seen_at - timedelta(hours=2))
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(days=1))

    client.get("/accounts/profile/")

    record.refresh_from_db()
    assert record.last_seen_at >= timezone.now().replace(minute=0, second=0, microsecond=0)
    expiry = Session.objects.get(session_key=key).expire_date
    assert expiry > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)  # it starts again

    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))  # idle too long
    assert client.get("/accounts/profile/").status_code == 302
    assert key not in [r.session_key for r in member_sessions.listed(member)]


def test_purge_forgets_the_records_of_ended_sessions(member, password):
    client = log_in(member, password, ANDROID_CHROME)
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=timezone.now() - timedelta(days=1))
    call_command("purge_expired", stdout=io.StringIO())
    assert not SessionRecord.objects.filter(user=member).exists()
