"""Members' reports of posts and room messages: one way in, one way out, for every kind.

`report` files one (the reporter checked by the kind's own check, the reason by the one
`clean_reason`, the pace by `pace.REPORT` over every kind together); `handle_report`
resolves or dismisses one, recorded like every moderator action. What differs per kind
is said once, in forum/reports.py.
"""

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from forum import pace
from forum.models import Action, ReportStatus
from forum.models.moderation import Report
from forum.reports import kind_of, kinds
from forum.services.audit import clean_reason, record_moderation_event


def report(*, by, target: Model, reason: str) -> Report:
    """Ask the moderators of a post's category or a message's room to look at it.

    The same member reporting the same thing again, while their report is open, gets that
    report back: one open report per member and thing.
    """
    kind = kind_of(target)
    kind.check_report(by, target)
    reason = clean_reason(reason)
    field = kind.model.target_field
    open_report = kind.model.objects.filter(**{field: target}, reporter=by, status=ReportStatus.OPEN)
    existing = open_report.first()
    if existing is not None:
        return existing
    _check_pace(by)
    try:
        with transaction.atomic():
            return kind.model.objects.create(**{field: target}, reporter=by, reason=reason)
    except IntegrityError:  # the same member reported it twice at once
        return open_report.get()


def _check_pace(by) -> None:
    """At most `pace.REPORT` reports in its window, of every kind together."""
    count, _seconds = pace.limit(pace.REPORT)
    now = timezone.now()
    since = pace.window_start(pace.REPORT, now)
    latest = sorted(
        (created for kind in kinds() for created in kind.model.objects
         .filter(reporter=by, created_at__gt=since).order_by("-created_at")
         .values_list("created_at", flat=True)[:count]),
        reverse=True,
    )
    pace.check_pace(pace.REPORT, nth_latest=latest[count - 1] if len(latest) >= count else None, now=now)


def handle_report(*, report: Report, by, resolve: bool, reason: str = "") -> Report:
    """Resolve (acted on) or dismiss (nothing to do) a report; the reporter stays unnamed.

    Only the moderators of the place may (NotFound for who cannot see it, Forbidden for
    who sees it but does not moderate it); a report handled already is returned as it is.
    """
    kind = kind_of(report)
    target = kind.model.objects.select_related(*kind.relations).get(pk=report.pk).target  # as stored now
    place = kind.place_of(target)
    kind.check_handle(by, place)
    reason = clean_reason(reason, required=False)
    with transaction.atomic():
        report = kind.model.objects.select_for_update().get(pk=report.pk)
        if report.status != ReportStatus.OPEN:
            return report
        report.status = ReportStatus.RESOLVED if resolve else ReportStatus.DISMISSED
        report.handled_by, report.handled_at = by, timezone.now()
        report.save(update_fields=["status", "handled_by", "handled_at"])
        record_moderation_event(
            actor=by, action=Action.RESOLVE if resolve else Action.DISMISS, scope=place, target=target,
            reason=reason,
        )
    return report
