"""E-mail digests: counts and links only, in the member's language, sent once per period.

The member's language is their profile's, as on their pages and in their notifications.

Mail passes through providers outside the coalition, so a digest names no thread, room,
member or text, carries no image or tracking pixel, and counts only what the member can
still view.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from forum.models import DigestSent, Notification, NotificationKind, Profile
from forum.selectors.notifications import in_visible_places

PERIOD_LENGTH = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}


def last_period_start(period: str, now: datetime) -> datetime:
    """The start of the last whole day (or ISO week, from Monday), in UTC."""
    today = datetime.combine(now.date(), time.min, tzinfo=now.tzinfo)
    if period == "daily":
        return today - timedelta(days=1)
    return today - timedelta(days=today.weekday() + 7)


def digest_counts(user, start: datetime, end: datetime) -> dict[str, int]:
    """Unread notifications of the period, by kind, in places the member still views.

    A folded notification ("3 new posts in …") counts its events; a room's, the room (the
    digest says "rooms with new messages")."""
    counted = (
        Notification.objects.filter(user=user, read_at__isnull=True, created_at__gte=start, created_at__lt=end)
        .filter(in_visible_places(user))
        .values("kind").annotate(rows=Count("id"), events=Sum("count")).values_list("kind", "rows", "events")
    )
    return {kind: rows if kind == NotificationKind.ROOM else events for kind, rows, events in counted}


def digest_text(counts: dict[str, int], base_url: str) -> str:
    lines = [_("Hello,"), "", _("Since your last digest, on Majlis:"), ""]
    labels = {
        NotificationKind.MENTION: lambda n: ngettext("%(n)d mention of you", "%(n)d mentions of you", n),
        NotificationKind.REPLY: lambda n: ngettext("%(n)d reply to you", "%(n)d replies to you", n),
        NotificationKind.POST: lambda n: ngettext("%(n)d new post where you watch", "%(n)d new posts where you watch", n),
        NotificationKind.ROOM: lambda n: ngettext("%(n)d room with new messages", "%(n)d rooms with new messages", n),
        NotificationKind.MODERATION: lambda n: ngettext("%(n)d moderation notice", "%(n)d moderation notices", n),
    }
    for kind, label in labels.items():
        if counts.get(kind):
            lines.append("- " + label(counts[kind]) % {"n": counts[kind]})
    lines += ["", _("Read them: %(url)s") % {"url": base_url.rstrip("/") + "/notifications/"},
              _("Change or stop digests: %(url)s") % {"url": base_url.rstrip("/") + "/accounts/profile/"}]
    return "\n".join(lines) + "\n"


def send_digests(*, base_url: str, now: datetime | None = None) -> int:
    """Send every due digest once; return how many were sent."""
    now = now or timezone.now()
    sent = 0
    members = Profile.objects.filter(user__is_active=True).exclude(digest="none").exclude(email="").select_related("user")
    for profile in members:
        start = last_period_start(profile.digest, now)
        end = start + PERIOD_LENGTH[profile.digest]
        counts = digest_counts(profile.user, start, end)
        try:
            with transaction.atomic():
                # Claimed first: a second run, or a parallel one, finds the row and skips.
                DigestSent.objects.create(user=profile.user, period=profile.digest, period_start=start, counts=counts)
                if not counts:
                    continue
                with override(profile.language):
                    subject, body = _("Your Majlis digest"), digest_text(counts, base_url)
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [profile.email])
                sent += 1
        except IntegrityError:
            continue
    return sent
