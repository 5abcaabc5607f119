"""Reads of attachments, through the one rule of attachments/checks.py."""

from attachments.checks import check_view_attachment
from attachments.models import Attachment
from forum import permissions
from forum.errors import NotFound

_RELATIONS = ("post__thread__category", "message__room")


def get_visible_attachment(user, public_id: str) -> Attachment:
    """The attachment, if the user may see its post or message; else NotFound, the same
    answer as for an id that does not exist."""
    attachment = Attachment.objects.select_related(*_RELATIONS).filter(public_id=public_id).first()
    if attachment is None:
        raise NotFound
    with permissions.grants_cached():
        check_view_attachment(user, attachment)
    return attachment


# At most this many files described in one answer (a history page of room messages).
DESCRIBE_MAX = 100


def visible_attachments(user, *, public_ids=(), post_id: str = "") -> list[Attachment]:
    """The files among `public_ids` (or of the post `post_id`) that the user may see, each
    by the one rule; the others are left out, as if they did not exist."""
    if not (user is not None and user.is_authenticated):
        return []
    found = Attachment.objects.select_related(*_RELATIONS)
    if post_id:
        found = found.filter(post__public_id=post_id)
    else:
        found = found.filter(public_id__in=list(public_ids)[:DESCRIBE_MAX])
    with permissions.grants_cached():
        return [attachment for attachment in found[:DESCRIBE_MAX]
                if permissions.can(check_view_attachment, user, attachment)]
