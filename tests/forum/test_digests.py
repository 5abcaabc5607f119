"""E-mail digests: asked for on the profile, sent by `manage.py send_digests`, counts and links only.

Mail passes through providers outside the coalition: a digest names no thread, member or
text, loads nothing, links only to our own address, counts only what the member can still
view, and is sent once per period.
"""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.translation import gettext, ngettext, override

from forum.models import DigestSent, Notification
from forum.models.people import Location
from forum.services.accounts import set_account_active, set_digest, set_email
from forum.services.content import reply
from forum.services.digests import last_period_start
from forum.services.following import set_follow_level
from forum.services.grants import do_revoke_permission

BASE = "https://majlis.example.org"
PROFILE_FORM = {"display_name": "Sami", "language": "en", "hide_presence": "", "watch_what_i_write": "on",
                "time_zone": "Asia/Aden"}


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def outbox(db, mailoutbox):
    """pytest-django's `mailoutbox`, taken after the test database is set up: setting it up
    (TestCase._pre_setup) gives `django.core.mail` a new outbox list."""
    return mailoutbox


@pytest.fixture
def rami(make_person):
    return make_person("rami", display_name="Rami", location=Location.DIASPORA)


def send() -> str:
    out = StringIO()
    call_command("send_digests", f"--base-url={BASE}", stdout=out)
    return out.getvalue()


def move_into_last_period(user, period="daily"):
    """Date the member's notifications inside the last whole day (or week)."""
    start = last_period_start(period, timezone.now())
    Notification.objects.filter(user=user).update(created_at=start + timedelta(hours=12))


def asks_for_digest(user, period="daily", email=None):
    set_digest(user.profile, period, email=email or f"{user.username}@example.org")


@pytest.fixture
def busy_day(committed, thread, other_member, rami, writer):
    """Sami watches the thread; yesterday it had two posts, one of them mentioning him,
    and one quoting him."""
    set_follow_level(user=other_member, target=thread, level="watching")
    with committed():
        mine = reply(author=other_member, thread=thread, body="Sami's own words about the raid.")
    with committed():
        reply(author=rami, thread=thread, body="The second draft is attached.")
    with committed():
        reply(author=writer, thread=thread, body="@Sami could you review it?")
    with committed():
        reply(author=rami, thread=thread, body="> Sami's own words\n\nAgreed.", reply_to=mine)
    move_into_last_period(other_member)
    assert sorted(Notification.objects.filter(user=other_member).values_list("kind", flat=True)) == [
        "mention", "post", "reply",
    ]
    return other_member


# Asking for a digest on the profile page ---------------------------------------------

def test_a_member_adds_an_email_and_a_daily_digest_on_the_profile_page(client_for, other_member):
    response = client_for(other_member).post("/accounts/profile/", {
        **PROFILE_FORM, "email": "sami@example.org", "digest": "daily",
    })
    assert response.status_code == 302
    other_member.profile.refresh_from_db()
    assert (other_member.profile.email, other_member.profile.digest) == ("sami@example.org", "daily")


def test_a_digest_without_an_email_is_refused_on_the_form(client_for, other_member):
    response = client_for(other_member).post("/accounts/profile/", {**PROFILE_FORM, "email": "", "digest": "weekly"})
    assert response.status_code == 400
    assert "A digest needs an e-mail address." in response.content.decode()
    other_member.profile.refresh_from_db()
    assert other_member.profile.digest == "none"


@pytest.mark.parametrize("email", ["not-an-address", "sami@", "<img src=x>@example.org"])
def test_a_malformed_email_is_refused_on_the_form(client_for, other_member, email):
    response = client_for(other_member).post("/accounts/profile/", {**PROFILE_FORM, "email": email, "digest": "daily"})
    assert response.status_code == 400
    other_member.profile.refresh_from_db()
    assert (other_member.profile.email, other_member.profile.digest) == ("", "none")


def test_an_unknown_digest_frequency_is_refused(client_for, other_member):
    response = client_for(other_member).post("/accounts/profile/", {
        **PROFILE_FORM, "email": "sami@example.org", "digest": "hourly",
    })
    assert response.status_code == 400
    other_member.profile.refresh_from_db()
    assert other_member.profile.digest == "none"


# What a digest says ------------------------------------------------------------------

def test_a_digest_is_plain_text_with_counts_and_links_only(outbox, busy_day, thread, writer, rami):
    asks_for_digest(busy_day)
    assert "Sent 1 digest(s)." in send()
    [mail] = outbox
    assert mail.to == ["sami@example.org"]
    assert mail.subject == "Your Majlis digest"
    assert mail.content_subtype == "plain" and not getattr(mail, "alternatives", [])
    assert mail.attachments == []
    body = mail.body
    for line in ("- 1 mention of you", "- 1 reply to you", "- 1 new post where you watch",
                 f"Read them: {BASE}/notifications/", f"Change or stop digests: {BASE}/accounts/profile/"):
        assert line in body.splitlines()

    everything = mail.subject + "\n" + body + "\n" + "\n".join(f"{k}: {v}" for k, v in mail.extra_headers.items())
    for secret in ("Joint statement", "detentions", "Layla", "Rami", "Sami", "sami", "layla", "rami",
                   "second draft", "raid", "review", thread.public_id, writer.profile.public_id, "Advocacy",
                   "campaigns"):
        assert secret not in everything.replace("sami@example.org", ""), secret
    assert "<" not in body and ">" not in body  # no HTML, so no <img> tracking pixel
    urls = re.findall(r"[a-z][a-z0-9+.-]*://\S+|www\.\S+", body, flags=re.I)
    assert urls == [f"{BASE}/notifications/", f"{BASE}/accounts/profile/"]


def test_a_digest_counts_only_what_the_member_can_still_view(
    committed, outbox, secret_category, make_person, thread, rami,
):
    organisation = secret_category.insider.profile.organisation
    amal = make_person("amal", display_name="Amal", organisation=organisation)
    set_follow_level(user=amal, target=secret_category, level="watching")
    set_follow_level(user=amal, target=thread, level="watching")
    for n in range(3):
        with committed():
            reply(author=secret_category.insider, thread=secret_category.thread, body=f"Secret {n}.")
    with committed():
        reply(author=rami, thread=thread, body="A public post.")
    move_into_last_period(amal)
    do_revoke_permission(actor=None, via="tests", perm="view_category", obj=secret_category, to=organisation.group)
    do_revoke_permission(actor=None, via="tests", perm="post_in_category", obj=secret_category, to=organisation.group)
    asks_for_digest(amal)

    send()
    [mail] = outbox
    assert "- 1 new post where you watch" in mail.body.splitlines()
    assert "4" not in mail.body and "3 new posts" not in mail.body
    assert DigestSent.objects.get(user=amal).counts == {"post": 1}


def test_no_digest_when_everything_happened_where_the_member_lost_access(
    committed, outbox, secret_category, make_person,
):
    organisation = secret_category.insider.profile.organisation
    amal = make_person("amal", display_name="Amal", organisation=organisation)
    set_follow_level(user=amal, target=secret_category, level="watching")
    with committed():
        reply(author=secret_category.insider, thread=secret_category.thread, body="Secret.")
    move_into_last_period(amal)
    do_revoke_permission(actor=None, via="tests", perm="view_category", obj=secret_category, to=organisation.group)
    asks_for_digest(amal)
    assert "Sent 0 digest(s)." in send()
    assert outbox == []


def test_read_notifications_and_those_of_today_are_not_counted(committed, outbox, busy_day, thread, rami):
    Notification.objects.filter(user=busy_day, kind="post").update(read_at=timezone.now())
    with committed():
        reply(author=rami, thread=thread, body="Posted today: next digest.")
    asks_for_digest(busy_day)
    send()
    [mail] = outbox
    lines = mail.body.splitlines()
    assert "- 1 mention of you" in lines and "- 1 reply to you" in lines
    assert not any("new post" in line for line in lines)


def test_a_weekly_digest_counts_the_last_whole_week(outbox, busy_day):
    move_into_last_period(busy_day, "weekly")
    asks_for_digest(busy_day, "weekly")
    send()
    [mail] = outbox
    assert "- 1 mention of you" in mail.body.splitlines()
    sent = DigestSent.objects.get(user=busy_day)
    assert (sent.period, sent.period_start) == ("weekly", last_period_start("weekly", timezone.now()))


def test_members_who_did_not_ask_or_are_disabled_get_no_digest(outbox, busy_day, coalition_admin):
    assert send() and outbox == []  # digest "none"
    set_email(busy_day.profile, "sami@example.org")
    assert outbox == [] and "Sent 0" in send()
    asks_for_digest(busy_day)
    set_account_active(user=busy_day, active=False, by=coalition_admin)
    send()
    assert outbox == []


def test_running_twice_sends_nothing_twice(outbox, busy_day):
    asks_for_digest(busy_day)
    assert "Sent 1 digest(s)." in send()
    assert "Sent 0 digest(s)." in send()
    assert len(outbox) == 1
    assert DigestSent.objects.filter(user=busy_day).count() == 1


# In the member's language ----------------------------------------------------------------

def test_a_digest_is_written_in_arabic_for_an_arabic_preferring_member(committed, outbox, thread, make_person, rami):
    english = make_person("english", display_name="Ella", language="en")
    arabic = make_person("arabic", display_name="عائشة", language="ar")
    for member in (english, arabic):
        set_follow_level(user=member, target=thread, level="watching")
    with committed():
        reply(author=rami, thread=thread, body="One new post for both.")
    for member in (english, arabic):
        move_into_last_period(member)
        asks_for_digest(member)
    send()
    mails = {mail.to[0]: mail for mail in outbox}
    in_english, in_arabic = mails["english@example.org"], mails["arabic@example.org"]

    with override("ar"):
        subject = gettext("Your Majlis digest")
        lines = [
            gettext("Hello,"),
            "- " + ngettext("%(n)d new post where you watch", "%(n)d new posts where you watch", 1) % {"n": 1},
            gettext("Read them: %(url)s") % {"url": f"{BASE}/notifications/"},
            gettext("Change or stop digests: %(url)s") % {"url": f"{BASE}/accounts/profile/"},
        ]
    assert in_arabic.subject == subject
    for line in lines:
        assert line in in_arabic.body.splitlines()
    # The same counts, in another language (fails until the Arabic catalogue has these strings).
    assert in_arabic.subject != in_english.subject
    assert in_arabic.body != in_english.body
    assert re.search(r"[\u0600-\u06ff]", in_arabic.body)
