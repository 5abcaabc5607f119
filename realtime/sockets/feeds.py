"""Two read-only sockets on the one lifecycle (base.py): a member's notifications, and one
thread's new posts.

`/ws/notifications/` pushes `notification` and `unread` frames; `/ws/threads/<id>/`
pushes `post` and `post.hidden`. Their clients send only `ping`. A thread socket answers
4404 for a thread that is missing or not visible, and closes with 4404 when the thread
is hidden or moved where the member cannot look (forum.services.moderation announces
both to the standing log and the thread's group).
"""

from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.http import Http404

from forum.selectors.content import get_visible_thread
from forum.selectors.notifications import unread_count
from realtime import broadcast
from forum.errors import BadRequest
from realtime.selectors import session_user
from realtime.sockets import standing
from realtime.sockets.base import LiveSocket


class FeedSocket(LiveSocket):
    """A socket whose client only listens (and pings)."""

    async def check(self) -> int | None:
        user = await database_sync_to_async(session_user)(self.session_key, self.user_pk)
        if user is None:
            return broadcast.SESSION_ENDED
        return await self.check_access(user)

    async def check_access(self, user) -> int | None:
        return None

    async def command(self, frame: dict) -> tuple[int | None, list[dict]]:
        code = await self.check()
        if code is not None:
            return code, []
        if frame.get("type") != "ping":
            raise BadRequest("This socket only answers ping.")
        return None, [{"type": "pong"}]


class NotificationSocket(FeedSocket):
    def groups_to_join(self) -> list[str]:
        return [*super().groups_to_join(), broadcast.notifications_group(self.user_pk)]

    async def open(self) -> tuple[int | None, list[dict]]:
        count = await database_sync_to_async(_unread_of)(self.user_pk)
        return None, [{"type": "unread", "count": count}]


class ThreadSocket(FeedSocket):
    category_pk = None

    @property
    def thread_public_id(self) -> str:
        return self.scope["url_route"]["kwargs"]["public_id"]

    async def check_access(self, user) -> int | None:
        thread = await database_sync_to_async(_visible_thread)(user, self.thread_public_id)
        if thread is None:
            return broadcast.NOT_FOUND  # no such thread, or not for this member
        if thread.category_id != self.category_pk:  # the first check, or moved where it is still visible
            old, self.category_pk = self.category_pk, thread.category_id
            standing.rewatch(self, self.standing_keys())  # no await before: no change slips by
            if old is not None:
                await self.leave(broadcast.category_group(old))
                await self.join(broadcast.category_group(self.category_pk))
        return None

    def standing_keys(self) -> tuple:
        return standing.socket_keys(user_pk=self.user_pk, thread=self.thread_public_id, category_pk=self.category_pk)

    def groups_to_join(self) -> list[str]:
        return [*super().groups_to_join(), broadcast.thread_group(self.thread_public_id),
                broadcast.category_group(self.category_pk)]


def _unread_of(user_pk: int) -> int:
    return unread_count(get_user_model()(pk=user_pk))


def _visible_thread(user, public_id: str):
    try:
        thread = get_visible_thread(user, public_id)
    except Http404:
        return None
    return thread
