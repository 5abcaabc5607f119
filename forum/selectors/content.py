"""Reads of the forum, filtered by what the reader may see, in SQL."""

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.http import Http404

from forum import permissions
from forum.models import Category, ModerationEvent, Post, PostReport, ReportStatus, Status, Thread

AUTHOR = ("author__profile",)


def visible_categories(user) -> QuerySet:
    return permissions.objects_for(user, Category.objects.all())


def moderated_categories(user) -> QuerySet:
    return permissions.objects_for(user, Category.objects.all(), permissions.MODERATE)


def get_visible_category(user, slug: str) -> Category:
    return permissions.get_visible(user, Category.objects.all(), slug=slug)


def get_visible_category_with_verbs(user, slug: str) -> tuple[Category, frozenset[str]]:
    """A category the user may view, with their verbs on it (one grant lookup); else 404."""
    category = Category.objects.filter(slug=slug).first()
    verbs = permissions.perms_for(user, category) if category else frozenset()
    if permissions.VIEW not in verbs:
        raise Http404
    return category, verbs


def _thread_filter(user, is_moderator: bool, prefix: str = "") -> Q:
    """The threads a reader of their category may see; `prefix` reaches them from a post."""
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


def get_visible_thread(user, public_id: str) -> tuple[Thread, frozenset[str]]:
    """A thread the user may see, with their verbs on its category; else 404."""
    thread = Thread.objects.select_related("category", "author__profile").filter(public_id=public_id).first()
    verbs = permissions.perms_for(user, thread.category) if thread else frozenset()
    if permissions.VIEW not in verbs:
        raise Http404
    is_moderator = permissions.MODERATE in verbs
    if not Thread.objects.filter(pk=thread.pk).filter(_thread_filter(user, is_moderator)).exists():
        raise Http404
    return thread, verbs


def _post_filter(user, is_moderator: bool) -> Q:
    """The one rule for posts: what a reader of the category may read, quote, report, edit
    or act on by id, and whose id may appear in their pages.

    Moderators see everything but rejected posts; everyone else sees approved posts that
    are not hidden, and their own pending ones. A hidden post is hidden from its author
    too: it is the moderators' business now. Used with the thread's own rule (`_visible`).
    """
    if is_moderator:
        return ~Q(status=Status.REJECTED)
    return Q(is_hidden=False) & (Q(status=Status.APPROVED) | Q(status=Status.PENDING, author=user))


def _visible(user, is_moderator: bool) -> Q:
    """A post the rule lets the user see, in a thread the rule lets them see."""
    return _post_filter(user, is_moderator) & _thread_filter(user, is_moderator, prefix="thread__")


# A hidden post keeps its place in a thread ("hidden by a moderator"), as a placeholder
# that carries neither its text nor its id: the id would open every page that takes one.
_PLACEHOLDER = Q(status=Status.APPROVED, is_hidden=True)


def posts_in(user, thread: Thread, *, is_moderator: bool) -> QuerySet:
    """The thread's posts as its page lists them; `placeholder` marks those shown only as
    "hidden by a moderator", which the page must render without text or id."""
    shown = _post_filter(user, is_moderator)
    posts = (
        thread.posts.filter(shown | _PLACEHOLDER)
        .annotate(placeholder=Case(When(shown, then=Value(False)), default=Value(True),
                                   output_field=BooleanField()))
        .select_related(*AUTHOR)
    )
    if is_moderator:
        posts = posts.prefetch_related("revisions")
    return posts.order_by("created_at", "id")


def get_visible_post(user, public_id: str) -> Post:
    """A post the user may see (`_post_filter`); else 404, the same as for a missing id.

    Every page that takes a post's id finds it here, so none can show, quote, report,
    edit or act on a post the reader may not see.
    """
    post = Post.objects.select_related("thread__category", "author__profile").filter(public_id=public_id).first()
    if post is None or not can_see_post(user, post):
        raise Http404
    return post


def get_quotable_post(user, thread: Thread, public_id: str) -> Post:
    """A post the user may quote in a reply to this thread: visible, public and in it; else 404.

    Never a hidden one, even for a moderator: a quote would publish its text again.
    """
    post = get_visible_post(user, public_id)
    if post.thread_id != thread.pk or post.status != Status.APPROVED or post.is_hidden:
        raise Http404
    return post


def can_see_post(user, post: Post) -> bool:
    verbs = permissions.perms_for(user, post.thread.category)
    if permissions.VIEW not in verbs:
        return False
    return Post.objects.filter(pk=post.pk).filter(_visible(user, permissions.MODERATE in verbs)).exists()


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
        ModerationEvent.objects.filter(in_visible_places(user))
        .exclude(action__in=["grant", "revoke"])
        .select_related("actor__profile", "scope_type")
        .order_by("-created_at", "-id")
    )


def serialise_post(post: Post) -> dict:
    """The wire form P of DESIGN.md: what a thread page receives live."""
    return {
        "id": post.public_id,
        "thread": post.thread.public_id,
        "author": {"id": post.author.profile.public_id, "name": post.author.profile.display_name},
        "body_html": post.body_html,
        "created": post.created_at.isoformat().replace("+00:00", "Z"),
        "edited": post.edited_at.isoformat().replace("+00:00", "Z") if post.edited_at else None,
    }
