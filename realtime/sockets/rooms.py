"""`/ws/rooms/<slug>/`: one room over a WebSocket, on the one lifecycle (base.py).

What a room socket adds: its standing is the room's (session, `view_room`, ban: one
fresh read, `selectors.socket_standing`); on opening it says `hello` (with who is
online) and sends the latest history, or every change after `?after=<rev>`; its client
frames are commands (room_commands.py), one trip to the database thread each. The room's
broadcasts reach it through its process's `RoomHub` (hub.py) as text the publisher
encoded once; the socket's own channel carries only what concerns it alone (a ban, a
logout, an order to re-check). Presence is noted, not broadcast, at open and close
(presence.py), so a connect costs the same however many members are online.
"""

import asyncio
import logging
from dataclasses import dataclass
from urllib.parse import parse_qs

from channels.db import database_sync_to_async

from realtime import broadcast, protocol, selectors, services
from forum.errors import RateLimited
from realtime.selectors import Standing
from realtime.sockets import catch_up, hub, presence
from realtime.sockets import standing as standing_log
from realtime.sockets.base import LiveSocket
from realtime.sockets.room_commands import BIGGEST_COUNTER, RoomCommands

logger = logging.getLogger(__name__)

# Frames whose answers can be large: one at a time while the client has not read the last.
_CATCH_UP_COMMANDS = frozenset({"history", "sync"})


@dataclass
class Opened:
    """What `_open` found: a close code, or all a new room socket needs to say hello."""

    close_code: int | None = None
    cursor: int = 0
    room: object = None
    user: object = None
    can_post: bool = False
    can_moderate: bool = False
    came: bool = False
    online: list[tuple[str, str]] | None = None
    catch_up: str = ""


class RoomSocket(RoomCommands, LiveSocket):
    check_before_joining = False  # `_open` checks, in the same trip to the database thread
    in_hub = False
    opened = False  # its presence row was written
    user = room = None

    @property
    def slug(self) -> str:
        return self.scope["url_route"]["kwargs"]["slug"]

    # --- The lifecycle's questions ------------------------------------------------------

    def standing(self, grants: bool = True) -> Standing:
        return selectors.socket_standing(
            session_key=self.session_key, user_pk=self.user_pk, room_slug=self.slug, grants=grants
        )

    async def check(self) -> int | None:
        return (await database_sync_to_async(self.standing)()).close_code

    def standing_keys(self) -> tuple:
        return standing_log.socket_keys(user_pk=self.user_pk, room=self.slug)

    def groups_to_join(self) -> list[str]:
        return [*super().groups_to_join(), broadcast.room_member_group(self.slug, self.user_pk)]

    async def open(self) -> tuple[int | None, list[dict | str]]:
        self.in_hub = True
        await hub.join(self.channel_layer, self.slug, self)  # the room's frames, held until we are done
        presence.socket_opened(self.slug, self.channel_name)
        self.counted = True
        view = presence.online_view(self.slug)
        read_online, online = view.claim_read(), None
        try:
            opened = await database_sync_to_async(self._open)(self._after(), read_online)
            online = opened.online
        finally:
            if read_online:
                view.read(online)
        if opened.close_code is not None:
            return opened.close_code, []
        await self.settle_in(opened.user.pk, since=opened.cursor)
        if opened.came:
            presence.came(self.slug, protocol.person(self.user.profile))
        hello = protocol.hello_text(
            opened.room, self.user.profile, can_post=opened.can_post, can_moderate=opened.can_moderate,
            online_text=view.listed_text(), online_count=view.count(),
        )
        return None, [hello, opened.catch_up]

    def _open(self, after: int | None, read_online: bool) -> "Opened":
        """In the database thread, in one trip: whose session it is, its standing (now that
        the socket is in its room's hub), its presence row, and what the client lacks. The
        standing log's latest id is read first, so that a change made meanwhile is seen."""
        if self.too_late():  # it waited its turn in this thread past daphne's patience
            return Opened(close_code=broadcast.TRY_AGAIN)
        cursor, session = selectors.socket_opening(self.session_key)
        if session is None or session.user_pk is None:
            return Opened(close_code=broadcast.SESSION_ENDED)
        checked = selectors.socket_standing(
            session_key=self.session_key, user_pk=session.user_pk, room_slug=self.slug, session=session,
        )
        if checked.close_code:
            return Opened(close_code=checked.close_code)
        room, user = checked.room, checked.user
        came = services.socket_opened(room=room, user=user, channel_name=self.channel_name)
        self.user, self.room, self.opened = user, room, True
        return Opened(
            cursor=cursor, room=room, user=user, can_post=checked.can_post, can_moderate=checked.can_moderate,
            came=came, online=selectors.online_rows(room) if read_online else None,
            catch_up=catch_up.opening_frame(room, after),
        )

    def _after(self) -> int | None:
        """`?after=<rev>`: catch up from that revision instead of the latest history."""
        values = parse_qs(self.scope.get("query_string", b"").decode("latin-1")).get("after")
        if values and values[-1].isdigit() and int(values[-1]) <= BIGGEST_COUNTER:
            return int(values[-1])
        return None

    def parse(self, text_data, bytes_data) -> dict:
        frame = protocol.parse(text_data, bytes_data)
        if frame["type"] in _CATCH_UP_COMMANDS and self.meter is not None and self.meter.backed_up:
            # Its answer would only wait behind the last one, in our memory.
            raise RateLimited(1, "Read what was sent before asking for more.")
        return frame

    async def command(self, frame: dict) -> tuple[int | None, list[dict]]:
        checked, replies = await database_sync_to_async(self.run_command)(frame)
        return checked.close_code, replies

    async def closed(self) -> None:
        if self.in_hub:
            self.in_hub = False
            await hub.leave(self.channel_layer, self.slug, self)
        if getattr(self, "counted", False):
            self.counted = False
            presence.socket_closed(self.slug, self.channel_name)
        if self.opened:
            self.opened = False
            try:
                went = await database_sync_to_async(services.socket_closed)(
                    room=self.room, user=self.user, channel_name=self.channel_name
                )
            except Exception:  # its row goes stale, and the sweeper forgets it
                logger.warning("could not forget a closed room socket", exc_info=True)
                return
            if went:
                presence.went(self.slug, self.user.profile.public_id)

    # --- The room's frames, from the process's RoomHub: no database ---------------------

    async def deliver(self, text: str) -> None:
        """A frame of the room, encoded once by its publisher (held while re-checking)."""
        await self.forward(text)

    def room_event(self, event: dict) -> None:
        """Any other event of the room's group (an order to re-check), handled by this
        socket; the room's frames are held from now until it is handled, as they would
        wait in the socket's own channel behind it."""
        self.hold()
        task = asyncio.create_task(self._handle_room_event(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle_room_event(self, event: dict) -> None:
        try:
            await self.dispatch(event)
        except Exception:
            logger.exception("a room socket could not handle an event of its room")
            await self.close_with(broadcast.NOT_FOUND)
        finally:
            await self.release()
