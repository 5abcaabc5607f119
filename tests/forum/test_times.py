"""One way to write a moment (forum/times.py, `{{ moment|when }}`): relative for the last
week, else the full date, in the reader's language and zone; the zone is a profile setting.
That the browser writes the same words is tests/browser/test_times.py's part."""

import re
import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from forum.models import Post, Profile
from forum.services.content import reply
from forum.times import DEFAULT_TIME_ZONE, time_zone_names

NOW = datetime(2026, 12, 3, 11, 5, 30, tzinfo=UTC)  # 14:05 in Aden, 11:05 in London


def render(moment, *, language, zone, now=NOW, style=None, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: now)
    template = Template("{% load times %}{{ moment|when" + (f':"{style}"' if style else "") + " }}")
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        return template.render(Context({"moment": moment}))


def parts(html: str) -> tuple[str, str, str]:
    """(datetime attribute, title, text) of the one <time> rendered."""
    match = re.fullmatch(r'<time datetime="([^"]+)" title="([^"]+)">([^<]+)</time>', html)
    assert match, html
    return match.groups()


@pytest.mark.parametrize("age, english, arabic", [
    (timedelta(seconds=0), "now", "الآن"),
    (timedelta(seconds=59), "now", "الآن"),
    (timedelta(seconds=-30), "now", "الآن"),  # the clocks disagree by a little: still now
    (timedelta(minutes=1), "1 minute ago", "قبل دقيقة واحدة"),
    (timedelta(minutes=2), "2 minutes ago", "قبل دقيقتين"),
    (timedelta(minutes=3, seconds=59), "3 minutes ago", "قبل ٣ دقائق"),
    (timedelta(minutes=45), "45 minutes ago", "قبل ٤٥ دقيقة"),
    (timedelta(hours=3), "3 hours ago", "قبل ٣ ساعات"),
    (timedelta(hours=23, minutes=59), "23 hours ago", "قبل ٢٣ ساعة"),
    (timedelta(days=1), "1 day ago", "قبل يوم واحد"),
    (timedelta(days=6, hours=23), "6 days ago", "قبل ٦ أيام"),
])
def test_a_moment_within_the_week_is_said_relatively_in_both_languages(age, english, arabic, monkeypatch):
    moment = NOW - age
    for language, words in (("en", english), ("ar", arabic)):
        iso, title, text = parts(render(moment, language=language, zone="Asia/Aden", monkeypatch=monkeypatch))
        assert text == words
        assert iso == moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_week_or_more_ago_the_full_date_is_shown_day_first_in_the_readers_zone(monkeypatch):
    moment = NOW - timedelta(days=7)  # 26 Nov 2026, 11:05:30 UTC
    cases = {
        ("en", "Asia/Aden"): "26 Nov 2026, 14:05",
        ("en", "Europe/London"): "26 Nov 2026, 11:05",
        ("ar", "Asia/Aden"): "٢٦ نوفمبر ٢٠٢٦، ١٤:٠٥",
        ("ar", "America/Detroit"): "٢٦ نوفمبر ٢٠٢٦، ٠٦:٠٥",
    }
    for (language, zone), expected in cases.items():
        iso, title, text = parts(render(moment, language=language, zone=zone, monkeypatch=monkeypatch))
        assert (text, title) == (expected, expected)
        assert iso == "2026-11-26T11:05:30Z"  # always UTC, whatever the reader's zone


def test_the_tooltip_has_the_full_date_in_the_readers_zone_and_the_attribute_stays_utc(monkeypatch):
    moment = NOW - timedelta(hours=3)  # 08:05:30 UTC
    aden = parts(render(moment, language="en", zone="Asia/Aden", monkeypatch=monkeypatch))
    london = parts(render(moment, language="en", zone="Europe/London", monkeypatch=monkeypatch))
    arabic = parts(render(moment, language="ar", zone="Asia/Aden", monkeypatch=monkeypatch))
    assert aden == ("2026-12-03T08:05:30Z", "3 Dec 2026, 11:05", "3 hours ago")
    assert london == ("2026-12-03T08:05:30Z", "3 Dec 2026, 08:05", "3 hours ago")
    assert arabic == ("2026-12-03T08:05:30Z", "٣ ديسمبر ٢٠٢٦، ١١:٠٥", "قبل ٣ ساعات")


def test_the_date_changes_with_the_zone_across_midnight(monkeypatch):
    moment = datetime(2026, 5, 31, 22, 30, tzinfo=UTC)
    assert parts(render(moment, language="en", zone="Asia/Aden", monkeypatch=monkeypatch))[2] == "1 Jun 2026, 01:30"
    assert parts(render(moment, language="en", zone="Europe/London", monkeypatch=monkeypatch))[2] == "31 May 2026, 23:30"


def test_a_moment_ahead_such_as_a_bans_end_is_a_date_and_full_style_is_always_one(monkeypatch):
    ahead = NOW + timedelta(hours=5)
    assert parts(render(ahead, language="en", zone="Asia/Aden", monkeypatch=monkeypatch))[2] == "3 Dec 2026, 19:05"
    recent = NOW - timedelta(minutes=5)
    assert parts(render(recent, language="en", zone="Asia/Aden", style="full", monkeypatch=monkeypatch))[2] == (
        "3 Dec 2026, 14:00")


def test_nothing_is_written_for_no_moment_and_an_iso_text_is_read(monkeypatch):
    assert render(None, language="en", zone="Asia/Aden", monkeypatch=monkeypatch) == ""
    iso, title, text = parts(render("2026-01-02T03:04:05Z", language="en", zone="Asia/Aden", monkeypatch=monkeypatch))
    assert (iso, text) == ("2026-01-02T03:04:05Z", "2 Jan 2026, 06:04")


# The member's zone on the pages ---------------------------------------------------------

def set_zone(user, zone):
    Profile.objects.filter(user=user).update(time_zone=zone)


def time_of(html: str, post) -> tuple[str, str, str]:
    article = re.search(rf'<article[^>]*id="p-{post.public_id}".*?</article>', html, re.S).group(0)
    return parts(re.search(r"<time [^>]*>[^<]*</time>", article).group(0))


def test_members_in_london_and_aden_see_the_same_posts_time_in_their_own_zones(
    thread, writer, other_member, client_for
):
    post = reply(author=other_member, thread=thread, body="Seen from two places")
    Post.objects.filter(pk=post.pk).update(created_at=datetime(2026, 1, 15, 9, 30, tzinfo=UTC))
    set_zone(writer, "Europe/London")
    set_zone(other_member, "Asia/Aden")
    in_london = client_for(writer).get(thread.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    in_aden = client_for(other_member).get(thread.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert time_of(in_london, post) == ("2026-01-15T09:30:00Z", "15 Jan 2026, 09:30", "15 Jan 2026, 09:30")
    assert time_of(in_aden, post) == ("2026-01-15T09:30:00Z", "15 Jan 2026, 12:30", "15 Jan 2026, 12:30")
    assert 'data-tz="Europe/London"' in in_london and 'data-tz="Asia/Aden"' in in_aden


def test_a_new_member_and_a_visitor_see_times_in_yemens_zone(writer, client, client_for, db):
    assert writer.profile.time_zone == DEFAULT_TIME_ZONE == "Asia/Aden"
    assert 'data-tz="Asia/Aden"' in client.get("/accounts/login/").content.decode()
    assert 'data-tz="Asia/Aden"' in client_for(writer).get("/").content.decode()


def test_the_zone_is_undone_after_each_request(writer, client_for):
    set_zone(writer, "America/Chicago")
    client_for(writer).get("/")
    assert timezone.get_current_timezone_name() == "UTC"


# The setting ---------------------------------------------------------------------------

def settings_form(profile, **changes):
    return {"display_name": profile.display_name, "language": profile.language, "time_zone": profile.time_zone,
            "hide_presence": "", "watch_what_i_write": "on", "email": "", "digest": "none", **changes}


def test_the_profile_page_offers_yemen_first_then_every_zone(writer, client_for):
    html = client_for(writer).get("/accounts/profile/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    select = re.search(r'<select name="time_zone".*?</select>', html, re.S).group(0)
    values = re.findall(r'<option value="([^"]+)"', select)
    assert values[0] == "Asia/Aden" and '<option value="Asia/Aden" selected>Yemen</option>' in select
    assert {"Europe/London", "America/Detroit", "Pacific/Auckland"} <= set(values)
    assert set(values) == time_zone_names()


def test_the_time_zone_setting_is_saved(writer, client_for):
    response = client_for(writer).post("/accounts/profile/", settings_form(writer.profile, time_zone="Europe/London"))
    assert response.status_code == 302
    assert Profile.objects.get(user=writer).time_zone == "Europe/London"


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "posix/Asia/Aden", "EST5EDT"])
def test_an_unknown_time_zone_is_refused_clearly_and_nothing_is_stored(zone, writer, client_for):
    before = Profile.objects.values().get(user=writer)
    form = settings_form(writer.profile, time_zone=zone, display_name="A new name", language="ar")
    response = client_for(writer).post("/accounts/profile/", form, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    html = response.content.decode()
    expected = "Unknown time zone: choose one from the list."
    assert re.search(rf'id="id_time_zone_error" role="alert"><p>{re.escape(expected)}</p>', html)
    assert Profile.objects.values().get(user=writer) == before


def test_the_service_refuses_an_unknown_zone_too(writer):
    from django.core.exceptions import ValidationError

    from forum.services.accounts import set_time_zone

    with pytest.raises(ValidationError) as refused:
        set_time_zone(writer.profile, "Asia/Atlantis")
    assert refused.value.message_dict == {"time_zone": ["Unknown time zone: choose one from the list."]}
    assert Profile.objects.get(user=writer).time_zone == "Asia/Aden"


def test_the_export_file_writes_full_dates_in_the_members_zone_and_language(thread, writer, password, client_for):
    import io
    import zipfile

    post = reply(author=writer, thread=thread, body="Mine, to take away")
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    Profile.objects.filter(user=writer).update(time_zone="Europe/London", language="ar")
    response = client_for(writer).post("/accounts/export/", {"password": password})
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        html = archive.read("majlis-export.html").decode()
    moment = Post.objects.get(pk=post.pk).created_at
    with translation.override("ar"), timezone.override(zoneinfo.ZoneInfo("Europe/London")):
        from forum.times import full
        written = full(moment)
    # Read later, the file says when, not "5 minutes ago".
    assert f'<time datetime="{moment:%Y-%m-%dT%H:%M:%SZ}" title="{written}">{written}</time>' in html
    assert not [text for text in re.findall(r"<time [^>]*>([^<]*)</time>", html) if "قبل" in text]


def test_the_zones_come_with_the_install_not_only_with_the_machine():
    """A server without /usr/share/zoneinfo (a slim container) still knows every zone:
    tzdata is locked (requirements.in), and zoneinfo falls back to it."""
    import zoneinfo

    from forum import times

    zoneinfo.reset_tzpath(to=[])
    times.time_zone_names.cache_clear()
    try:
        assert {"Asia/Aden", "Europe/London", "America/New_York"} <= times.time_zone_names()
        assert str(zoneinfo.ZoneInfo.no_cache("Asia/Aden")) == "Asia/Aden"
    finally:
        zoneinfo.reset_tzpath()
        times.time_zone_names.cache_clear()


@pytest.mark.parametrize("sent", [None, ""])
def test_a_profile_form_sent_without_a_zone_keeps_the_members_zone(client_for, other_member, sent):
    # A client written before the setting existed posts the other fields only.
    other_member.profile.time_zone = "Europe/London"
    other_member.profile.save()
    form = settings_form(other_member.profile, display_name="Sami B")
    if sent is None:
        del form["time_zone"]
    else:
        form["time_zone"] = sent
    response = client_for(other_member).post("/accounts/profile/", form)
    assert response.status_code == 302
    other_member.profile.refresh_from_db()
    assert other_member.profile.time_zone == "Europe/London"
