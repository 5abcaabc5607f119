"""One way to write a moment, everywhere (issue 16, item 5).

In the reader's language and time zone (the one django.utils.timezone has active: the
member's profile setting, else Yemen's; forum.middleware.ProfileTimeZoneMiddleware):
relative for the last week ("3 hours ago", "قبل ٣ ساعات"), else the day, the month's name,
the year and a 24-hour clock ("3 Dec 2026, 14:05": the day first, never a month-first
number). Arabic readers get Arabic-Indic digits, as Yemen writes them (CLDR's ar-YE).

The browser writes the same words for the times it shows (static/js/time.js, with
Intl.RelativeTimeFormat and Intl.DateTimeFormat): the translations of the strings below
must read exactly as Intl does in that language, which tests/browser/test_times.py checks
in real Chromium. Stored times stay in UTC; the `datetime` attribute is UTC ISO 8601.
"""

import functools
import zoneinfo
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy

DEFAULT_TIME_ZONE = "Asia/Aden"
RELATIVE_FOR = timedelta(days=7)
# A moment this far ahead of the clock (a ban's end) is a date; less is the clocks disagreeing.
SKEW = timedelta(minutes=1)

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

MONTHS = (
    pgettext_lazy("short month", "Jan"), pgettext_lazy("short month", "Feb"),
    pgettext_lazy("short month", "Mar"), pgettext_lazy("short month", "Apr"),
    pgettext_lazy("short month", "May"), pgettext_lazy("short month", "Jun"),
    pgettext_lazy("short month", "Jul"), pgettext_lazy("short month", "Aug"),
    pgettext_lazy("short month", "Sep"), pgettext_lazy("short month", "Oct"),
    pgettext_lazy("short month", "Nov"), pgettext_lazy("short month", "Dec"),
)

# Where members of the coalition live, first in the list: Yemen, its neighbours and the
# diaspora's usual homes. Every other zone follows, by its IANA name.
COMMON_TIME_ZONES = (
    ("Asia/Aden", _("Yemen")),
    ("Asia/Riyadh", _("Saudi Arabia")),
    ("Asia/Dubai", _("United Arab Emirates")),
    ("Asia/Muscat", _("Oman")),
    ("Asia/Qatar", _("Qatar")),
    ("Asia/Kuwait", _("Kuwait")),
    ("Asia/Bahrain", _("Bahrain")),
    ("Africa/Cairo", _("Egypt")),
    ("Asia/Amman", _("Jordan")),
    ("Africa/Djibouti", _("Djibouti")),
    ("Africa/Mogadishu", _("Somalia")),
    ("Africa/Addis_Ababa", _("Ethiopia")),
    ("Europe/Istanbul", _("Turkey")),
    ("Asia/Kuala_Lumpur", _("Malaysia")),
    ("Europe/London", _("United Kingdom")),
    ("Europe/Berlin", _("Germany")),
    ("Europe/Paris", _("France")),
    ("Europe/Amsterdam", _("Netherlands")),
    ("Europe/Stockholm", _("Sweden")),
    ("America/New_York", _("United States — New York")),
    ("America/Detroit", _("United States — Michigan")),
    ("America/Chicago", _("United States — Chicago")),
    ("America/Los_Angeles", _("United States — California")),
    ("America/Toronto", _("Canada — Toronto")),
    ("UTC", _("Universal time (UTC)")),
)
# Zones named for a place, as browsers list them; not the tz database's legacy and
# fixed-offset names ("US/Eastern", "Etc/GMT+3", "EST5EDT").
REGIONS = ("Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific")


@functools.cache
def time_zone_names() -> frozenset[str]:
    return frozenset(
        name for name in zoneinfo.available_timezones() if name.split("/", 1)[0] in REGIONS
    ) | {"UTC"}


def validate_time_zone(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError(_("Unknown time zone: choose one from the list."), code="time_zone")


def time_zone_choices() -> list:
    """For a form's select: the common zones by country, then all of them."""
    names = time_zone_names()
    return [
        (_("Common"), [(name, label) for name, label in COMMON_TIME_ZONES if name in names]),
        (_("All time zones"), [(name, name.replace("_", " ")) for name in sorted(names)]),
    ]


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone of that name, Yemen's if it is unknown here (the tz database changed)."""
    try:
        return zoneinfo.ZoneInfo(name if name in time_zone_names() else DEFAULT_TIME_ZONE)
    except zoneinfo.ZoneInfoNotFoundError:
        return zoneinfo.ZoneInfo(DEFAULT_TIME_ZONE)


def zone_of(user) -> zoneinfo.ZoneInfo:
    """The zone a member reads times in (their profile's); a visitor's is Yemen's."""
    profile = getattr(user, "profile", None) if user is not None and user.is_authenticated else None
    return zone(profile.time_zone if profile is not None and profile.time_zone else DEFAULT_TIME_ZONE)


def _digits(value: int | str) -> str:
    text = str(value)
    return text.translate(ARABIC_INDIC) if (translation.get_language() or "").startswith("ar") else text


def relative(moment: datetime, now: datetime) -> str | None:
    """"now", "5 minutes ago", "3 hours ago", "6 days ago"; None a week or more ago, or ahead."""
    age = now - moment
    if age < -SKEW or age >= RELATIVE_FOR:
        return None
    seconds = age.total_seconds()
    if seconds < 60:
        # Translators: as the browser's Intl.RelativeTimeFormat writes it (static/js/time.js).
        return pgettext("a moment", "now")
    if seconds < 3600:
        n = int(seconds // 60)
        # Translators: as the browser's Intl.RelativeTimeFormat writes it, in each plural form.
        text = ngettext("%(count)s minute ago", "%(count)s minutes ago", n)
    elif seconds < 86400:
        n = int(seconds // 3600)
        text = ngettext("%(count)s hour ago", "%(count)s hours ago", n)
    else:
        n = int(seconds // 86400)
        text = ngettext("%(count)s day ago", "%(count)s days ago", n)
    return text % {"count": _digits(n)}


def full(moment: datetime) -> str:
    """"3 Dec 2026, 14:05" in the active zone ("٣ ديسمبر ٢٠٢٦، ١٤:٠٥" in Arabic)."""
    local = timezone.localtime(moment)
    date = f"{_digits(local.day)} {MONTHS[local.month - 1]} {_digits(local.year)}"
    clock = f"{_digits(f'{local.hour:02d}')}:{_digits(f'{local.minute:02d}')}"
    # Translators: as the browser's Intl.DateTimeFormat joins them (Arabic: "%(date)s، %(time)s").
    return pgettext("a date, then a time", "%(date)s, %(time)s") % {"date": date, "time": clock}


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_exact(moment: datetime | None) -> str | None:
    """A record's moment to the microsecond, UTC, for files that are kept (exports, the
    evidence manifest and custody log)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


def time_element(moment: datetime | str | None, *, relative_allowed: bool = True) -> SafeString | str:
    """`<time datetime="UTC" title="full date">relative or full</time>`; nothing for no moment."""
    if not moment:
        return ""
    if isinstance(moment, str):  # an export's ISO text
        moment = datetime.fromisoformat(moment)
    written = full(moment)
    shown = relative(moment, timezone.now()) if relative_allowed else None
    return format_html('<time datetime="{}" title="{}">{}</time>', iso_utc(moment), written, shown or written)
