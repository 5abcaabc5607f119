from django.utils.functional import SimpleLazyObject

from forum.selectors.notifications import unread_count


def unread_notifications(request):
    """The header's unread count: one query, on first use, however often a page reads it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
