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
