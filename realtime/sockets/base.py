"""The one lifecycle of every live socket (DESIGN.md, Wire protocol and Revocation).

A socket authenticates by its session key (realtime/auth.py), is watched by the standing
log before its first check (so no later change slips by), joins its groups before it
reads what the client lacks (so nothing falls between the two), and holds what it would
forward while it re-checks (so after a revocation not one more frame goes out). It
re-checks on every client frame, on every order to (the channel layer's fast path and
the standing log's), and at least every MAJLIS_SOCKET_RECHECK_SECONDS, with jitter; a
check the database could not answer is tried again, never abandoned. Refusals accept and
close at once with a code the client reads (realtime.broadcast's close codes); errors
in a client frame answer an `error` frame and never close the socket.

A kind of socket says what it checks, which groups it joins, what it sends on opening
and what its client frames do; see rooms.py and feeds.py.
"""

import asyncio
import itertools
import logging
import random
import time

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from channels.utils import await_many_dispatch
from django.conf import settings

from realtime import broadcast, protocol
from forum.errors import DomainError
from realtime.selectors import socket_user_pk
from realtime.sockets import collector, standing
from realtime.sockets.backpressure import OutputMeter

logger = logging.getLogger(__name__)

# A check the database could not answer is tried again after these delays (the last repeats).
RETRY_DELAYS = (0.5, 1, 2, 5)
# Frames kept for a socket while it re-checks; past this the client catches up by `rev`.
HELD_MAX = 1000


class LiveSocket(AsyncWebsocketConsumer):
    closing = False
    # A kind whose `open` checks in the same trip to the database thread (rooms) calls
    # `settle_in` itself, once that trip has said whose socket it is.
    check_before_joining = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.began = time.monotonic()
        self.session_key, self.user_pk = None, None
        self.groups_joined: list[str] = []
        self.watched = False
        self.meter: OutputMeter | None = None
        self.recheck_task: asyncio.Task | None = None
        self._holds = 0
        self._held: list[str] = []
        self._tasks: set[asyncio.Task] = set()
        self._forgotten = False

    async def __call__(self, scope, receive, send):
        """Channels' consumer loop, but the socket's own channel is read by `_channel_receive`,
        which outlives an outage of the channel layer (a Redis restart) instead of ending the
        socket with 1011; and however the socket ends, it lets go of what it holds."""
        self.scope, self.base_send = scope, send
        self.began = time.monotonic()  # the client's handshake arrived
        collector.tune_for_sockets()
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.channel_name = await self.channel_layer.new_channel()
        try:
            await await_many_dispatch([receive, self._channel_receive], self.dispatch)
        except StopConsumer:
            pass
        finally:
            await self.forget()

    async def _channel_receive(self) -> dict:
        """The next event of the socket's own channel. While the layer cannot answer, wait
        and try again: the database holds every change and the client catches up by `rev`
        (its next `pong` tells it the room's). A Redis that restarted without its data has
        forgotten the socket's groups: join them again first."""
        for attempt in itertools.count():
            try:
                if attempt:
                    for group in self.groups_joined:
                        await self.channel_layer.group_add(group, self.channel_name)
                return await self.channel_layer.receive(self.channel_name)
            except asyncio.CancelledError:
                raise
            except Exception:
                if not attempt:
                    logger.warning("the channel layer is away; the socket waits for it", exc_info=True)
                await asyncio.sleep(RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)])

    async def dispatch(self, message):
        # Channels' own dispatch awaits aclose_old_connections() — a thread hop — before
        # every event, so before every frame forwarded. Our database calls all go through
        # database_sync_to_async, which closes stale connections itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    def too_late(self) -> bool:
        """Whether daphne has given up on this handshake already (a reconnect storm queued
        it too long): then no work is spent on it, and the work left goes to live ones."""
        return time.monotonic() - self.began > settings.MAJLIS_SOCKET_OPEN_BUDGET

    # --- What each kind of socket says --------------------------------------------------

    def standing_keys(self) -> tuple:
        """Which changes in the standing log concern this socket."""
        return standing.socket_keys(user_pk=self.user_pk)

    async def check(self) -> int | None:
        """A fresh check of the socket's standing: None, or the code to close it with."""
        raise NotImplementedError

    def groups_to_join(self) -> list[str]:
        return [broadcast.user_group(self.user_pk), broadcast.session_group(self.session_key)]

    async def open(self) -> tuple[int | None, list[dict | str]]:
        """Once in its groups: a last check, and the frames the client gets at once."""
        return await self.check(), []

    async def command(self, frame: dict) -> tuple[int | None, list[dict]]:
        """A client frame (parsed by `parse`): the code to close with, or the answers."""
        raise NotImplementedError

    def parse(self, text_data: str | None, bytes_data: bytes | None) -> dict:
        return protocol.parse_object(text_data, bytes_data)

    async def closed(self) -> None:
        """The socket has ended: let go of what its kind holds."""

    # --- Socket events ----------------------------------------------------------------

    async def connect(self):
        self.session_key = self.scope.get("session_key")
        if not self.session_key:  # no trip to the database thread
            return await self.refuse(broadcast.SESSION_ENDED)
        self.hold()  # what is published to the socket's groups waits behind its opening frames
        if self.check_before_joining:
            user_pk = await database_sync_to_async(socket_user_pk)(self.session_key)
            if user_pk is None:
                return await self.refuse(broadcast.SESSION_ENDED)
            # Watched before the first check: a change committed after it reaches the socket.
            await self.settle_in(user_pk)
            code = await self.check()
            if code is not None:
                return await self.refuse(code)
        code, frames = await self.open()
        if code is not None:
            return await self.refuse(code)
        self.meter = OutputMeter(self.base_send)
        await self.accept()
        for frame in frames:  # a frame, or one encoded already
            await (self.send_text(frame) if isinstance(frame, str) else self.send_frame(frame))
        await self.release()
        self.recheck_task = asyncio.create_task(self.recheck_periodically())

    async def settle_in(self, user_pk: int, since: int | None = None) -> None:
        """Whose socket it is, now known: watch the standing log for it (`since`: the log's
        latest id read before a check already made), then join its groups — before
        reading what the client lacks, so that nothing falls between the two."""
        self.user_pk = user_pk
        self.watched = True
        await standing.watch(self, self.standing_keys(), since=since)
        for group in self.groups_to_join():
            await self.join(group)

    async def disconnect(self, code):
        await self.forget()

    async def forget(self) -> None:
        if self._forgotten:  # a disconnect, then the end of __call__
            return
        self._forgotten = self.closing = True
        self._held.clear()
        for task in (self.recheck_task, *self._tasks):
            if task is not None:
                task.cancel()
        self.recheck_task = None
        if self.watched:
            self.watched = False
            standing.unwatch(self)
        if self.meter is not None:
            self.meter.close()
        groups, self.groups_joined = self.groups_joined, []
        for group in groups:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:  # memberships expire on their own
                logger.warning("could not leave a group", exc_info=True)
        await self.closed()

    async def receive(self, text_data=None, bytes_data=None):
        if self.closing:
            return
        ref = None
        try:
            frame = self.parse(text_data, bytes_data)
            ref = protocol.ref_of(frame)
            code, replies = await self.command(frame)
        except DomainError as error:
            return await self.send_frame(protocol.error(error, ref))
        if code is not None:
            return await self.close_with(code)
        for reply in replies:
            await self.send_frame(reply)

    async def join(self, group: str) -> None:
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined.append(group)

    async def leave(self, group: str) -> None:
        await self.channel_layer.group_discard(group, self.channel_name)
        if group in self.groups_joined:
            self.groups_joined.remove(group)

    async def refuse(self, code: int) -> None:
        """Accept, then close at once with a code the client can read (DESIGN.md)."""
        self.closing = True
        await self.accept()
        await self.close(code=code)

    async def close_with(self, code: int) -> None:
        if not self.closing:
            self.closing = True
            await self.close(code=code)

    # --- Sending: held while re-checking, bounded for a client that does not read -----

    async def send_frame(self, frame: dict) -> None:
        await self.send_text(broadcast.encode(frame))

    async def send_text(self, text: str) -> None:
        """Hand a frame to daphne; close a socket whose client has left too much unread
        (4408: it reconnects and catches up by `rev`)."""
        counted = self.meter is not None and self.meter.backed_up
        await self.base_send({"type": "websocket.send", "text": text})
        if counted and self.meter.passed_bound(text):
            await self.close_with(broadcast.TOO_SLOW)

    async def forward(self, text: str) -> None:
        """A frame published to one of the socket's groups, encoded once by its publisher."""
        if self.closing:
            return
        if self._holds:
            if len(self._held) < HELD_MAX:
                self._held.append(text)
            return
        try:
            await self.send_text(text)
        except Exception:  # the client left between two frames (daphne raises); its disconnect follows
            self.closing = True

    def hold(self) -> None:
        self._holds += 1

    async def release(self) -> None:
        self._holds -= 1
        if self._holds or not self._held:
            return
        held, self._held = self._held, []
        for text in held:
            await self.forward(text)

    # --- Re-checks ----------------------------------------------------------------------

    async def recheck(self) -> None:
        """Check afresh, holding what the socket would forward until the answer; close if
        the socket lost its standing. Raises when the database cannot answer."""
        self.hold()
        try:
            code = await self.check()
            if code is not None:
                await self.close_with(code)
        finally:
            await self.release()

    async def recheck_until_done(self) -> None:
        """`recheck`, tried again while the database cannot answer (holding meanwhile)."""
        self.hold()
        try:
            for attempt in itertools.count():
                if self.closing:
                    return
                try:
                    return await self.recheck()
                except Exception:
                    logger.warning("a socket's re-check failed; trying again", exc_info=True)
                    await asyncio.sleep(RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)])
        finally:
            await self.release()

    def recheck_soon(self) -> None:
        """Told that its standing may have changed (the standing log, a room's order):
        hold from now, and re-check in a task of its own."""
        if self.closing:
            return
        self.hold()
        task = asyncio.create_task(self._recheck_then_release())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _recheck_then_release(self) -> None:
        try:
            await self.recheck_until_done()
        finally:
            await self.release()

    async def recheck_periodically(self) -> None:
        """Orders travel at most once: re-check anyway, every interval. The first check
        comes at a random point of the first interval, so that sockets opened together
        (a server restart) do not all re-check in the same second."""
        interval = settings.MAJLIS_SOCKET_RECHECK_SECONDS
        delay = interval * random.uniform(0.5, 1.0)
        while not self.closing:
            await asyncio.sleep(delay)
            delay = interval
            try:
                # The safety net need not hold: orders to re-check do.
                code = await self.check()
                if code is not None:
                    await self.close_with(code)
            except Exception:  # a database hiccup: the next interval tries again
                logger.warning("a socket's periodic re-check failed", exc_info=True)

    # --- Channel-layer handlers of the socket's own channel ---------------------------

    async def frame_forward(self, event):
        await self.forward(event["text"])

    async def frame_others(self, event):
        if event.get("user") != self.user_pk:
            await self.forward(event["text"])

    async def socket_close(self, event):
        """A ban (4403) or the end of this session (4401)."""
        await self.close_with(event["code"])

    async def standing_changed(self, event):
        """A grant, a ban, the member's account or session changed: re-check now. Nothing
        is forwarded until the check is done."""
        await self.recheck_until_done()

    async def session_rekeyed(self, event):
        """The member changed their password here: this session lives on under a new key."""
        old, self.session_key = self.session_key, event["key"]
        await self.join(broadcast.session_group(self.session_key))
        await self.leave(broadcast.session_group(old))
