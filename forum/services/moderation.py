"""Moderators' actions on posts and threads, and members' reports. Each one is recorded."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from forum import permissions
from forum.models import Action, Category, Post, PostReport, ReportStatus, StandingScope, Status, Thread
from forum.models.moderation import REASON_MAX
from forum.mentions import render_with_mentions
from forum.services import notifications
from forum.services.audit import record_moderation_event
from forum.services.content import broadcast_post, replied_to_ids
from forum.services.standing import standing_changed
from realtime import broadcast


def clean_reason(reason: str, *, required: bool = True) -> str:
    reason = " ".join((reason or "").split())
    if required and not reason:
        raise ValidationError({"reason": ValidationError(_("Please give a reason."), code="empty")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": ValidationError(
            _("A reason can have at most %(max)d characters.") % {"max": REASON_MAX}, code="too_long"
        )})
    return reason


def _record(by, action, post_or_thread, reason="", **details):
    thread = post_or_thread if isinstance(post_or_thread, Thread) else post_or_thread.thread
    record_moderation_event(
        actor=by, action=action, scope=thread.category, reason=reason,
        target_kind="thread" if isinstance(post_or_thread, Thread) else "post",
        target_id=post_or_thread.public_id, subject=post_or_thread.author, details=details,
    )


def _tell_author(post: Post, message: str, reason: str) -> None:
    """The member learns what a moderator did to their text, and why (never who reported)."""
    thread = post.thread

    def text_for(kind: str) -> str:  # called in the author's own language
        text = str(message) % {"title": notifications.isolate(thread.title[:80])}
        return f"{text} {_('Reason:')} {reason}" if reason else text

    key = f"mod:{post.public_id}:{timezone.now().timestamp()}"
    transaction.on_commit(lambda: notifications.notify_moderation(
        subject=post.author, scope=thread.category, text_for=text_for, url=thread.get_absolute_url(),
        event_key=key))


def _locked_post(post: Post) -> Post:
    return Post.objects.select_for_update().select_related("thread__category").get(pk=post.pk)


def approve_post(*, post: Post, by) -> Post:
    permissions.check_can_moderate(by, post.thread.category)
    with transaction.atomic():
        post = _locked_post(post)
        if post.status != Status.PENDING:
            return post
        post.status = Status.APPROVED
        post.save(update_fields=["status"])
        thread = post.thread
        if post.is_opening:
            Thread.objects.filter(pk=thread.pk).update(status=Status.APPROVED, last_activity_at=post.created_at)
        else:
            Thread.objects.filter(pk=thread.pk).update(
                reply_count=F("reply_count") + 1, last_post=post, last_activity_at=timezone.now()
            )
        _record(by, Action.APPROVE, post)
        mentioned_ids = [p.user_id for p in render_with_mentions(post.body_source)[1]]
        replied = replied_to_ids(post)
        transaction.on_commit(lambda: notifications.notify_post(
            post, mentioned_ids=mentioned_ids, replied_to_ids=replied))
        transaction.on_commit(lambda: broadcast_post(post))
    return post


def reject_post(*, post: Post, by, reason: str = "") -> Post:
    permissions.check_can_moderate(by, post.thread.category)
    reason = clean_reason(reason, required=False)
    with transaction.atomic():
        post = _locked_post(post)
        if post.status != Status.PENDING:
            return post
        post.status = Status.REJECTED
        post.save(update_fields=["status"])
        if post.is_opening:
            Thread.objects.filter(pk=post.thread_id).update(status=Status.REJECTED)
            standing_changed(StandingScope.THREAD, post.thread.public_id)
        _record(by, Action.REJECT, post, reason)
        _tell_author(post, gettext_lazy("A moderator did not approve your post in “%(title)s”."), reason)
    return post


def hide_post(*, post: Post, by, reason: str) -> Post:
    """Hide a post from members ("hidden by a moderator"); hiding the opening post hides the thread."""
    permissions.check_can_moderate(by, post.thread.category)
    reason = clean_reason(reason)
    with transaction.atomic():
        post = _locked_post(post)
        if post.is_hidden:
            return post
        post.is_hidden, post.hidden_reason = True, reason
        post.save(update_fields=["is_hidden", "hidden_reason"])
        if post.is_opening:
            Thread.objects.filter(pk=post.thread_id).update(is_hidden=True)
            # Members no longer see the thread: its sockets re-check before another frame.
            standing_changed(StandingScope.THREAD, post.thread.public_id)
        _record(by, Action.HIDE, post, reason)
        _tell_author(post, gettext_lazy("A moderator hid your post in “%(title)s”."), reason)
        thread_id, post_id = post.thread.public_id, post.public_id
        broadcast.publish_on_commit(broadcast.thread_group(thread_id), {"type": "post.hidden", "id": post_id})
    return post


def unhide_post(*, post: Post, by, reason: str = "") -> Post:
    permissions.check_can_moderate(by, post.thread.category)
    reason = clean_reason(reason, required=False)
    with transaction.atomic():
        post = _locked_post(post)
        if not post.is_hidden:
            return post
        post.is_hidden, post.hidden_reason = False, ""
        post.save(update_fields=["is_hidden", "hidden_reason"])
        if post.is_opening:
            Thread.objects.filter(pk=post.thread_id).update(is_hidden=False)
        _record(by, Action.UNHIDE, post, reason)
    return post


def _set_thread_flag(thread: Thread, by, field: str, value: bool, action: str, reason: str) -> Thread:
    permissions.check_can_moderate(by, thread.category)
    reason = clean_reason(reason, required=False)
    with transaction.atomic():
        changed = Thread.objects.filter(pk=thread.pk).exclude(**{field: value}).update(**{field: value})
        if changed:
            _record(by, action, thread, reason)
    setattr(thread, field, value)
    return thread


def lock_thread(*, thread: Thread, by, reason: str = "") -> Thread:
    return _set_thread_flag(thread, by, "is_locked", True, Action.LOCK, reason)


def unlock_thread(*, thread: Thread, by, reason: str = "") -> Thread:
    return _set_thread_flag(thread, by, "is_locked", False, Action.UNLOCK, reason)


def pin_thread(*, thread: Thread, by, reason: str = "") -> Thread:
    return _set_thread_flag(thread, by, "is_pinned", True, Action.PIN, reason)


def unpin_thread(*, thread: Thread, by, reason: str = "") -> Thread:
    return _set_thread_flag(thread, by, "is_pinned", False, Action.UNPIN, reason)


def move_thread(*, thread: Thread, by, to: Category, reason: str = "") -> Thread:
    """Move a thread between two categories the moderator moderates."""
    permissions.check_can_moderate(by, thread.category)
    if not permissions.can_moderate(by, to):
        raise PermissionDenied(_("You can only move a thread to a category you moderate."))
    reason = clean_reason(reason, required=False)
    if to.pk == thread.category_id:
        return thread
    with transaction.atomic():
        origin = thread.category
        Thread.objects.filter(pk=thread.pk).update(category=to)
        # Its readers may not see the new category: their sockets re-check before another frame.
        standing_changed(StandingScope.THREAD, thread.public_id)
        # Recorded in both places, so readers of either category see where it went.
        for scope in (origin, to):
            record_moderation_event(
                actor=by, action=Action.MOVE, scope=scope, reason=reason, target_kind="thread",
                target_id=thread.public_id, subject=thread.author,
                details={"from": origin.slug, "to": to.slug},
            )
    thread.category = to
    return thread


def report_post(*, post: Post, by, reason: str) -> PostReport:
    """Any member who can see a post may report it to its category's moderators."""
    from forum.selectors.content import can_see_post

    if not can_see_post(by, post):
        raise PermissionDenied
    reason = clean_reason(reason)
    existing = PostReport.objects.filter(post=post, reporter=by, status=ReportStatus.OPEN).first()
    if existing is not None:
        return existing
    return PostReport.objects.create(post=post, reporter=by, reason=reason)


def handle_report(*, report: PostReport, by, resolve: bool, reason: str = "") -> PostReport:
    """Resolve (acted on) or dismiss (nothing to do) a report; the reporter stays unnamed."""
    permissions.check_can_moderate(by, report.post.thread.category)
    reason = clean_reason(reason, required=False)
    with transaction.atomic():
        report = PostReport.objects.select_for_update().select_related("post__thread__category").get(pk=report.pk)
        if report.status != ReportStatus.OPEN:
            return report
        report.status = ReportStatus.RESOLVED if resolve else ReportStatus.DISMISSED
        report.handled_by, report.handled_at = by, timezone.now()
        report.save(update_fields=["status", "handled_by", "handled_at"])
        _record(by, Action.RESOLVE if resolve else Action.DISMISS, report.post, reason)
    return report
