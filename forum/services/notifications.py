"""Telling members what happened, in bulk, after the change is committed.

One event gives a member at most one notification (the most specific kind wins), only
if they can view where it happened right now, and never when they muted it. Fan-out
runs a fixed number of queries however many watchers there are.
"""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, F, Model
from django.utils import timezone
from django.utils.text import Truncator

from forum import permissions
from forum.models import (
    Follow, FollowLevel, Notification, NotificationKind, Post, Status, Thread,
)
from forum.models.following import FOLDED_KINDS, KIND_PRIORITY
from realtime import broadcast

POST_EVENT = "post:"  # a post's event key: `post:<its public id>` (one post, one event)


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


def _name(user) -> str | None:
    """A member's display name as a notification keeps it; None for a former member."""
    profile = getattr(user, "profile", None) if user is not None else None
    return profile.display_name if profile is not None else None


def about_post(post: Post) -> dict:
    """The arguments every notification of a post shares (SENTENCES says which are used)."""
    thread = post.thread
    return {"name": _name(post.author), "title": Truncator(thread.title).chars(80), "thread": thread.public_id}


def notify_post(post: Post, *, mentioned_ids: Iterable[int] = (), replied_to_ids: Iterable[int] = ()) -> int:
    """Fan a public post out to its watchers, repliers-to and mentioned members."""
    post = Post.objects.select_related("thread__category", "author__profile").get(pk=post.pk)
    if post.status != Status.APPROVED or post.is_hidden or post.thread.is_hidden:
        return 0
    wanted = post_recipients(post, mentioned_ids, replied_to_ids)
    return _deliver(wanted, post.thread.category, about_post(post), post.get_absolute_url(),
                    f"{POST_EVENT}{post.public_id}", fold=post.thread.public_id)


def notify_pending_post(post: Post) -> int:
    """A post waiting for approval is news for the category's moderators only."""
    post = Post.objects.select_related("thread__category", "author__profile").get(pk=post.pk)
    moderators = permissions.users_who_can_moderate(post.thread.category).exclude(pk=post.author_id)
    wanted = {pk: NotificationKind.POST for pk in moderators.values_list("pk", flat=True)}
    return _deliver(wanted, post.thread.category, {**about_post(post), "t": "pending"}, post.get_absolute_url(),
                    f"pending:{post.public_id}", check_view=False)


def notify_moderation(*, subject, scope: Model, args: dict, url: str, event_key: str) -> int:
    """Tell a member about a moderator's action on their text, with the reason.

    `args` names the sentence (`t`, a key of SENTENCES) and its arguments."""
    if subject is None:
        return 0
    return _deliver({subject.pk: NotificationKind.MODERATION}, scope, args, url, event_key)


def notify_room_message(*, room: Model, author_id: int, author_name: str | None, watcher_ids: Iterable[int],
                        mentioned_ids: Iterable[int], url: str, event_key: str) -> int:
    """New messages in a watched room: one unread `room` notification per room, counting up.

    The realtime app decides who watches and who is banned; this checks the grant.
    """
    mentioned = set(mentioned_ids) - {author_id}
    watchers = set(watcher_ids) - {author_id} - mentioned
    sent = _deliver({pk: NotificationKind.MENTION for pk in mentioned}, room,
                    {"name": author_name, "title": room.name}, url, event_key)
    if not watchers:
        return sent
    scope_type = ContentType.objects.get_for_model(room)
    allowed = set(permissions.users_who_can_view(room).filter(pk__in=watchers).values_list("pk", flat=True))
    open_ones = Notification.objects.filter(
        user_id__in=allowed, kind=NotificationKind.ROOM, scope_type=scope_type, scope_id=room.pk,
        read_at__isnull=True,
    )
    with transaction.atomic():
        already = set(open_ones.values_list("user_id", flat=True))
        open_ones.update(count=F("count") + 1, created_at=timezone.now())
        Notification.objects.bulk_create([
            Notification(user_id=pk, kind=NotificationKind.ROOM, scope_type=scope_type, scope_id=room.pk,
                         args={"t": "room", "title": room.name}, url=url, event_key=f"{event_key}:room")
            for pk in allowed - already
        ], ignore_conflicts=True)
        transaction.on_commit(lambda: _publish(open_ones))
    return sent + len(allowed)


def _deliver(wanted: dict[int, str], scope: Model, args: dict, url: str, event_key: str,
             *, check_view: bool = True, fold: str | None = None) -> int:
    """Store one notification per member of `wanted` (user id → kind), in bulk.

    `args` are the sentence's arguments; its key `t` defaults to the member's kind. With
    `fold` (a thread's public id), a member's unread notification of the same kind and
    thread counts one more event instead (FOLDED_KINDS).
    """
    if not wanted:
        return 0
    recipients = set(wanted)
    if check_view:
        recipients &= set(permissions.users_who_can_view(scope).filter(pk__in=recipients).values_list("pk", flat=True))
    event_key, scope_type = event_key[:64], ContentType.objects.get_for_model(scope)
    with transaction.atomic():
        # Told already (the fan-out ran twice): nothing is stored or counted twice.
        recipients -= set(Notification.objects.filter(user_id__in=recipients, event_key=event_key)
                          .values_list("user_id", flat=True))
        folded = _fold(wanted, recipients, args, event_key, fold) if fold else set()
        Notification.objects.bulk_create([
            Notification(user_id=pk, kind=wanted[pk], scope_type=scope_type, scope_id=scope.pk,
                         args={"t": wanted[pk], **args}, url=url, event_key=event_key,
                         group=f"{wanted[pk]}:{fold}" if fold and wanted[pk] in FOLDED_KINDS else "")
            for pk in recipients - folded
        ], ignore_conflicts=True)
        told = Notification.objects.filter(user_id__in=recipients, event_key=event_key)
        transaction.on_commit(lambda: _publish(told))
    return len(recipients)


def _fold(wanted: dict[int, str], recipients: set[int], args: dict, event_key: str, thread: str) -> set[int]:
    """Count the event in the members' unread notifications of this thread; who had one."""
    folded = set()
    for kind in FOLDED_KINDS:
        members = {pk for pk in recipients if wanted[pk] == kind}
        if not members:
            continue
        open_ones = Notification.objects.filter(user_id__in=members, group=f"{kind}:{thread}", read_at__isnull=True)
        folded |= set(open_ones.values_list("user_id", flat=True))
        # Several events name nobody ("3 new posts in …"): the name goes, so that a member
        # who leaves is found by their own posts' event keys alone.
        open_ones.update(count=F("count") + 1, created_at=timezone.now(), event_key=event_key,
                         args={"t": kind, "title": args.get("title"), "thread": thread})
    return folded


def _publish(notes) -> None:
    """Push each recipient's new notification and unread count to their sockets (after the
    commit that stored them)."""
    from forum.selectors.notifications import serialise

    newest = {note.user_id: note for note in notes.select_related("user__profile")}
    user_ids = set(newest)
    if not user_ids:
        return
    counts = dict(
        Notification.objects.filter(user_id__in=user_ids, read_at__isnull=True)
        .values("user_id").annotate(n=Count("id")).values_list("user_id", "n")
    )
    for pk, note in newest.items():
        group = broadcast.notifications_group(pk)
        # `text` is said in the reader's language (their profile's), whoever wrote.
        broadcast.publish_frame(group, {"type": "notification", "notification": serialise(note)})
        broadcast.publish_frame(group, {"type": "unread", "count": counts.get(pk, 0)})


def mark_read(*, user, notification: Notification | None = None) -> int:
    """Mark one of the member's notifications read, or all of them."""
    mine = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification is not None:
        mine = mine.filter(pk=notification.pk)
    return _mark_read(user, mine)


def mark_read_in_thread(*, user, thread: Thread, up_to_post_id: int) -> int:
    """They were shown the thread up to that post: their unread notifications of posts up to
    it are read, as if opened (a folded one by its newest post: "3 new posts" stays
    unread while the third is on a page not yet shown)."""
    unread = dict(
        Notification.objects.filter(user=user, read_at__isnull=True, args__thread=thread.public_id,
                                    event_key__startswith=POST_EVENT).values_list("event_key", "pk")
    )
    if not unread:
        return 0
    shown = Post.objects.filter(
        thread=thread, pk__lte=up_to_post_id, public_id__in=[key[len(POST_EVENT):] for key in unread],
    ).values_list("public_id", flat=True)
    read = [unread[POST_EVENT + public_id] for public_id in shown]
    return _mark_read(user, Notification.objects.filter(pk__in=read)) if read else 0


def _mark_read(user, notifications) -> int:
    changed = notifications.update(read_at=timezone.now())
    from forum.selectors.notifications import unread_count

    count = unread_count(user)
    pk = user.pk
    broadcast.publish_on_commit(broadcast.notifications_group(pk), {"type": "unread", "count": count})
    return changed
