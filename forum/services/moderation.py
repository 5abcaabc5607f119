"""Moderators' actions on posts and threads, and members' reports of posts. Each action is
recorded once (forum.services.audit); reports of every kind go through forum.services.reports."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from forum import checks
from forum.models import Action, Category, Post, PostReport, StandingScope, Status, Thread
from forum.mentions import render_with_mentions
from forum.services import notifications, reports
from forum.services.audit import clean_reason, record_moderation_event
from forum.services.content import broadcast_post, replied_to_ids
from forum.services.reports import handle_report  # noqa: F401 (the one for every kind, here too)
from forum.services.standing import standing_changed
from realtime import broadcast
from search import index as search_index


def _tell_author(post: Post, sentence: str, reason: str) -> None:
    """The member learns what a moderator did to their text, and why (never who reported).

    `sentence` is a key of forum.models.following.SENTENCES: said in the member's language."""
    thread = post.thread
    args = {"t": sentence, "title": thread.title[:80], "thread": thread.public_id, "reason": reason}
    key = f"mod:{post.public_id}:{timezone.now().timestamp()}"
    transaction.on_commit(lambda: notifications.notify_moderation(
        subject=post.author, scope=thread.category, args=args, url=thread.get_absolute_url(),
        event_key=key))


def _locked_post(post: Post) -> Post:
    return Post.objects.select_for_update().select_related("thread__category").get(pk=post.pk)


def _refresh_index(post: Post) -> None:
    """The search index stores who may find a post (search/facets.py): after a change of
    its state, or of its thread's through the opening post, it follows."""
    if post.is_opening:
        search_index.refresh_thread(post.thread_id)
    else:
        search_index.refresh_post(post.pk)


def approve_post(*, post: Post, by) -> Post:
    checks.check_approve(by, post)
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
        _refresh_index(post)
        record_moderation_event(actor=by, action=Action.APPROVE, scope=thread.category, target=post)
        mentioned_ids = [p.user_id for p in render_with_mentions(post.body_source)[1]]
        replied = replied_to_ids(post)
        transaction.on_commit(lambda: notifications.notify_post(
            post, mentioned_ids=mentioned_ids, replied_to_ids=replied))
        transaction.on_commit(lambda: broadcast_post(post))
    return post


def reject_post(*, post: Post, by, reason: str = "") -> Post:
    checks.check_reject(by, post)
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
        _refresh_index(post)
        record_moderation_event(actor=by, action=Action.REJECT, scope=post.thread.category, target=post, reason=reason)
        _tell_author(post, "rejected", reason)
    return post


def hide_post(*, post: Post, by, reason: str) -> Post:
    """Hide a post from members ("hidden by a moderator"); hiding the opening post hides the thread."""
    checks.check_hide(by, post)
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
        _refresh_index(post)
        record_moderation_event(actor=by, action=Action.HIDE, scope=post.thread.category, target=post, reason=reason)
        _tell_author(post, "hidden", reason)
        thread_id, post_id = post.thread.public_id, post.public_id
        broadcast.publish_on_commit(broadcast.thread_group(thread_id), {"type": "post.hidden", "id": post_id})
    return post


def unhide_post(*, post: Post, by, reason: str = "") -> Post:
    checks.check_unhide(by, post)
    reason = clean_reason(reason, required=False)
    with transaction.atomic():
        post = _locked_post(post)
        if not post.is_hidden:
            return post
        post.is_hidden, post.hidden_reason = False, ""
        post.save(update_fields=["is_hidden", "hidden_reason"])
        if post.is_opening:
            Thread.objects.filter(pk=post.thread_id).update(is_hidden=False)
        _refresh_index(post)
        record_moderation_event(actor=by, action=Action.UNHIDE, scope=post.thread.category, target=post, reason=reason)
    return post


def _set_thread_flag(thread: Thread, by, field: str, value: bool, action: str, reason: str) -> Thread:
    reason = clean_reason(reason, required=False)
    with transaction.atomic():
        changed = Thread.objects.filter(pk=thread.pk).exclude(**{field: value}).update(**{field: value})
        if changed:
            record_moderation_event(actor=by, action=action, scope=thread.category, target=thread, reason=reason)
    setattr(thread, field, value)
    return thread


def lock_thread(*, thread: Thread, by, reason: str = "") -> Thread:
    checks.check_lock(by, thread)
    return _set_thread_flag(thread, by, "is_locked", True, Action.LOCK, reason)


def unlock_thread(*, thread: Thread, by, reason: str = "") -> Thread:
    checks.check_unlock(by, thread)
    return _set_thread_flag(thread, by, "is_locked", False, Action.UNLOCK, reason)


def pin_thread(*, thread: Thread, by, reason: str = "") -> Thread:
    checks.check_pin(by, thread)
    return _set_thread_flag(thread, by, "is_pinned", True, Action.PIN, reason)


def unpin_thread(*, thread: Thread, by, reason: str = "") -> Thread:
    checks.check_unpin(by, thread)
    return _set_thread_flag(thread, by, "is_pinned", False, Action.UNPIN, reason)


def move_thread(*, thread: Thread, by, to: Category, reason: str = "") -> Thread:
    """Move a thread between two categories the moderator moderates."""
    checks.check_move(by, thread, to)
    reason = clean_reason(reason, required=False)
    if to.pk == thread.category_id:
        return thread
    with transaction.atomic():
        origin = thread.category
        Thread.objects.filter(pk=thread.pk).update(category=to)
        search_index.refresh_thread(thread.pk)
        # Its readers may not see the new category: their sockets re-check before another frame.
        standing_changed(StandingScope.THREAD, thread.public_id)
        # Recorded in both places, so readers of either category see where it went.
        for scope in (origin, to):
            record_moderation_event(
                actor=by, action=Action.MOVE, scope=scope, target=thread, reason=reason,
                details={"from": origin.slug, "to": to.slug},
            )
    thread.category = to
    return thread


def report_post(*, post: Post, by, reason: str) -> PostReport:
    """Any member who can see a post may report it to its category's moderators."""
    return reports.report(by=by, target=Post.objects.select_related("thread__category").get(pk=post.pk), reason=reason)
