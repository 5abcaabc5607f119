"""Every page: strict CSP, right language and direction, light, and login where needed."""

import json
import re

import pytest
from django.test import Client

from forum.services.accounts import set_language

PAGES_FOR_MEMBERS = ["/", "/accounts/password/"]
PUBLIC_PAGES = ["/accounts/login/", "/healthz"]


def test_healthz_answers_ok_without_login_and_reveals_nothing(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}


def test_home_needs_login(client, db):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("path", PAGES_FOR_MEMBERS + PUBLIC_PAGES)
def test_every_page_sends_a_strict_content_security_policy(client_for, member, path):
    policy = client_for(member).get(path)["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"
    assert "unsafe-inline" not in policy and "http" not in policy and "*" not in policy


@pytest.mark.parametrize("path", PAGES_FOR_MEMBERS + ["/accounts/login/"])
def test_pages_are_light_and_carry_no_inline_script_or_style(client_for, member, path):
    html = client_for(member).get(path).content
    assert len(html) < 60 * 1024
    text = html.decode()
    assert "<script>" not in text and "<style" not in text and " style=" not in text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)  # nothing from another origin


def test_every_page_with_its_css_and_js_stays_under_150_kb(client_for, member, settings):
    client = client_for(member)
    html = client.get("/").content.decode()
    total = len(html)
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        response = client.get(asset)
        assert response.status_code == 200, asset
        total += len(b"".join(response.streaming_content) if response.streaming else response.content)
    assert total < 150 * 1024


def test_arabic_is_the_default_and_reads_right_to_left(client, db):
    html = Client().get("/accounts/login/").content.decode()
    assert '<html lang="ar" dir="rtl"' in html


def test_the_browser_language_is_followed_when_nothing_else_is_known(db):
    html = Client(HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").get("/accounts/login/").content.decode()
    assert '<html lang="en" dir="ltr"' in html


def test_the_switcher_cookie_wins_over_the_browser(db):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/accounts/language/", {"language": "ar", "next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert '<html lang="ar" dir="rtl"' in client.get("/accounts/login/").content.decode()


def test_the_profile_language_wins_over_cookie_and_browser(client_for, member):
    set_language(member.profile, "ar")
    client = client_for(member)
    client.cookies["majlis_language"] = "en"
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="ar" dir="rtl"' in html


def test_switching_language_while_logged_in_updates_the_profile(client_for, member):
    client = client_for(member)
    client.post("/accounts/language/", {"language": "ar"})
    member.profile.refresh_from_db()
    assert member.profile.language == "ar"


def test_the_switcher_never_redirects_to_another_site(client, db):
    response = client.post("/accounts/language/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_user_text_is_shown_with_dir_auto(client_for, member):
    html = client_for(member).get("/").content.decode()
    assert 'class="whoami" dir="auto" href="/accounts/profile/">Layla</a>' in html


def test_arabic_translations_ship_compiled():
    from pathlib import Path

    assert (Path(__file__).resolve().parents[2] / "locale/ar/LC_MESSAGES/django.mo").exists()


def test_home_page_speaks_arabic(client_for, member):
    set_language(member.profile, "ar")
    html = client_for(member).get("/").content.decode()
    assert "مجلس" in html and "تسجيل الخروج" in html
