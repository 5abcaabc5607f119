"""Two read-only sockets: a member's notifications, and one thread's new posts.

`/ws/notifications/` pushes `notification` and `unread` frames; `/ws/threads/<id>/`
pushes `post` and `post.hidden`. Same rules as the room socket (DESIGN.md): a same-origin
handshake (config/asgi.py), 4401 without a live session, 4404 for a thread that is
missing or not visible, and a fresh check of the session and the grant on every client
frame, on every order to re-check (the channel layer's, and the standing log's, which
reaches every process within a second: realtime/standing.py) and at least every 30
seconds. While a re-check is pending, no frame is forwarded: after a thread is hidden or
moved away, not one more post reaches a member who lost it.
"""

import asyncio
import itertools
import logging
import random

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.http import Http404

from forum.selectors.content import get_visible_thread
from forum.selectors.notifications import unread_count
from realtime import broadcast, protocol
from realtime import standing as standing_log
from realtime.errors import BadRequest, RoomError
from realtime.selectors import NO_ROOM, SESSION_ENDED, session_user, socket_user_pk

logger = logging.getLogger(__name__)

# A check the database could not answer is tried again after these delays (the last repeats).
_RETRY_DELAYS = (0.5, 1, 2, 5)


class _LiveSocket(AsyncWebsocketConsumer):
    """What both sockets share: authentication, groups, re-checks and forwarding."""

    groups_joined: list[str]
    closed = False

    # --- socket events -------------------------------------------------------------

    async def connect(self):
        self.groups_joined, self.recheck_task, self.pending_check = [], None, None
        self.watched = False
        self.session_key = self.scope.get("session_key")
        self.user_pk = None
        if self.session_key:  # without one, no trip to the database thread
            self.user_pk = await database_sync_to_async(socket_user_pk)(self.session_key)
        if self.user_pk is not None:
            # Watched before the first check: a change committed after it reaches us.
            self.watched = True
            await standing_log.watch(self, self.standing_keys())
        code = await self.check()
        if code is not None:
            self.closed = True
            await self.accept()  # refusals are read by the client as close codes
            return await self.close(code=code)
        # Groups first, then the handshake: nothing published after it is missed.
        for group in self.groups_to_join():
            await self.join(group)
        await self.accept()
        await self.start()
        self.recheck_task = asyncio.create_task(self.recheck_periodically())

    async def disconnect(self, code):
        self.closed = True
        for task in (self.recheck_task, self.pending_check):
            if task is not None:
                task.cancel()
        if self.watched:
            self.watched = False
            standing_log.unwatch(self)
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        if await self.closed_after_check():
            return
        try:
            frame = protocol.parse_object(text_data, bytes_data)
            if frame.get("type") != "ping":
                raise BadRequest("This socket only answers ping.")
        except RoomError as error:
            return await self.send_frame(protocol.error(error, None))
        await self.send_frame({"type": "pong"})

    async def join(self, group: str) -> None:
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined.append(group)

    async def leave(self, group: str) -> None:
        await self.channel_layer.group_discard(group, self.channel_name)
        if group in self.groups_joined:
            self.groups_joined.remove(group)

    async def send_frame(self, frame: dict) -> None:
        await self.send(text_data=broadcast.encode(frame))

    async def close_with(self, code: int) -> None:
        if not self.closed:
            self.closed = True
            await self.close(code=code)

    # --- checks ----------------------------------------------------------------------

    async def check(self) -> int | None:
        """None when the socket may stay open, else the code to close it with."""
        if self.user_pk is None:
            return SESSION_ENDED
        user = await database_sync_to_async(session_user)(self.session_key, self.user_pk)
        if user is None:
            return SESSION_ENDED
        return await self.check_access(user)

    async def check_access(self, user) -> int | None:
        return None

    async def closed_after_check(self) -> bool:
        if self.closed:
            return True
        code = await self.check()
        if code is not None:
            await self.close_with(code)
            return True
        return False

    async def check_until_done(self) -> None:
        """Re-check; while the database cannot answer, keep trying (frames wait meanwhile)."""
        for attempt in itertools.count():
            try:
                await self.closed_after_check()
                return
            except Exception:
                logger.warning("a live socket's re-check failed; trying again", exc_info=True)
                await asyncio.sleep(_RETRY_DELAYS[min(attempt, len(_RETRY_DELAYS) - 1)])

    def recheck_soon(self) -> None:
        """Told by the standing log that this socket's standing may have changed."""
        if not self.closed and (self.pending_check is None or self.pending_check.done()):
            self.pending_check = asyncio.create_task(self.check_until_done())

    async def recheck_periodically(self) -> None:
        """Orders travel at most once: re-check anyway, at a jittered interval, and never
        stop because one check failed."""
        interval = getattr(settings, "MAJLIS_SOCKET_RECHECK_SECONDS", 30)
        delay = interval * random.uniform(0.5, 1.0)
        while not self.closed:
            await asyncio.sleep(delay)
            delay = interval
            try:
                await self.closed_after_check()
            except Exception:  # a database hiccup: the next interval tries again
                logger.warning("periodic live socket re-check failed", exc_info=True)

    def groups_to_join(self) -> list[str]:
        return [broadcast.user_group(self.user_pk), broadcast.session_group(self.session_key)]

    def standing_keys(self) -> tuple:
        return standing_log.socket_keys(user_pk=self.user_pk)

    async def start(self):
        """Send what the client should know at once."""

    # --- channel-layer handlers: no database, the publisher encoded the frame ----------

    async def forward(self, text: str) -> None:
        pending = self.pending_check
        if pending is not None and not pending.done():
            await asyncio.shield(pending)  # a re-check was ordered: it decides first
        if not self.closed:
            await self.send(text_data=text)

    async def frame_forward(self, event):
        await self.forward(event["text"])

    async def frame_others(self, event):
        if event.get("user") != self.user_pk:
            await self.forward(event["text"])

    async def socket_close(self, event):
        await self.close_with(event["code"])

    async def standing_changed(self, event):
        await self.check_until_done()

    async def session_rekeyed(self, event):
        """The member changed their password here: this session lives on under a new key."""
        old, self.session_key = self.session_key, event["key"]
        await self.join(broadcast.session_group(self.session_key))
        await self.leave(broadcast.session_group(old))


class NotificationConsumer(_LiveSocket):
    def groups_to_join(self) -> list[str]:
        return [*super().groups_to_join(), broadcast.notifications_group(self.user_pk)]

    async def start(self):
        count = await database_sync_to_async(_unread_of)(self.user_pk)
        await self.send_frame({"type": "unread", "count": count})


class ThreadConsumer(_LiveSocket):
    category_pk = None

    async def check_access(self, user) -> int | None:
        thread = await database_sync_to_async(_visible_thread)(user, self.scope["url_route"]["kwargs"]["public_id"])
        if thread is None:
            return NO_ROOM  # 4404: no such thread, or not for this member
        self.thread_public_id = thread.public_id
        if thread.category_id != self.category_pk:  # first check, or moved where it is still visible
            old, self.category_pk = self.category_pk, thread.category_id
            standing_log.rewatch(self, self.standing_keys())  # no await: no change slips by
            if old is not None:
                await self.leave(broadcast.category_group(old))
                await self.join(broadcast.category_group(self.category_pk))
        return None

    def standing_keys(self) -> tuple:
        return standing_log.socket_keys(
            user_pk=self.user_pk, thread=self.scope["url_route"]["kwargs"]["public_id"], category_pk=self.category_pk,
        )

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
