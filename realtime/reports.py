"""Reports of room messages, one kind of the forum's one moderation stack (forum/reports.py):
where a message lives, who may report it and who handles it, and its row in /moderation/."""

from django.urls import reverse
from django.utils.translation import gettext as _

from forum.former import name_of
from forum.reports import QueueRow, ReportKind, action_urls
from realtime import checks, selectors
from realtime.models import MessageReport


def _row(report: MessageReport) -> QueueRow:
    message = report.message
    room = message.room
    return QueueRow(
        public_id=report.public_id, created_at=report.created_at, reason=report.reason,
        title=room.name, place_name="", url=reverse("room", args=[room.slug]),
        author_name=name_of(message.author), body_html=message.body_html,
        gone_note=_("This message was deleted.") if message.deleted else "",
        **action_urls("message_report_action", report),
    )


def message_kind() -> ReportKind:
    return ReportKind(
        model=MessageReport, place_of=lambda message: message.room,
        check_report=checks.check_report_message, check_handle=checks.check_moderate_room,
        open_for=selectors.open_message_reports, row=_row, relations=("message__room", "message__author"),
    )
