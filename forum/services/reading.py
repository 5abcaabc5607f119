"""Read positions: a member's own state, written as they read (forum.selectors.reading says
what counts as new). Nothing here is anyone else's business: no event is recorded."""

from django.utils import timezone

from forum import sql
from forum.models import Category, CategoryRead, Thread, ThreadRead
from forum.services import notifications


def note_thread_read(user, thread: Thread, post_id: int) -> None:
    """They were shown the thread up to post `post_id`: their position moves forward, never
    back (one statement, whatever the position was), and their notifications of the posts
    they were shown are read, as Discourse does (one query more, two when there are some)."""
    sql.upsert_forward(ThreadRead, {"user": user.pk, "thread": thread.pk}, "post_id", post_id)
    notifications.mark_read_in_thread(user=user, thread=thread, up_to_post_id=post_id)


def mark_category_read(user, category: Category) -> None:
    """"Mark all read": everything written in the category until now."""
    CategoryRead.objects.update_or_create(user=user, category=category, defaults={"read_at": timezone.now()})
