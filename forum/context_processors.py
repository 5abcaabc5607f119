from forum.selectors.notifications import unread_count


def unread_notifications(request):
    """The header's unread count: one query, lazily, only where a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": lambda: unread_count(user)}
