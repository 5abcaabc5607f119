"""Writes of the forum: categories, threads, replies and edits.

Each write a member asks for first asks its rule in forum.checks, the same the page asked
before it offered the control; new threads and replies are paced (forum.pace). The `do_*`
functions write without asking: for the command line and seeding, which vouch for themselves.
"""

import hashlib
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from attachments import services as attachments
from attachments.evidence import places as evidence_places
from forum import checks, erasure, pace, permissions
from forum.errors import NotFound
from forum.models import Category, Post, PostRevision, Status, Thread
from forum.models.content import BODY_MAX, TITLE_MAX
from forum.mentions import render_with_mentions
from forum.services import notifications
from forum.services.following import watch_what_i_write
from search import index as search_index

# Without a form token, the same text from the same author within this window is one post.
RESUBMIT_WINDOW = timedelta(seconds=60)


def clean_title(title: str) -> str:
    """The stored title, or a ValidationError keyed `title` (a form shows it on that field)."""
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": ValidationError(_("Please give the thread a title."), code="empty")})
    if len(title) > TITLE_MAX:
        raise ValidationError({"title": ValidationError(
            _("A title can have at most %(max)d characters.") % {"max": TITLE_MAX}, code="too_long"
        )})
    return title


def clean_body(body: str) -> str:
    """The stored text, or a ValidationError keyed `body`."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": ValidationError(_("Please write something."), code="empty")})
    if len(body) > BODY_MAX:
        raise ValidationError({"body": ValidationError(
            _("A post can have at most %(max)d characters.") % {"max": BODY_MAX}, code="too_long"
        )})
    return body


def create_category(
    *, by, slug: str, name: str, description: str = "", requires_approval: bool = False, keep_evidence: bool = False,
) -> Category:
    """A coalition admin opens a category; nobody sees it until a grant says so."""
    checks.check_manage_categories(by)
    return do_create_category(slug=slug, name=name, description=description, requires_approval=requires_approval,
                              keep_evidence=keep_evidence)


def do_create_category(*, slug: str, name: str, description: str = "", requires_approval: bool = False,
                       keep_evidence: bool = False) -> Category:
    """`create_category` without asking who: the command line and seeding."""
    evidence_places.check_key_for(keep_evidence)
    return Category.objects.create(
        slug=slug, name=name, description=description, requires_approval=requires_approval,
        keep_evidence=keep_evidence,
    )


def _submission_key(author, target: str, title: str, body: str, token: str | None) -> str:
    if token:
        return token[:64]
    # A bucketed content hash stands in for a missing token (API clients, retries).
    bucket = int(timezone.now().timestamp() // RESUBMIT_WINDOW.total_seconds())
    raw = f"{author.pk}:{target}:{title}:{body}:{bucket}"
    return "h:" + hashlib.sha256(raw.encode()).hexdigest()[:60]


def _existing_submission(author, key: str) -> Post | None:
    return Post.objects.select_related("thread").filter(author=author, submit_token=key).first()


def _status_for(author, category: Category) -> str:
    if category.requires_approval and not permissions.can(checks.check_moderate, author, category):
        return Status.PENDING
    return Status.APPROVED


def start_thread(
    *, author, category: Category, title: str, body: str, submit_token: str | None = None,
    files: list[UploadedFile] = (), keep=None,
) -> Thread:
    """Open a thread with its first post and its files; pending in a pre-moderated category.
    Files are checked and cleaned before anything is stored (attachments/services.py);
    `keep`: their originals are kept as evidence too (attachments/evidence/keeping.py)."""
    checks.check_start_thread(author, category)
    title, body = clean_title(title), clean_body(body)
    key = _submission_key(author, f"c:{category.pk}", title, body, submit_token)
    if (existing := _existing_submission(author, key)) is not None:
        return existing.thread  # the same form again: not a new thread, so never refused
    pace.check_pace_of(pace.THREAD, Thread.objects.filter(author=author))
    status = _status_for(author, category)
    html, mentioned = render_with_mentions(body)
    with attachments.staged_files(files, by=author, keep=keep) as staged:
        return _store_thread(author, category, title, body, html, mentioned, status, key, staged)


def _store_thread(author, category, title, body, html, mentioned, status, key, staged) -> Thread:
    try:
        with transaction.atomic():
            now = timezone.now()
            thread = Thread.objects.create(
                category=category, title=title, author=author, status=status,
                created_at=now, last_activity_at=now,
            )
            post = Post.objects.create(
                thread=thread, author=author, body_source=body, body_html=html, status=status,
                is_opening=True, submit_token=key, created_at=now,
            )
            attachments.store(staged, by=author, post=post)
            Thread.objects.filter(pk=thread.pk).update(last_post=post)
            thread.last_post = post
            search_index.put_post(post, new=True, title=title)
            watch_what_i_write(user=author, thread=thread)
            _announce(post, mentioned)
    except IntegrityError:
        # The same form, sent twice at once: the other request stored it.
        if (existing := _existing_submission(author, key)) is not None:
            return existing.thread
        raise
    return thread


def reply(
    *, author, thread: Thread, body: str, submit_token: str | None = None, reply_to: Post | None = None,
    files: list[UploadedFile] = (), keep=None,
) -> Post:
    """Add a post with its files to a thread; pending in a pre-moderated category.

    `reply_to` is the post being quoted: its author is told of the reply.
    """
    if reply_to is None:
        checks.check_reply(author, thread)
    elif reply_to.thread_id != thread.pk:
        raise NotFound
    else:
        checks.check_quote(author, reply_to)  # the quoted post first: one out of sight is not found
    body = clean_body(body)
    key = _submission_key(author, f"t:{thread.pk}", "", body, submit_token)
    if (existing := _existing_submission(author, key)) is not None:
        return existing  # the same form again: not a new reply, so never refused
    pace.check_pace_of(pace.REPLY, Post.objects.filter(author=author, is_opening=False))
    status = _status_for(author, thread.category)
    html, mentioned = render_with_mentions(body)
    with attachments.staged_files(files, by=author, keep=keep) as staged:
        return _store_reply(author, thread, body, html, mentioned, status, key, reply_to, staged)


def _store_reply(author, thread, body, html, mentioned, status, key, reply_to, staged) -> Post:
    try:
        with transaction.atomic():
            post = Post.objects.create(
                thread=thread, author=author, body_source=body, body_html=html, status=status,
                submit_token=key, reply_to=reply_to,
            )
            attachments.store(staged, by=author, post=post)
            search_index.put_post(post, new=True)
            if status == Status.APPROVED:
                _count_reply(thread, post)
            watch_what_i_write(user=author, thread=thread)
            _announce(post, mentioned, replied_to_ids(post))
    except IntegrityError:
        if (existing := _existing_submission(author, key)) is not None:
            return existing
        raise
    return post


def replied_to_ids(post: Post) -> set[int]:
    """Who a reply answers: the thread's author, and the author of the post it quotes."""
    ids = {post.thread.author_id}
    if post.reply_to_id:
        ids.add(Post.objects.filter(pk=post.reply_to_id).values_list("author_id", flat=True).first())
    return ids - {None}


def _announce(post: Post, mentioned, replied_to=frozenset()) -> None:
    """After commit: a public post goes to its watchers, a pending one to the moderators."""
    mentioned_ids = [profile.user_id for profile in mentioned]
    if post.status == Status.PENDING:
        transaction.on_commit(lambda: notifications.notify_pending_post(post))
    else:
        transaction.on_commit(lambda: notifications.notify_post(
            post, mentioned_ids=mentioned_ids, replied_to_ids=replied_to))
        transaction.on_commit(lambda: broadcast_post(post))


def broadcast_post(post: Post) -> None:
    """A thread page shows a new public post live."""
    from forum.selectors.content import serialise_post
    from realtime import broadcast

    post = Post.objects.select_related("thread", "author__profile").get(pk=post.pk)
    broadcast.publish_frame(broadcast.thread_group(post.thread.public_id),
                            {"type": "post", "post": serialise_post(post)})


def _count_reply(thread: Thread, post: Post) -> None:
    """A reply now public: the thread's counters and last poster follow, in plain sight."""
    Thread.objects.filter(pk=thread.pk).update(
        reply_count=F("reply_count") + 1, last_post=post, last_activity_at=post.created_at
    )


def edit_post(*, post: Post, by, body: str, add_files: list[UploadedFile] = (),
              remove: list[str] = (), keep=None) -> Post:
    """The author rewrites their post, adds files or takes some off (`remove`: their public
    ids); the previous text is kept for moderators, removed files are deleted (an original
    kept as evidence stays in its locker)."""
    checks.check_edit(by, post)
    body = clean_body(body)
    removed = post.attachments.filter(public_id__in=list(remove))
    kept = post.attachments.count() - removed.count()
    if body == post.body_source and not add_files and not removed.exists():
        return post
    with attachments.staged_files(add_files, by=by, already=kept, keep=keep) as staged, transaction.atomic():
        attachments.delete_attachments(removed)
        attachments.store(staged, by=by, post=post)
        if body != post.body_source:
            PostRevision.objects.create(post=post, body_source=post.body_source, body_html=post.body_html)
            html, _mentioned = render_with_mentions(body)
            post.body_source, post.body_html = body, html
            search_index.put_post(post)
            erasure.scrub_after_commit()  # the old text is kept in PostRevision only, for moderators
        post.edited_at = timezone.now()
        post.save(update_fields=["body_source", "body_html", "edited_at"])
    return post


def update_category(*, category: Category, by, name: str, description: str, requires_approval: bool,
                    keep_evidence: bool | None = None) -> Category:
    """Rename or re-describe a category, or switch its pre-moderation or whether it keeps
    evidence (None: unchanged; recorded when it changes) (coalition admins)."""
    checks.check_manage_categories(by)
    with transaction.atomic():
        if keep_evidence is not None:
            evidence_places.set_keep_evidence(by=by, place=category, on=keep_evidence)
        return do_update_category(category=category, name=name, description=description,
                                  requires_approval=requires_approval)


def do_update_category(*, category: Category, name: str, description: str, requires_approval: bool) -> Category:
    """`update_category` without asking who: the command line and seeding."""
    category.name, category.description, category.requires_approval = name, description, requires_approval
    category.save(update_fields=["name", "description", "requires_approval"])
    return category
