"""Two read-only sockets: a member's notifications, and one thread's new posts.

`/ws/notifications/` pushes `notification` and `unread` frames; `/ws/threads/<id>/`
pushes `post` and `post.hidden`. Same rules as the room socket (DESIGN.md): a same-origin
handshake (config/asgi.py), 4401 without a live session, 4404 for a thread that is
missing or not visible, and a fresh check of the session and the grant on every client
frame, on every revocation order and at least every 30 seconds.
"""

import asyncio
import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.http import Http404

from forum.selectors.content import get_visible_thread
from forum.selectors.notifications import unread_count
from realtime import broadcast
from realtime.selectors import session_user, socket_user_pk

SESSION_ENDED, NOT_FOUND = 4401, 4404


class _LiveSocket(AsyncWebsocketConsumer):
    """What both sockets share: authentication, groups, re-checks and forwarding."""

    groups_joined: list[str]

    # --- socket events -------------------------------------------------------------

    async def connect(self):
        self.groups_joined, self.recheck_task = [], None
        self.session_key = self.scope.get("session_key")
        self.user_pk = None
        if self.session_key:  # without one, no trip to the database thread
            self.user_pk = await database_sync_to_async(socket_user_pk)(self.session_key)
        code = await self.check()
        if code is not None:
            await self.accept()  # refusals are read by the client as close codes
            return await self.close(code=code)
        # Groups first, then the handshake: nothing published after it is missed.
        for group in self.groups_to_join():
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.append(group)
        await self.accept()
        await self.start()
        self.recheck_task = asyncio.create_task(self.recheck_every(self.recheck_seconds()))

    async def disconnect(self, code):
        if self.recheck_task is not None:
            self.recheck_task.cancel()
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        if await self.closed_after_check():
            return
        try:
            frame = json.loads(text_data or "")
        except ValueError:
            frame = None
        if isinstance(frame, dict) and frame.get("type") == "ping":
            return await self.send(text_data=broadcast.encode({"type": "pong"}))
        await self.send(text_data=broadcast.encode({
            "type": "error", "code": "bad_request", "detail": "This socket only answers ping.", "ref": None,
        }))

    # --- checks ----------------------------------------------------------------------

    async def check(self) -> int | None:
        if self.user_pk is None:
            return SESSION_ENDED
        user = await database_sync_to_async(session_user)(self.session_key, self.user_pk)
        if user is None:
            return SESSION_ENDED
        return await self.check_access(user)

    async def check_access(self, user) -> int | None:
        return None

    async def closed_after_check(self) -> bool:
        code = await self.check()
        if code is not None:
            await self.close(code=code)
            return True
        return False

    async def recheck_every(self, seconds: float):
        while True:
            await asyncio.sleep(seconds)
            if await self.closed_after_check():
                return

    @staticmethod
    def recheck_seconds() -> float:
        return getattr(settings, "MAJLIS_SOCKET_RECHECK_SECONDS", 30)

    def groups_to_join(self) -> list[str]:
        return [broadcast.user_group(self.user_pk), broadcast.session_group(self.session_key)]

    async def start(self):
        """Send what the client should know at once."""

    # --- channel-layer handlers: no database, the publisher encoded the frame ----------

    async def frame_forward(self, event):
        await self.send(text_data=event["text"])

    async def frame_others(self, event):
        if event.get("user") != self.user_pk:
            await self.send(text_data=event["text"])

    async def socket_close(self, event):
        await self.close(code=event["code"])

    async def sessions_recheck(self, event):
        await self.closed_after_check()

    async def grants_changed(self, event):
        await self.closed_after_check()


class NotificationConsumer(_LiveSocket):
    def groups_to_join(self) -> list[str]:
        return [*super().groups_to_join(), broadcast.notifications_group(self.user_pk)]

    async def start(self):
        count = await database_sync_to_async(_unread_of)(self.user_pk)
        await self.send(text_data=broadcast.encode({"type": "unread", "count": count}))


class ThreadConsumer(_LiveSocket):
    async def check_access(self, user) -> int | None:
        thread = await database_sync_to_async(_visible_thread)(user, self.scope["url_route"]["kwargs"]["public_id"])
        if thread is None:
            return NOT_FOUND
        self.thread_public_id, self.category_pk = thread.public_id, thread.category_id
        return None

    def groups_to_join(self) -> list[str]:
        return [*super().groups_to_join(), broadcast.thread_group(self.thread_public_id),
                broadcast.category_group(self.category_pk)]


def _unread_of(user_pk: int) -> int:
    from django.contrib.auth import get_user_model

    return unread_count(get_user_model()(pk=user_pk))


def _visible_thread(user, public_id: str):
    try:
        thread, _verbs = get_visible_thread(user, public_id)
    except Http404:
        return None
    return thread
