"""The kinds of reports, and the one moderation queue that shows them all.

A report (forum.models.moderation.Report) is of a post or of a room message; each kind
says, once, where what it reports lives (its category or room), which check lets a
member report it and which lets a moderator handle it, and how its open reports look in
the queue. The forum registers posts; the realtime app registers room messages when it
loads (`forum` never imports `realtime`). forum.services.reports writes through these
kinds; `open_reports` reads them for /moderation/.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Model, QuerySet
from django.urls import reverse

from forum.former import name_of
from forum.models.moderation import Report, ReportStatus


@dataclass(frozen=True)
class QueueRow:
    """One open report as the queue shows it: finished, nothing left for the template to
    look up. Never who reported."""

    public_id: str
    created_at: datetime
    reason: str
    title: str  # the thread's title, or the room's name
    place_name: str  # the category's name; empty for a room (its name is the title)
    url: str
    author_name: str
    body_html: str  # sanitised on write (forum.sanitiser)
    gone_note: str  # why the text is not shown any more (a deleted message), else empty
    resolve_url: str
    dismiss_url: str
    hide_url: str = ""  # a post not hidden yet can be hidden from the queue


@dataclass(frozen=True)
class ReportKind:
    model: type[Report]
    # The category or room of a reported thing; its moderators handle the report.
    place_of: Callable[[Model], Model]
    # check(user, reported thing): may this member report it?
    check_report: Callable[..., None]
    # check(user, place): may this member handle reports there?
    check_handle: Callable[..., None]
    # The open reports a user may handle, oldest first, with what `row` reads.
    open_for: Callable[[object], QuerySet]
    row: Callable[[Report], QueueRow]
    # What `place_of` and the moderation record read from a report, for select_related.
    relations: tuple[str, ...] = ()


_KINDS: dict[type[Model], ReportKind] = {}  # by the model of what is reported


def register_report_kind(kind: ReportKind) -> None:
    target = kind.model._meta.get_field(kind.model.target_field).related_model
    _KINDS[target] = kind


def kinds() -> list[ReportKind]:
    return list(_KINDS.values())


def kind_of(obj: Model) -> ReportKind:
    """The kind of a report, or of a thing that can be reported."""
    for target, kind in _KINDS.items():
        if isinstance(obj, (target, kind.model)):
            return kind
    raise LookupError(f"{type(obj).__name__} cannot be reported")


def action_urls(url_name: str, report: Report) -> dict[str, str]:
    """`resolve_url` and `dismiss_url` of a queue row."""
    return {f"{action}_url": reverse(url_name, args=[report.public_id, action]) for action in ("resolve", "dismiss")}


def open_reports(user) -> list[QueueRow]:
    """Every open report the user may handle, of every kind, oldest first: one query per kind."""
    rows = [kind.row(report) for kind in kinds() for report in kind.open_for(user)]
    return sorted(rows, key=lambda row: row.created_at)


def find_open_report(public_id: str) -> tuple[ReportKind, Report] | None:
    """An open report of any kind by its public id, with what its place needs."""
    for kind in kinds():
        report = (kind.model.objects.select_related(*kind.relations)
                  .filter(public_id=public_id, status=ReportStatus.OPEN).first())
        if report is not None:
            return kind, report
    return None


# Posts, the forum's own kind (registered by forum.apps) ----------------------------------

def _post_row(report: Report) -> QueueRow:
    post = report.post
    return QueueRow(
        public_id=report.public_id, created_at=report.created_at, reason=report.reason,
        title=post.thread.title, place_name=post.thread.category.name, url=post.get_absolute_url(),
        author_name=name_of(post.author), body_html=post.body_html, gone_note="",
        hide_url="" if post.is_hidden else reverse("post_action", args=[post.public_id, "hide"]),
        **action_urls("report_action", report),
    )


def post_kind() -> ReportKind:
    from forum import checks
    from forum.models import PostReport
    from forum.selectors.content import open_post_reports

    return ReportKind(
        model=PostReport, place_of=lambda post: post.thread.category, check_report=checks.check_report,
        check_handle=checks.check_moderate, open_for=open_post_reports, row=_post_row,
        relations=("post__thread__category", "post__author"),
    )
