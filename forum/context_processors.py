from django.conf import settings
from django.utils.functional import SimpleLazyObject

from forum import permissions
from forum.selectors.notifications import unread_count


def unread_notifications(request):
    """The header's unread count: one query, on first use, however often a page reads it;
    and whether to show the Moderation link (only to members who moderate something)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user)),
        "moderates": SimpleLazyObject(lambda: permissions.moderates_anything(user)),
    }


def quick_exit(request):
    """Where the quick exit on every page lands (settings.MAJLIS_QUICK_EXIT_URL)."""
    return {"quick_exit_url": settings.MAJLIS_QUICK_EXIT_URL}
