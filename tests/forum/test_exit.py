"""Quick exit without JavaScript (issue 13, item 3): the plain form ends the session on the
server and lands on a neutral page with nothing of Majlis in it; for a few minutes after,
this browser is shown that page instead of any Majlis page."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from forum.models import SessionRecord

pytestmark = pytest.mark.django_db


def test_the_exit_form_is_on_every_page(member, client_for):
    for client, path in ((client_for(member), "/"), (Client(), "/accounts/login/"), (client_for(member), "/rooms/")):
        page = client.get(path).content.decode()
        assert '<form class="quick-exit" method="post" action="/accounts/exit/"' in page


def test_the_exit_ends_the_session_and_lands_on_the_neutral_page(member, client_for):
    client = client_for(member)
    key = client.session.session_key
    answer = client.post("/accounts/exit/")
    assert answer.status_code == 303 and answer["Location"] == "/weather/"
    assert answer["Clear-Site-Data"] == '"cache", "storage"'
    assert not Session.objects.filter(session_key=key).exists()
    assert not SessionRecord.objects.filter(session_key=key).exists()
    assert client.get("/accounts/profile/").status_code == 302


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_neutral_page_names_nothing_of_majlis(language):
    page = Client(HTTP_ACCEPT_LANGUAGE=language).get("/weather/")
    text = page.content.decode()
    assert page.status_code == 200
    for word in ("Majlis", "majlis", "مجلس"):
        assert word not in text
    assert "csrftoken" not in page.cookies and "sessionid" not in page.cookies


def test_after_an_exit_majlis_pages_show_the_neutral_page(member, client_for):
    client = client_for(member)
    client.post("/accounts/exit/")
    for path in ("/", "/accounts/login/", "/rooms/"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer["Location"] == "/weather/"
    assert client.get("/weather/").status_code == 200
    assert Client().get("/accounts/login/").status_code == 200  # another browser is not affected


def test_a_logged_in_members_pages_are_never_stored_by_the_browser(member, client_for):
    page = client_for(member).get("/")
    assert "no-store" in page["Cache-Control"]


def test_the_exit_keeps_csrf_protection(member, client_for):
    """Another site cannot end a member's session: the form's CSRF token is required."""
    client = client_for(member)
    client.handler.enforce_csrf_checks = True
    key = client.session.session_key
    assert client.post("/accounts/exit/").status_code == 403
    assert Session.objects.filter(session_key=key).exists()
    page = client.get("/").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    assert client.post("/accounts/exit/", {"csrfmiddlewaretoken": token}).status_code == 303
    assert not Session.objects.filter(session_key=key).exists()
