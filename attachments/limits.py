"""The limits on attachments, each with its own refusal (settings: MAJLIS_ATTACHMENT_*).

Per file by family (images 10 MB, PDFs and audio 25 MB), per message (10 files), and per
member per day (200 MB by default, a UTC day). Each is checked before any work is spent on
a file, and the day's allowance again where the upload is stored, under a lock.
"""

from datetime import UTC, datetime, time, timedelta

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _, ngettext

from attachments import kinds
from forum.errors import BadRequest, RateLimited, TooLong


def max_bytes(family: str) -> int:
    return settings.MAJLIS_ATTACHMENT_MAX_BYTES[family]


def check_file_size(kind: kinds.Kind, size: int) -> None:
    limit = max_bytes(kind.family)
    if size > limit:
        what = {kinds.IMAGE: _("A picture"), kinds.PDF: _("A PDF document"), kinds.AUDIO: _("A recording")}[kind.family]
        raise TooLong(_("%(what)s can be at most %(limit)s; this one is %(size)s.") % {
            "what": what, "limit": filesizeformat(limit), "size": filesizeformat(size)})


def check_count(count: int) -> None:
    limit = settings.MAJLIS_ATTACHMENTS_PER_MESSAGE
    if count > limit:
        raise BadRequest(ngettext(
            "At most %(limit)d file can go with one message.",
            "At most %(limit)d files can go with one message.", limit) % {"limit": limit})


def check_empty(size: int) -> None:
    if size == 0:
        raise BadRequest(_("This file is empty."))


def today(now=None):
    """The UTC day an upload counts towards."""
    return (now or timezone.now()).astimezone(UTC).date()


def check_daily(already: int, adding: int, now=None) -> None:
    """`already` bytes sent today; RateLimited (until the next UTC day) past the allowance."""
    limit = settings.MAJLIS_ATTACHMENT_DAILY_BYTES
    if already + adding > limit:
        now = (now or timezone.now()).astimezone(UTC)
        tomorrow = datetime.combine(now.date() + timedelta(days=1), time.min, tzinfo=UTC)
        raise RateLimited(
            int((tomorrow - now).total_seconds()) + 1,
            _("You can send at most %(limit)s of files a day, and %(left)s are left for today.") % {
                "limit": filesizeformat(limit), "left": filesizeformat(max(0, limit - already))},
        )
