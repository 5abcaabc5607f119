"""Login, logout and lockout: throttled by account name, never by (or storing) an address."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.conf import settings
from django.db import connection, models
from django.test import Client

CLIENT_ADDRESS = "203.0.113.77"  # a documentation address nobody else uses


def attempt(client, username, password="wrong-password-1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password},
        REMOTE_ADDR=CLIENT_ADDRESS, HTTP_X_FORWARDED_FOR=CLIENT_ADDRESS, HTTP_X_REAL_IP=CLIENT_ADDRESS,
    )


def test_a_member_logs_in_and_lands_on_the_home_page(client, member, password):
    response = attempt(client, "member1", password)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_wrong_password_rerenders_the_form_with_an_error(client, member):
    response = attempt(client, "member1")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_logout_is_post_only(client_for, member):
    client = client_for(member)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_logout_tells_the_browser_to_forget_what_the_site_stored(client_for, member):
    # A room's unconfirmed messages are kept in the tab (static/js/room/kept.js): they must
    # not outlive the session. The cache stays: private pages are never stored in it.
    answer = client_for(member).post("/accounts/logout/")
    assert answer["Clear-Site-Data"] == '"storage"'


def test_session_cookie_is_httponly_and_samesite_lax(client, member, password):
    attempt(client, "member1", password)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_repeated_failures_lock_the_account_with_429_and_retry_after(client, member, password):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "member1")
    response = attempt(client, "member1", password)  # even the right password
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 15 * 60
    assert not client.session.get("_auth_user_id")


def test_lockout_looks_the_same_for_an_account_that_does_not_exist(member):
    answers = []
    for username in ("member1", "nobody-by-this-name"):
        client = Client()
        for _ in range(settings.AXES_FAILURE_LIMIT):
            attempt(client, username)
        response = attempt(client, username)
        answers.append((response.status_code, response["Retry-After"],
                        response.content.decode().split("<form")[1].replace(username, "NAME")
                        .split('csrfmiddlewaretoken" value="')[0]))
    assert answers[0] == answers[1]


def test_a_lockout_ends_after_the_cool_off(client, member, password):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "member1")
    assert attempt(client, "member1", password).status_code == 429
    AccessAttempt.objects.update(attempt_time=models.F("attempt_time") - timedelta(minutes=16))
    assert attempt(client, "member1", password).status_code == 302


def test_no_table_stores_the_client_address_after_failed_logins(client, member, password):
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        attempt(client, "member1")
        attempt(client, "ghost")
    attempt(client, "member1", password)
    assert AccessAttempt.objects.exists()  # axes did record the attempts…
    found = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            for field in model._meta.concrete_fields:
                cursor.execute(f'SELECT COUNT(*) FROM "{table}" WHERE CAST("{field.column}" AS TEXT) LIKE %s',
                               [f"%{CLIENT_ADDRESS}%"])
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{field.column}")
    assert found == []  # …but nowhere the address


def test_password_change_keeps_this_session_and_ends_the_others(member, password):
    here, elsewhere = Client(), Client()
    for client in (here, elsewhere):
        attempt(client, "member1", password)
    response = here.post("/accounts/password/", {
        "old_password": password, "new_password1": "another-long-secret-9", "new_password2": "another-long-secret-9",
    })
    assert response.status_code == 302
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302


@pytest.mark.parametrize("new", ["short", "password123", "1234567890123"])
def test_a_weak_new_password_is_refused(client_for, member, password, new):
    response = client_for(member).post("/accounts/password/", {
        "old_password": password, "new_password1": new, "new_password2": new,
    })
    assert response.status_code == 200 and response.context["form"].errors
    member.refresh_from_db()
    assert member.check_password(password)


def test_passwords_are_hashed_with_argon2(member):
    assert member.password.startswith("argon2")
