"""Who may see an attachment: exactly who may see its post or its message.

No rule of its own: a file on a post asks forum.checks.check_view_post (the category's
view grant, hidden, pending and rejected posts, moderators), a file on a room message
asks realtime.checks.check_view_message (the room's view grant, bans, deleted messages,
retention). A file waiting to be sent is its uploader's alone. Whoever may not see it is
told NotFound, the answer for an id that does not exist: a refusal with a reason (a
room's ban says "you are banned") would tell a banned member that the file exists.
"""

from django.core.exceptions import PermissionDenied

from forum import checks as forum_checks
from forum.errors import NotFound
from realtime import checks as room_checks


def check_view_attachment(user, attachment) -> None:
    try:
        _check_sees_home(user, attachment)
    except PermissionDenied:
        raise NotFound


def _check_sees_home(user, attachment) -> None:
    if attachment.post_id is not None:
        forum_checks.check_view_post(user, attachment.post)
    elif attachment.message_id is not None:
        room_checks.check_view_message(user, attachment.message)
    elif not (user is not None and user.is_authenticated and user.is_active and attachment.uploader_id == user.pk):
        raise NotFound
