"""Reads of the forum, filtered by what the reader may see, in SQL."""

from django.db.models import Q, QuerySet

from forum import checks, permissions
from forum.errors import NotFound
from forum.former import person_of
from forum.models import Category, ModerationEvent, Post, PostReport, ReportStatus, Status, Thread

AUTHOR = ("author__profile",)


def visible_categories(user) -> QuerySet:
    return permissions.objects_for(user, Category.objects.all())


def moderated_categories(user) -> QuerySet:
    return permissions.objects_for(user, Category.objects.all(), permissions.MODERATE)


def get_visible_category(user, slug: str) -> Category:
    """A category the user may view; else NotFound, the same as for a missing slug."""
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        raise NotFound
    checks.check_view_category(user, category)
    return category


def _thread_filter(user, is_moderator: bool, prefix: str = "") -> Q:
    """The threads a reader of their category may see, as SQL: the rule of
    `checks._check_sees_thread` for lists; `prefix` reaches them from a post."""
    def q(**fields) -> Q:
        return Q(**{prefix + name: value for name, value in fields.items()})

    if is_moderator:
        return ~q(status=Status.REJECTED)
    return q(is_hidden=False) & (q(status=Status.APPROVED) | q(status=Status.PENDING, author=user))


def threads_in(user, category: Category, *, is_moderator: bool) -> QuerySet:
    """Pinned first, then by last activity; with authors and last posters in the same query."""
    return (
        category.threads.filter(_thread_filter(user, is_moderator))
        .select_related("author__profile", "last_post__author__profile")
        .order_by("-is_pinned", "-last_activity_at", "-id")
    )


def get_visible_thread(user, public_id: str) -> Thread:
    """A thread the user may see (`checks.check_view_thread`); else NotFound, as for a missing id."""
    thread = Thread.objects.select_related("category", "author__profile").filter(public_id=public_id).first()
    if thread is None:
        raise NotFound
    with permissions.grants_cached():  # one grant read, even where no request opened the cache
        checks.check_view_thread(user, thread)
    return thread


def _post_filter(user, is_moderator: bool) -> Q:
    """The posts a reader of the category may see, as SQL: the rule of
    `checks._check_sees_post` for lists (moderators see all but rejected posts; members
    the public ones and their own waiting ones; a hidden post is the moderators' business,
    its author's no more)."""
    if is_moderator:
        return ~Q(status=Status.REJECTED)
    return Q(is_hidden=False) & (Q(status=Status.APPROVED) | Q(status=Status.PENDING, author=user))


# A hidden post keeps its place in a thread ("hidden by a moderator"), as a placeholder
# that carries neither its text nor its id: the id would open every page that takes one.
_PLACEHOLDER = Q(status=Status.APPROVED, is_hidden=True)


def posts_in(user, thread: Thread, *, is_moderator: bool) -> QuerySet:
    """The thread's posts as its page lists them: those the reader sees, and the places of
    hidden ones, which the page shows without text or id (it asks `checks.check_view_post`)."""
    posts = (thread.posts.filter(_post_filter(user, is_moderator) | _PLACEHOLDER)
             .select_related(*AUTHOR).prefetch_related("attachments"))
    if is_moderator:
        posts = posts.prefetch_related("revisions")
    return posts.order_by("created_at", "id")


def page_of_post(user, post: Post, *, is_moderator: bool, per_page: int) -> int:
    """The page of its thread (as `posts_in` lists it to this reader) that holds the post."""
    before = posts_in(user, post.thread, is_moderator=is_moderator).filter(
        Q(created_at__lt=post.created_at) | Q(created_at=post.created_at, id__lt=post.id)
    ).count()
    return before // per_page + 1


def _post(public_id: str) -> Post | None:
    return Post.objects.select_related("thread__category", "author__profile").filter(public_id=public_id).first()


def get_visible_post(user, public_id: str) -> Post:
    """A post the user may see (`checks.check_view_post`); else NotFound, as for a missing id.

    Every page that takes a post's id finds it here, so none can show, quote, report,
    edit or act on a post the reader may not see.
    """
    post = _post(public_id)
    if post is None:
        raise NotFound
    checks.check_view_post(user, post)
    return post


def get_quotable_post(user, thread: Thread, public_id: str) -> Post:
    """A post of this thread the user may quote in a reply (`checks.check_quote`); else
    NotFound, or Forbidden with the reason when they see it but may not reply."""
    post = _post(public_id)
    if post is None or post.thread_id != thread.pk:
        raise NotFound
    checks.check_quote(user, post)
    return post


def open_post_reports(user) -> QuerySet:
    """Open reports on posts in exactly the categories the user moderates (reporter not loaded)."""
    return (
        PostReport.objects.filter(
            status=ReportStatus.OPEN, post__thread__category__in=moderated_categories(user)
        )
        .select_related("post__thread__category", "post__author__profile")
        .order_by("created_at")
    )


def pending_posts(user) -> QuerySet:
    return (
        Post.objects.filter(status=Status.PENDING, thread__category__in=moderated_categories(user))
        .select_related("thread__category", "author__profile")
        .order_by("created_at")
    )


def visible_events(user) -> QuerySet:
    """The transparency log: events in places the user can view, never anything else."""
    from forum.selectors.notifications import in_visible_places

    return (
        # Coalition-wide bans concern every place: every member sees them.
        ModerationEvent.objects.filter(in_visible_places(user) | Q(action__in=["site_ban", "site_unban"]))
        .exclude(action__in=["grant", "revoke"])
        .select_related("actor__profile", "scope_type")
        .order_by("-created_at", "-id")
    )


def serialise_post(post: Post) -> dict:
    """The wire form P of DESIGN.md: what a thread page receives live."""
    return {
        "id": post.public_id,
        "thread": post.thread.public_id,
        "author": person_of(post.author),  # a former member: id null
        "body_html": post.body_html,
        "created": post.created_at.isoformat().replace("+00:00", "Z"),
        "edited": post.edited_at.isoformat().replace("+00:00", "Z") if post.edited_at else None,
    }
