"""Security data is kept briefly: `purge_expired` deletes axes' login records older than
24 hours and keeps the fresh ones (issue 13, item 7). The records are made by real failed
logins on the login page."""

from datetime import timedelta
from io import StringIO

from axes.models import AccessAttempt, AccessFailureLog
from django.core.management import call_command
from django.test import Client
from django.utils import timezone


def fail_to_log_in(username: str, times: int = 1) -> int:
    client = Client()
    for _ in range(times):
        response = client.post("/accounts/login/", {"username": username, "password": "wrong-password-1"})
    return response.status_code


def age(username: str, hours: float, model=AccessAttempt) -> None:
    model.objects.filter(username=username).update(attempt_time=timezone.now() - timedelta(hours=hours))


def purge() -> str:
    out = StringIO()
    call_command("purge_expired", stdout=out)
    return out.getvalue()


def test_purge_expired_deletes_login_attempts_older_than_24_hours_and_keeps_fresh_ones(member, settings):
    for name in ("ghost-old", "ghost-older", "ghost-recent"):
        assert fail_to_log_in(name) == 200
    # member1 is locked out now: the purge must not lift that.
    assert fail_to_log_in("member1", times=settings.AXES_FAILURE_LIMIT) == 429
    assert AccessAttempt.objects.count() == 4
    age("ghost-old", 25)
    age("ghost-older", 24 * 30)
    age("ghost-recent", 23)

    out = purge()

    day_ago = timezone.now() - timedelta(hours=24)
    assert not AccessAttempt.objects.filter(attempt_time__lt=day_ago).exists()
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"member1", "ghost-recent"}
    assert "2 login attempt record(s) older than 24 h deleted" in out
    assert "login attempt record" not in purge()  # nothing left, nothing said (as for the other records)
    assert fail_to_log_in("member1") == 429


def test_the_kept_time_is_a_setting(member, settings):
    settings.MAJLIS_SECURITY_DATA_HOURS = 1
    fail_to_log_in("ghost")
    age("ghost", 2)
    purge()
    assert not AccessAttempt.objects.exists()


def test_the_failure_log_is_purged_too_when_it_is_turned_on(member, settings):
    settings.AXES_ENABLE_ACCESS_FAILURE_LOG = True
    fail_to_log_in("ghost-old")
    fail_to_log_in("ghost-new")
    assert AccessFailureLog.objects.count() == 2
    age("ghost-old", 25, model=AccessFailureLog)
    purge()
    assert list(AccessFailureLog.objects.values_list("username", flat=True)) == ["ghost-new"]
