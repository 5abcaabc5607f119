"""Password recovery (issue 13, item 5): by e-mail for a member who gave an address, by a
coalition admin's single-use link for one who did not; each reset ends every session and
is in the moderation record."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from forum.errors import Forbidden
from forum.models import Action, ModerationEvent, PasswordResetLink, PasswordResetRequest
from forum.services.accounts import set_email
from forum.services.recovery import make_reset_link
from tests.logins import log_in
from tests.realtime.conftest import (  # noqa: F401  (fixtures)
    connect, fast_socket_settings, isolate_socket_tests, make_room,
)

User = get_user_model()

NEW_PASSWORD = "a-brand-new-passphrase-2026"
ADDRESS = "layla@example.org"
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def with_address(writer):
    set_email(writer.profile, ADDRESS)
    return writer


def _without_csrf(response) -> bytes:
    return CSRF.sub(b"", response.content)


def _events(action: str, user) -> int:
    return ModerationEvent.objects.filter(action=action, subject=user).count()


def _can_log_in(user, password: str) -> bool:
    return User.objects.get(pk=user.pk).check_password(password)


# By e-mail ----------------------------------------------------------------------------

def test_reset_pages_exist_and_extend_the_site(client, db):
    page = client.get("/accounts/password/reset/")
    assert page.status_code == 200
    assert b'name="email"' in page.content and b"site-header" in page.content


def test_the_answer_is_the_same_for_a_known_and_an_unknown_address(with_address, mailoutbox):
    known = Client().post("/accounts/password/reset/", {"email": ADDRESS}, follow=True)
    unknown = Client().post("/accounts/password/reset/", {"email": "nobody@example.org"}, follow=True)

    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain == [("/accounts/password/reset/sent/", 302)]
    assert _without_csrf(known) == _without_csrf(unknown)
    assert [mail.to for mail in mailoutbox] == [[ADDRESS]]


def test_a_member_without_an_address_or_disabled_gets_no_mail(writer, other_member, mailoutbox):
    set_email(other_member.profile, "sami@example.org")
    User.objects.filter(pk=other_member.pk).update(is_active=False)
    Client().post("/accounts/password/reset/", {"email": "sami@example.org"})
    Client().post("/accounts/password/reset/", {"email": ""})
    assert mailoutbox == []


def test_the_mailed_link_works_once_and_ends_every_session(with_address, mailoutbox, password):
    other_device = log_in(with_address)
    assert other_device.get("/accounts/profile/").status_code == 200
    Client().post("/accounts/password/reset/", {"email": ADDRESS.upper()})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", mailoutbox[0].body).group(1)

    browser = Client()
    form = browser.get(link, follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    done = browser.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert done.status_code == 302 and done["Location"] == "/accounts/password/reset/done/"
    assert _can_log_in(with_address, NEW_PASSWORD) and not _can_log_in(with_address, password)
    assert other_device.get("/accounts/profile/").status_code == 302  # logged out
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(with_address.pk)]
    assert _events(Action.RESET_BY_EMAIL, with_address) == 1
    again = Client().get(link, follow=True)
    assert not again.context["validlink"]


def test_asking_too_often_for_one_address_answers_429_known_or_not(with_address, mailoutbox, settings):
    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, "reset_request": (2, 3600)}
    for address in (ADDRESS, "nobody@example.org"):
        answers = [Client().post("/accounts/password/reset/", {"email": address}) for _ in range(3)]
        assert [answer.status_code for answer in answers] == [302, 302, 429]
        assert 3000 < int(answers[-1]["Retry-After"]) <= 3600
    assert len(mailoutbox) == 2
    assert Client().post("/accounts/password/reset/", {"email": "someone@example.org"}).status_code == 302


# By a link a coalition admin makes ----------------------------------------------------

def _issue(member, admin) -> str:
    out = StringIO()
    call_command("reset_link", member.username, "--by", admin.username, "--base-url", "https://majlis.example", stdout=out)
    url = out.getvalue().strip()
    assert url.startswith("https://majlis.example/accounts/reset/")
    return url.removeprefix("https://majlis.example")


def test_an_admins_link_works_once_and_ends_every_other_session(writer, coalition_admin, password):
    phone, laptop = log_in(writer), log_in(writer)
    path = _issue(writer, coalition_admin)
    assert PasswordResetLink.objects.get().token_hash not in path  # only the hash is stored

    holder = Client()
    page = holder.get(path)
    assert page.status_code == 200 and b"Layla" in page.content
    done = holder.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert done.status_code == 302 and done["Location"] == "/accounts/login/"
    assert _can_log_in(writer, NEW_PASSWORD) and not _can_log_in(writer, password)
    for device in (phone, laptop):
        assert device.get("/accounts/profile/").status_code == 302
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(writer.pk)]
    assert Client().get(path).status_code == 404
    assert Client().post(path, {"new_password1": "x-another-one-2026", "new_password2": "x-another-one-2026"}).status_code == 404
    assert _can_log_in(writer, NEW_PASSWORD)
    assert _events(Action.RESET_LINK, writer) == 1 and _events(Action.RESET_BY_LINK, writer) == 1
    issued = ModerationEvent.objects.get(action=Action.RESET_LINK)
    assert issued.actor == coalition_admin


def test_a_weak_password_is_refused_and_the_link_still_works(writer, coalition_admin, password):
    path = _issue(writer, coalition_admin)
    refused = Client().post(path, {"new_password1": "123", "new_password2": "123"})
    assert refused.status_code == 400
    assert _can_log_in(writer, password)
    assert Client().get(path).status_code == 200


def test_an_admins_link_lasts_24_hours(writer, coalition_admin, monkeypatch):
    path = _issue(writer, coalition_admin)
    link = PasswordResetLink.objects.get()
    assert link.expires_at - link.created_at == timedelta(hours=24)
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(hours=23, minutes=59))
    assert Client().get(path).status_code == 200
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(hours=24, seconds=1))
    assert Client().get(path).status_code == 404
    assert Client().post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}).status_code == 404
    assert not _can_log_in(writer, NEW_PASSWORD)


def test_a_new_link_replaces_the_last_one(writer, coalition_admin):
    first, second = _issue(writer, coalition_admin), _issue(writer, coalition_admin)
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200


def test_only_a_coalition_admin_can_make_a_link(writer, moderator, other_member):
    for someone in (moderator, other_member):
        with pytest.raises(CommandError):
            call_command("reset_link", writer.username, "--by", someone.username, stdout=StringIO())
        with pytest.raises(Forbidden):
            make_reset_link(by=someone, user=writer)
    with pytest.raises(CommandError):
        call_command("reset_link", writer.username, "--by", "nobody", stdout=StringIO())
    assert not PasswordResetLink.objects.exists()
    assert not ModerationEvent.objects.filter(action=Action.RESET_LINK).exists()


def test_the_admins_action_shows_the_link_once(writer, coalition_admin, client_for):
    admin = client_for(coalition_admin)
    page = admin.post("/admin/auth/user/", {"action": "make_reset_link", "_selected_action": [writer.pk]})

    assert page.status_code == 200
    path = re.search(rb"https?://[^/<\s]+(/accounts/reset/[\w-]+/)", page.content).group(1).decode()
    assert Client().get(path).status_code == 200
    assert PasswordResetLink.objects.get().created_by == coalition_admin
    assert _events(Action.RESET_LINK, writer) == 1


def test_the_admins_action_needs_a_second_factor(writer, coalition_admin, client_for):
    client_for(coalition_admin, second_factor=False).post(
        "/admin/auth/user/", {"action": "make_reset_link", "_selected_action": [writer.pk]})
    assert not PasswordResetLink.objects.exists()


@pytest.mark.django_db(transaction=True)
async def test_using_a_link_closes_every_socket_of_the_member(make_room, make_member, connect):  # noqa: F811
    await database_sync_to_async(make_room)("aden", name="Aden")
    member = await database_sync_to_async(make_member)("layla", display_name="Layla")
    admin = await database_sync_to_async(make_member)("hadi", display_name="Hadi", is_superuser=True)
    socket = await connect(member)
    path = await database_sync_to_async(_issue)(member, admin)

    done = await database_sync_to_async(Client().post)(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert done.status_code == 302
    await socket.expect_closed(4401)


def test_purge_expired_forgets_old_reset_asks_and_links(writer, coalition_admin, monkeypatch):
    Client().post("/accounts/password/reset/", {"email": "someone@example.org"})
    _issue(writer, coalition_admin)
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(days=2, hours=1))
    call_command("purge_expired", stdout=StringIO())
    assert not PasswordResetLink.objects.exists()
    assert not PasswordResetRequest.objects.exists()
