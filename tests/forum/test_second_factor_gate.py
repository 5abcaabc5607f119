"""Moderation powers need a second factor used in this session (issue 13; forum/second_factor.py).

A moderator or coalition admin whose session used no second factor is sent to enrol (or to
confirm the factor they have) by every moderation page, writes nothing, sees what a member
sees, and the admin refuses them; once a factor was used in the session, all of it works.
"""

import pytest
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.plugins.otp_totp.models import TOTPDevice

from forum import permissions
from forum.errors import SecondFactorRequired
from forum.models import PostReport, Status
from forum.services import content, moderation, reports
from forum.services.grants import set_grant
from forum.second_factor import mark

pytestmark = pytest.mark.django_db


def enrol_url(next_path: str) -> str:
    return f"{reverse('two_factor')}?{urlencode({'next': next_path})}"


def verify_url(next_path: str) -> str:
    return f"{reverse('login_verify')}?{urlencode({'next': next_path})}"


@pytest.fixture
def hidden_reply(thread, other_member, moderator):
    post = content.reply(author=other_member, thread=thread, body="A witness's name: CANARY-HIDDEN")
    moderation.hide_post(post=post, by=moderator, reason="Names a witness")
    return post


@pytest.fixture
def open_report(thread, other_member):
    return reports.report(target=thread.posts.first(), by=other_member, reason="Please look")


def test_the_queue_sends_a_moderator_without_a_factor_to_enrol(moderator, client_for, open_report):
    page = client_for(moderator, second_factor=False).get("/moderation/")
    assert page.status_code == 302
    assert page["Location"] == enrol_url("/moderation/")


def test_a_moderator_with_a_factor_unused_in_this_session_is_sent_to_confirm_it(moderator, client_for, open_report):
    TOTPDevice.objects.create(user=moderator, name="phone", confirmed=True)
    page = client_for(moderator, second_factor=False).get("/moderation/")
    assert page["Location"] == verify_url("/moderation/")


def test_the_queue_opens_once_a_factor_was_used(moderator, client_for, open_report):
    page = client_for(moderator).get("/moderation/")
    assert page.status_code == 200
    assert "Please look" in page.content.decode()


@pytest.mark.parametrize("action", ["hide", "approve", "reject"])
def test_post_actions_write_nothing_without_a_factor(thread, moderator, client_for, action):
    post = thread.posts.first()
    client = client_for(moderator, second_factor=False)
    answer = client.post(f"/p/{post.public_id}/{action}/", {"reason": "Because"},
                         HTTP_REFERER=f"http://testserver/t/{thread.public_id}/")
    assert answer.status_code == 302
    assert answer["Location"] == enrol_url(f"/t/{thread.public_id}/")
    post.refresh_from_db()
    assert (post.is_hidden, post.status) == (False, Status.APPROVED)


@pytest.mark.parametrize("action", ["lock", "pin"])
def test_thread_actions_write_nothing_without_a_factor(thread, moderator, client_for, action):
    answer = client_for(moderator, second_factor=False).post(f"/t/{thread.public_id}/{action}/", {"reason": "x"})
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("two_factor"))
    thread.refresh_from_db()
    assert (thread.is_locked, thread.is_pinned) == (False, False)


def test_the_move_page_sends_to_enrol(thread, moderator, client_for):
    answer = client_for(moderator, second_factor=False).get(f"/t/{thread.public_id}/move/")
    assert answer["Location"] == enrol_url(f"/t/{thread.public_id}/move/")


def test_handling_a_report_writes_nothing_without_a_factor(moderator, client_for, open_report):
    answer = client_for(moderator, second_factor=False).post(
        f"/moderation/reports/{open_report.public_id}/resolve/", {"reason": "done"})
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("two_factor"))
    open_report.refresh_from_db()
    assert open_report.status == PostReport._meta.get_field("status").default


def test_without_a_factor_a_moderator_sees_what_a_member_sees(thread, moderator, client_for, hidden_reply):
    without = client_for(moderator, second_factor=False).get(f"/t/{thread.public_id}/").content.decode()
    assert "CANARY-HIDDEN" not in without and hidden_reply.public_id not in without
    assert f"/p/{thread.posts.first().public_id}/hide/" not in without
    with_factor = client_for(moderator).get(f"/t/{thread.public_id}/").content.decode()
    assert "CANARY-HIDDEN" in with_factor
    assert f"/p/{thread.posts.first().public_id}/hide/" in with_factor


def test_moderation_pages_work_once_a_factor_was_used(thread, moderator, client_for):
    post = thread.posts.first()
    answer = client_for(moderator).post(f"/p/{post.public_id}/hide/", {"reason": "Names a witness"})
    assert answer.status_code == 302
    post.refresh_from_db()
    assert post.is_hidden


@pytest.mark.parametrize("path", ["/admin/", "/admin/forum/post/", "/admin/forum/moderationevent/"])
def test_the_admin_refuses_a_coalition_admin_without_a_factor(coalition_admin, client_for, path):
    answer = client_for(coalition_admin, second_factor=False).get(path)
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("admin:login"))
    login = client_for(coalition_admin, second_factor=False).get(answer["Location"])
    assert login.status_code == 302 and login["Location"].startswith(reverse("two_factor"))


def test_the_admin_serves_a_coalition_admin_with_a_factor(coalition_admin, client_for):
    assert client_for(coalition_admin).get("/admin/forum/post/").status_code == 200


def test_grants_are_refused_to_an_admin_session_without_a_factor(coalition_admin, category, other_member):
    session_without = mark(coalition_admin, {})
    with pytest.raises(SecondFactorRequired):
        set_grant(by=session_without, perm="moderate_category", obj=category, to=other_member, granted=True)
    assert not permissions.can_moderate(other_member, category)
    session_with = mark(coalition_admin, {"otp_device_id": "otp_totp.totpdevice/1"})
    set_grant(by=session_with, perm="moderate_category", obj=category, to=other_member, granted=True)
    assert permissions.can_moderate(other_member, category)


def test_a_member_without_moderation_powers_is_not_asked_for_a_factor(other_member, category, client_for):
    client = client_for(other_member, second_factor=False)
    assert client.get("/moderation/").status_code == 200
    assert client.get(f"/c/{category.slug}/").status_code == 200


def test_services_called_without_a_session_are_not_gated(thread, moderator):
    """A management command or seeding authenticates otherwise: its member is not marked."""
    post = thread.posts.first()
    moderation.hide_post(post=post, by=moderator, reason="From the command line")
    post.refresh_from_db()
    assert post.is_hidden
