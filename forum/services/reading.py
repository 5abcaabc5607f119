"""Read positions: a member's own state, written as they read (forum.selectors.reading says
what counts as new). Nothing here is anyone else's business: no event is recorded."""

from django.utils import timezone

from forum import sql
from forum.models import Category, CategoryRead, Thread, ThreadRead


def note_thread_read(user, thread: Thread, post_id: int) -> None:
    """They were shown the thread up to post `post_id`: their position moves forward, never
    back. One statement, whatever the position was (a page's query count stays the same)."""
    sql.upsert_forward(ThreadRead, {"user": user.pk, "thread": thread.pk}, "post_id", post_id)


def mark_category_read(user, category: Category) -> None:
    """"Mark all read": everything written in the category until now."""
    CategoryRead.objects.update_or_create(user=user, category=category, defaults={"read_at": timezone.now()})
