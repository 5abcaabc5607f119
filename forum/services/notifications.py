"""Telling members what happened, in bulk, after the change is committed.

One event gives a member at most one notification (the most specific kind wins), only
if they can view where it happened right now, and never when they muted it. Fan-out
runs a fixed number of queries however many watchers there are.
"""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Model
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import override

from forum import permissions
from forum.former import name_of
from forum.models import (
    Follow, FollowLevel, Notification, NotificationKind, Post, Status,
)
from forum.models.following import KIND_PRIORITY
from realtime import broadcast


def _follows(target: Model) -> dict[int, str]:
    return dict(
        Follow.objects.filter(
            target_type=ContentType.objects.get_for_model(target), target_id=target.pk
        ).values_list("user_id", "level")
    )


def post_recipients(post: Post, mentioned_ids: Iterable[int], replied_to_ids: Iterable[int]) -> dict[int, str]:
    """Who hears of a new public post, and as what kind."""
    thread, category = post.thread, post.thread.category
    on_thread, on_category = _follows(thread), _follows(category)
    kinds: dict[int, set[str]] = {}
    for user_id, level in on_category.items():
        # A level set on the thread itself wins: "normal" there quiets a watched category.
        if level == FollowLevel.WATCHING and user_id not in on_thread:
            kinds.setdefault(user_id, set()).add(NotificationKind.POST)
    for user_id, level in on_thread.items():
        if level == FollowLevel.WATCHING:
            kinds.setdefault(user_id, set()).add(NotificationKind.POST)
    for user_id in replied_to_ids:
        kinds.setdefault(user_id, set()).add(NotificationKind.REPLY)
    for user_id in mentioned_ids:
        kinds.setdefault(user_id, set()).add(NotificationKind.MENTION)
    chosen = {}
    for user_id, wanted in kinds.items():
        # The thread's level wins over the category's: muting either silences the rest.
        level = on_thread.get(user_id) or on_category.get(user_id)
        if user_id == post.author_id or level == FollowLevel.MUTED:
            continue
        chosen[user_id] = next(kind for kind in KIND_PRIORITY if kind in wanted)
    return chosen


def isolate(text: str) -> str:
    """User text inside a translated sentence, isolated so its direction cannot spill over."""
    return f"\u2068{text}\u2069"


def _text(kind: str, post: Post) -> str:
    name, title = isolate(name_of(post.author)), isolate(Truncator(post.thread.title).chars(80))
    return {
        NotificationKind.MENTION: _("%(name)s mentioned you in “%(title)s”"),
        NotificationKind.REPLY: _("%(name)s replied to you in “%(title)s”"),
        NotificationKind.POST: _("%(name)s posted in “%(title)s”"),
    }[kind] % {"name": name, "title": title}


def notify_post(post: Post, *, mentioned_ids: Iterable[int] = (), replied_to_ids: Iterable[int] = ()) -> int:
    """Fan a public post out to its watchers, repliers-to and mentioned members."""
    post = Post.objects.select_related("thread__category", "author__profile").get(pk=post.pk)
    if post.status != Status.APPROVED or post.is_hidden or post.thread.is_hidden:
        return 0
    wanted = post_recipients(post, mentioned_ids, replied_to_ids)
    return _deliver(wanted, post.thread.category, lambda kind: _text(kind, post),
                    post.get_absolute_url(), f"post:{post.public_id}")


def notify_pending_post(post: Post) -> int:
    """A post waiting for approval is news for the category's moderators only."""
    post = Post.objects.select_related("thread__category", "author__profile").get(pk=post.pk)
    moderators = permissions.users_who_can_moderate(post.thread.category).exclude(pk=post.author_id)
    wanted = {pk: NotificationKind.POST for pk in moderators.values_list("pk", flat=True)}
    text = lambda kind: _("%(name)s's post in “%(title)s” awaits approval") % {  # noqa: E731
        "name": isolate(name_of(post.author)), "title": isolate(Truncator(post.thread.title).chars(80))}
    return _deliver(wanted, post.thread.category, text, post.get_absolute_url(), f"pending:{post.public_id}",
                    check_view=False)


def notify_moderation(*, subject, scope: Model, text_for, url: str, event_key: str) -> int:
    """Tell a member about a moderator's action on their text, with the reason."""
    if subject is None:
        return 0
    return _deliver({subject.pk: NotificationKind.MODERATION}, scope, text_for, url, event_key)


def notify_room_message(*, room: Model, author_id: int, watcher_ids: Iterable[int],
                        mentioned_ids: Iterable[int], text_for, url: str, event_key: str) -> int:
    """New messages in a watched room: one unread `room` notification per room, counting up.

    The realtime app decides who watches and who is banned; this checks the grant.
    """
    mentioned = set(mentioned_ids) - {author_id}
    watchers = set(watcher_ids) - {author_id} - mentioned
    sent = _deliver({pk: NotificationKind.MENTION for pk in mentioned}, room,
                    lambda kind: text_for(kind), url, event_key)
    if not watchers:
        return sent
    scope_type = ContentType.objects.get_for_model(room)
    allowed = set(permissions.users_who_can_view(room).filter(pk__in=watchers).values_list("pk", flat=True))
    open_ones = Notification.objects.filter(
        user_id__in=allowed, kind=NotificationKind.ROOM, scope_type=scope_type, scope_id=room.pk,
        read_at__isnull=True,
    )
    already = set(open_ones.values_list("user_id", flat=True))
    open_ones.update(count=F("count") + 1, created_at=timezone.now())
    fresh = allowed - already
    Notification.objects.bulk_create([
        Notification(user_id=pk, kind=NotificationKind.ROOM, scope_type=scope_type, scope_id=room.pk,
                     text=text_for(NotificationKind.ROOM), url=url, event_key=f"{event_key}:room")
        for pk in fresh
    ], ignore_conflicts=True)
    _publish(Notification.objects.filter(user_id__in=allowed, kind=NotificationKind.ROOM,
                                         scope_type=scope_type, scope_id=room.pk, read_at__isnull=True))
    return sent + len(allowed)


def _deliver(wanted: dict[int, str], scope: Model, text_for, url: str, event_key: str,
             *, check_view: bool = True) -> int:
    if not wanted:
        return 0
    recipients = set(wanted)
    if check_view:
        recipients &= set(permissions.users_who_can_view(scope).filter(pk__in=recipients).values_list("pk", flat=True))
    scope_type = ContentType.objects.get_for_model(scope)
    texts: dict[tuple[str, str], str] = {}
    languages = _languages(recipients)
    rows = []
    for pk in recipients:
        kind, language = wanted[pk], languages.get(pk, "ar")
        if (kind, language) not in texts:
            with override(language):
                texts[(kind, language)] = text_for(kind)[:300]
        rows.append(Notification(user_id=pk, kind=kind, scope_type=scope_type, scope_id=scope.pk,
                                 text=texts[(kind, language)], url=url, event_key=event_key[:64]))
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    _publish(Notification.objects.filter(user_id__in=recipients, event_key=event_key[:64]))
    return len(rows)


def _languages(user_ids: set[int]) -> dict[int, str]:
    from forum.models import Profile

    return dict(Profile.objects.filter(user_id__in=user_ids).values_list("user_id", "language"))


def _publish(notes) -> None:
    """Push each recipient's new notification and unread count to their sockets."""
    from forum.selectors.notifications import serialise

    newest = {note.user_id: note for note in notes}
    user_ids = set(newest)
    if not user_ids:
        return
    counts = dict(
        Notification.objects.filter(user_id__in=user_ids, read_at__isnull=True)
        .values("user_id").annotate(n=Count("id")).values_list("user_id", "n")
    )
    for pk, note in newest.items():
        group = broadcast.notifications_group(pk)
        broadcast.publish_frame(group, {"type": "notification", "notification": serialise(note)})
        broadcast.publish_frame(group, {"type": "unread", "count": counts.get(pk, 0)})


def mark_read(*, user, notification: Notification | None = None) -> int:
    """Mark one of the member's notifications read, or all of them."""
    mine = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification is not None:
        mine = mine.filter(pk=notification.pk)
    changed = mine.update(read_at=timezone.now())
    from forum.selectors.notifications import unread_count

    count = unread_count(user)
    pk = user.pk
    broadcast.publish_on_commit(broadcast.notifications_group(pk), {"type": "unread", "count": count})
    return changed
