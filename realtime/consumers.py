"""`/ws/rooms/<slug>/`: one room over a WebSocket (DESIGN.md, Wire protocol).

An adapter, in four sections: socket events, client commands, the room's frames (from the
hub), and the handlers of the socket's own channel.
A client frame costs one trip to the database thread (`_run_command`): the socket's
standing (session, `view_room`, ban) is read afresh, then the command calls one service
or selector with the fresh user and room. The room's broadcasts reach the socket through
its process's `RoomHub` (realtime.hub), as text the publisher encoded once; the socket's
own channel carries only what concerns it alone (a ban, a logout, a re-check order).
"""

import asyncio
import itertools
import logging
import random
from datetime import timedelta
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import timezone

from realtime import broadcast, hub, protocol, selectors, services
from realtime import standing as standing_log
from realtime.backpressure import OutputMeter
from realtime.errors import Forbidden, RateLimited, RoomError, RoomGone
from realtime.selectors import NO_ROOM, SESSION_ENDED, TOO_SLOW, Standing

logger = logging.getLogger(__name__)

_BIGGEST_COUNTER = 2**63 - 1
# These frames' services read the member's grants themselves (and raise RoomGone without
# view_room): reading them for the socket's re-check too would double the permission
# queries of the busiest frame, `send`.
_GRANTS_READ_BY_THE_SERVICE = frozenset({"send", "edit"})
# Room frames kept for a socket while it re-checks; past this the client catches up by `rev`.
_HELD_MAX = 1000
# A check that failed (the database did not answer) is tried again after this long, doubled
# each time up to the last; the socket's frames stay held meanwhile.
_RETRY_DELAYS = (0.5, 1, 2, 5)
# Frames whose answers can be large: one at a time while the client has not read the last.
_CATCH_UP_COMMANDS = frozenset({"history", "sync"})


class RoomConsumer(AsyncWebsocketConsumer):
    closing = False
    opened = False
    in_hub = False
    watched = False
    recheck_task: asyncio.Task | None = None
    meter: OutputMeter | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._holds = 0
        self._held: list[str] = []
        self._handling: set[asyncio.Task] = set()

    async def __call__(self, scope, receive, send):
        # However the socket ends (a disconnect, an error, a cancellation), stop its
        # periodic re-check and take it off the room's presence.
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self._forget()

    async def dispatch(self, message):
        # Channels' own dispatch awaits aclose_old_connections() — a thread hop — before
        # every event, so before every delivery of a broadcast. Our database calls all go
        # through database_sync_to_async, which closes stale connections itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    # --- Socket events -----------------------------------------------------------------

    async def connect(self):
        self.slug = self.scope["url_route"]["kwargs"]["slug"]
        self.session_key = self.scope.get("session_key")
        self.user_pk = None
        if self.session_key:  # without one, no trip to the database thread
            self.user_pk = await database_sync_to_async(selectors.socket_user_pk)(self.session_key)
        if self.user_pk is None:
            return await self._refuse(SESSION_ENDED)
        # Watched before the first check: a change committed after it reaches the socket.
        self.watched = True
        await standing_log.watch(self, standing_log.socket_keys(user_pk=self.user_pk, room=self.slug))
        standing = await database_sync_to_async(self._standing)()
        if standing.close_code:
            return await self._refuse(standing.close_code)
        # Join every group first, then read what the client lacks: a change committed in
        # between reaches the client twice (it drops the duplicate), never not at all.
        # The room's frames wait until `hello` and the catch-up have gone out.
        self.groups = [
            broadcast.user_group(self.user_pk), broadcast.session_group(self.session_key),
            broadcast.room_member_group(self.slug, self.user_pk),
        ]
        self._hold()
        for group in self.groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.in_hub = True
        await hub.join(self.channel_layer, self.slug, self)
        standing, frames = await database_sync_to_async(self._open)(self._after())
        if standing.close_code:
            return await self._refuse(standing.close_code)
        self.meter = OutputMeter(self.base_send)
        await self.accept()
        for frame in frames:
            await self._send_frame(frame)
        await self._release()
        self.recheck_task = asyncio.create_task(self._recheck_periodically())

    async def disconnect(self, code):
        await self._forget()

    async def _forget(self) -> None:
        self.closing = True
        self._held.clear()
        if self.recheck_task is not None:
            self.recheck_task.cancel()
        for task in self._handling:
            task.cancel()
        if self.watched:
            self.watched = False
            standing_log.unwatch(self)
        if self.meter is not None:
            self.meter.close()
        if self.in_hub:
            self.in_hub = False
            await hub.leave(self.channel_layer, self.slug, self)
        if self.opened:
            self.opened = False
            try:
                await database_sync_to_async(services.socket_closed)(
                    room_slug=self.slug, user=self.user, channel_name=self.channel_name
                )
            except Exception:  # its row goes stale on its own (selectors.stale_before)
                logger.warning("could not forget a closed room socket", exc_info=True)

    async def receive(self, text_data=None, bytes_data=None):
        if self.closing:
            return
        ref = None
        try:
            frame = protocol.parse(text_data, bytes_data)
            ref = protocol.ref_of(frame)
            if frame["type"] in _CATCH_UP_COMMANDS and self.meter is not None and self.meter.backed_up:
                # Its answer would only wait behind the last one, in our memory.
                raise RateLimited(1, "Read what was sent before asking for more.")
            standing, replies = await database_sync_to_async(self._run_command)(frame)
        except RoomError as error:
            await self._send_frame(protocol.error(error, ref))
            return
        if standing.close_code:
            await self._close(standing.close_code)
            return
        for reply in replies:
            await self._send_frame(reply)

    def _standing(self, grants: bool = True) -> Standing:
        return selectors.socket_standing(
            session_key=self.session_key, user_pk=self.user_pk, room_slug=self.slug, grants=grants
        )

    def _open(self, after: int | None) -> tuple[Standing, list[dict]]:
        """In the database thread: re-check (now that we are in the groups), then catch up."""
        standing = self._standing()
        if standing.close_code:
            return standing, []
        room, user = standing.room, standing.user
        hello = protocol.hello(room, user.profile, can_post=standing.can_post, can_moderate=standing.can_moderate)
        if after is None:
            catch_up = protocol.history(*selectors.messages_before(room, before=None, limit=protocol.HISTORY_ON_CONNECT))
        else:
            messages, has_more, rev = selectors.changes_since(room, after=after, limit=protocol.SYNC_MAX)
            catch_up = protocol.sync(messages, has_more, rev)
        presence, announced = services.socket_opened(room=room, user=user, channel_name=self.channel_name)
        self.user, self.opened = user, True
        # When the room was told, this socket hears it through the room's group.
        return standing, [hello, catch_up] + ([] if announced else [presence])

    def _after(self) -> int | None:
        """`?after=<rev>`: catch up from that revision instead of the latest history."""
        values = parse_qs(self.scope.get("query_string", b"").decode("latin-1")).get("after")
        if values and values[-1].isdigit() and int(values[-1]) <= _BIGGEST_COUNTER:
            return int(values[-1])
        return None

    async def _recheck(self, hold: bool = True) -> None:
        """Read the socket's standing afresh; close it if it lost the room.

        With `hold`, no frame of the room reaches the socket until the check is done:
        after a revocation, not one more frame.
        """
        if hold:
            self._hold()
        try:
            standing = await database_sync_to_async(self._standing)()
            if standing.close_code:
                await self._close(standing.close_code)
        finally:
            if hold:
                await self._release()

    def recheck_soon(self) -> None:
        """Told that its standing may have changed (realtime.standing): hold the room's
        frames from now until a fresh check has passed, retrying while it fails."""
        if self.closing:
            return
        self._hold()
        task = asyncio.create_task(self._recheck_until_done())
        self._handling.add(task)
        task.add_done_callback(self._handling.discard)

    async def _recheck_until_done(self) -> None:
        try:
            for attempt in itertools.count():
                if self.closing:
                    return
                try:
                    await self._recheck(hold=False)
                    return
                except Exception:  # the database did not answer: keep holding, try again
                    logger.warning("a room socket's re-check failed; trying again", exc_info=True)
                    await asyncio.sleep(_RETRY_DELAYS[min(attempt, len(_RETRY_DELAYS) - 1)])
        finally:
            await self._release()

    async def _recheck_periodically(self) -> None:
        """Orders to close travel at most once: re-check anyway, every interval.

        The first check comes at a random point of the first interval, so that sockets
        opened together (a server restart) do not all re-check in the same second.
        """
        interval = getattr(settings, "MAJLIS_SOCKET_RECHECK_SECONDS", 30)
        delay = interval * random.uniform(0.5, 1.0)
        while not self.closing:
            await asyncio.sleep(delay)
            delay = interval
            try:
                # Orders to re-check hold the room's frames; this safety net need not.
                await self._recheck(hold=False)
                await database_sync_to_async(services.socket_seen)(channel_name=self.channel_name)
            except Exception:  # a database hiccup: try again next time, keep the socket
                logger.warning("periodic socket re-check failed", exc_info=True)

    async def _send_frame(self, frame: dict) -> None:
        await self._send_text(broadcast.encode(frame))

    async def _send_text(self, text: str) -> None:
        """Hand a frame to daphne; close a socket whose client has left too much unread
        (4408: it reconnects and catches up by `rev`)."""
        counted = self.meter is not None and self.meter.backed_up
        await self.base_send({"type": "websocket.send", "text": text})
        if counted and self.meter.passed_bound(text):
            await self._close(TOO_SLOW)

    async def _refuse(self, code: int) -> None:
        """Accept, then close at once with a code the client can read (DESIGN.md)."""
        self.closing = True
        await self.accept()
        await self.close(code=code)

    async def _close(self, code: int) -> None:
        if not self.closing:
            self.closing = True
            await self.close(code=code)

    # --- Client commands: run in the database thread by _run_command ------------------

    def _run_command(self, frame: dict) -> tuple[Standing, list[dict]]:
        kind = frame["type"]
        standing = self._standing(grants=kind not in _GRANTS_READ_BY_THE_SERVICE)
        if standing.close_code:
            return standing, []
        if kind in protocol.MODERATOR_COMMANDS and not standing.can_moderate:
            raise Forbidden("Only the room's moderators can do this.")  # before reading any field
        try:
            return standing, getattr(self, f"command_{kind}")(standing, frame)
        except RoomGone:  # the service found the member without view_room
            return Standing(close_code=NO_ROOM), []

    def command_send(self, standing: Standing, frame: dict) -> list[dict]:
        message, created = services.post_message(
            author=standing.user, room=standing.room,
            body=protocol.text(frame, "body"), client_id=protocol.text(frame, "client_id"),
        )
        # A new message reaches the sender with everyone else; a repeat is answered here.
        return [] if created else [protocol.message_event("message", message)]

    def command_history(self, standing: Standing, frame: dict) -> list[dict]:
        before = protocol.optional_integer(frame, "before", 0, _BIGGEST_COUNTER)
        limit = protocol.integer(frame, "limit", 1, protocol.HISTORY_MAX, default=protocol.HISTORY_ON_CONNECT)
        return [protocol.history(*selectors.messages_before(standing.room, before=before, limit=limit))]

    def command_sync(self, standing: Standing, frame: dict) -> list[dict]:
        after = protocol.integer(frame, "after", 0, _BIGGEST_COUNTER)
        return [protocol.sync(*selectors.changes_since(standing.room, after=after, limit=protocol.SYNC_MAX))]

    def command_edit(self, standing: Standing, frame: dict) -> list[dict]:
        services.edit_message(
            by=standing.user, room=standing.room,
            message_id=protocol.text(frame, "id"), body=protocol.text(frame, "body"),
        )
        return []

    def command_delete(self, standing: Standing, frame: dict) -> list[dict]:
        services.delete_message(by=standing.user, room=standing.room, message_id=protocol.text(frame, "id"))
        return []

    def command_typing(self, standing: Standing, frame: dict) -> list[dict]:
        if not standing.can_post:
            raise Forbidden("You cannot write in this room.")
        services.typing(room=standing.room, user=standing.user)
        return []

    def command_ping(self, standing: Standing, frame: dict) -> list[dict]:
        return [protocol.pong(standing.room.rev)]

    def command_report(self, standing: Standing, frame: dict) -> list[dict]:
        message_id = protocol.text(frame, "id")
        services.report_message(
            by=standing.user, room=standing.room, message_id=message_id, reason=protocol.text(frame, "reason"),
        )
        return [protocol.reported(message_id)]

    def command_mute(self, standing: Standing, frame: dict) -> list[dict]:
        member = selectors.member_by_public_id(protocol.text(frame, "user"))
        minutes = protocol.integer(frame, "minutes", 1, protocol.MUTE_MINUTES_MAX)
        services.mute_member(
            by=standing.user, room=standing.room, member=member,
            until=timezone.now() + timedelta(minutes=minutes), reason=protocol.text(frame, "reason", ""),
        )
        return []

    def command_unmute(self, standing: Standing, frame: dict) -> list[dict]:
        member = selectors.member_by_public_id(protocol.text(frame, "user"))
        services.unmute_member(by=standing.user, room=standing.room, member=member)
        return []

    def command_ban(self, standing: Standing, frame: dict) -> list[dict]:
        member = selectors.member_by_public_id(protocol.text(frame, "user"))
        services.ban_member(
            by=standing.user, room=standing.room, member=member, reason=protocol.text(frame, "reason", ""),
        )
        return []

    def command_unban(self, standing: Standing, frame: dict) -> list[dict]:
        member = selectors.member_by_public_id(protocol.text(frame, "user"))
        services.unban_member(by=standing.user, room=standing.room, member=member)
        return []

    def command_slow_mode(self, standing: Standing, frame: dict) -> list[dict]:
        seconds = protocol.integer(frame, "seconds", 0, protocol.SLOW_MODE_MAX)
        services.set_slow_mode(by=standing.user, room=standing.room, seconds=seconds)
        return []

    def command_read_only(self, standing: Standing, frame: dict) -> list[dict]:
        services.set_read_only(by=standing.user, room=standing.room, on=protocol.boolean(frame, "on"))
        return []

    # --- The room's frames, from the process's RoomHub: no database ---------------------

    async def deliver(self, text: str) -> None:
        """A frame of the room, encoded once by its publisher."""
        if self.closing:
            return
        if self._holds:
            if len(self._held) < _HELD_MAX:
                self._held.append(text)
            return
        try:
            await self._send_text(text)
        except Exception:  # the client left between two frames (daphne raises); its disconnect follows
            self.closing = True

    def room_event(self, event: dict) -> None:
        """Any other event of the room's group (grants changed), handled by this socket.

        The room's frames are held from now until it is handled, as they would wait in
        the socket's own channel behind it.
        """
        self._hold()
        task = asyncio.create_task(self._handle_room_event(event))
        self._handling.add(task)
        task.add_done_callback(self._handling.discard)

    async def _handle_room_event(self, event: dict) -> None:
        try:
            await self.dispatch(event)
        except Exception:
            logger.exception("a room socket could not handle an event of its room")
            await self._close(NO_ROOM)
        finally:
            await self._release()

    def _hold(self) -> None:
        self._holds += 1

    async def _release(self) -> None:
        self._holds -= 1
        if self._holds or not self._held:
            return
        held, self._held = self._held, []
        for text in held:
            await self.deliver(text)

    # --- Channel-layer handlers of the socket's own channel ----------------------------

    async def socket_close(self, event):
        """A ban (4403) or the end of this session (4401)."""
        await self._close(event["code"])

    async def standing_changed(self, event):
        """A grant on the room, a ban, the member's account or session changed: re-check
        now, not in 30 seconds. No frame of the room reaches the socket until the check
        is done (`_recheck` holds them)."""
        await self._recheck()

    async def session_rekeyed(self, event):
        """The member changed their password here: this session lives on under a new key."""
        old, new = self.session_key, event["key"]
        self.session_key = new
        self.groups = [broadcast.session_group(new) if g == broadcast.session_group(old) else g for g in self.groups]
        await self.channel_layer.group_add(broadcast.session_group(new), self.channel_name)
        await self.channel_layer.group_discard(broadcast.session_group(old), self.channel_name)
