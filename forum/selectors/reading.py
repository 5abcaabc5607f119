"""What is new for a member: unread counts for lists, and where a thread's new posts begin.

A post is new (unread) for a member when it is public (approved, not hidden), someone
else wrote it, it came after the member's baseline in its category (when they joined, or
when they last marked the category read), and its id is past their read position in its
thread (forum.models.ThreadRead; ids follow the order of writing). Every count is a
subquery of the page's own query, so a page's query count does not grow with its rows.
"""

from dataclasses import dataclass

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from forum.models import CategoryRead, Post, Status, Thread, ThreadRead


def _public(prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": Status.APPROVED, f"{prefix}is_hidden": False})


def _baseline(user, category):
    """Since when a category holds anything new for the member (`category`: its id, as an
    expression)."""
    marked = CategoryRead.objects.filter(user=user, category=category).values("read_at")[:1]
    return Greatest(Value(user.date_joined), Coalesce(Subquery(marked), Value(user.date_joined)))


def _read_position(user, thread):
    position = ThreadRead.objects.filter(user=user, thread=thread).values("post_id")[:1]
    return Coalesce(Subquery(position), Value(0), output_field=IntegerField())


def _new_posts(user, thread, position, since) -> QuerySet:
    return Post.objects.filter(_public(), thread=thread, id__gt=position, created_at__gt=since).exclude(author=user)


def _count(queryset: QuerySet, by: str):
    counted = queryset.order_by().values(by).annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_unread_posts(user, threads: QuerySet) -> QuerySet:
    """Threads, each with `unread`: how many of its posts are new to the member."""
    threads = threads.annotate(read_up_to=_read_position(user, OuterRef("pk")),
                               new_since=_baseline(user, OuterRef("category")))
    new = _new_posts(user, OuterRef("pk"), OuterRef("read_up_to"), OuterRef("new_since"))
    return threads.annotate(unread=_count(new, "thread"))


def with_unread_threads(user, categories: QuerySet) -> QuerySet:
    """Categories, each with `unread` (how many of its threads hold posts new to the member,
    by their last public post) and `latest` (when its latest public thread was last active)."""
    public = Thread.objects.filter(_public(), category=OuterRef("pk")).order_by()
    unread = (
        public.filter(last_activity_at__gt=_baseline(user, OuterRef(OuterRef("pk"))))
        .exclude(last_post__author=user)
        .annotate(read_up_to=_read_position(user, OuterRef("pk")))
        .filter(last_post__gt=F("read_up_to"))
    )
    latest = public.order_by("-last_activity_at").values("last_activity_at")[:1]
    return categories.annotate(unread=_count(unread, "category"), latest=Subquery(latest))


@dataclass(frozen=True)
class Reading:
    """A member's reading of one thread, as its page needs it."""

    position: int  # the id of the newest post they were shown
    first_new: int | None  # the id of the first post new to them
    page_of_first_new: int | None  # the page that holds it, as `posts` lists the thread


def reading_of(user, thread: Thread, posts: QuerySet, per_page: int) -> Reading:
    """In one query: the member's position, their first new post, and its page (`posts`:
    the thread as the reader's page lists it)."""
    state = Thread.objects.filter(pk=thread.pk).annotate(
        position=_read_position(user, OuterRef("pk")), since=_baseline(user, OuterRef("category")),
    )
    new = _new_posts(user, OuterRef("pk"), OuterRef("position"), OuterRef("since")).filter(
        pk__in=posts.values("pk")
    )
    state = state.annotate(first_new=Subquery(new.order_by("created_at", "id").values("id")[:1]))
    # Ids follow the order of writing, which is the order a thread lists its posts in.
    before = posts.filter(thread=OuterRef("pk"), id__lt=OuterRef("first_new"))
    position, first_new, before = state.annotate(before=_count(before, "thread")).values_list(
        "position", "first_new", "before"
    ).get()
    return Reading(position, first_new, None if first_new is None else before // per_page + 1)
