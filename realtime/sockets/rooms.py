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
from urllib.parse import parse_qs

from channels.db import database_sync_to_async

from realtime import broadcast, protocol, selectors, services
from forum.errors import RateLimited
from realtime.selectors import Standing
from realtime.sockets import hub, presence
from realtime.sockets import standing as standing_log
from realtime.sockets.base import LiveSocket
from realtime.sockets.room_commands import BIGGEST_COUNTER, RoomCommands

logger = logging.getLogger(__name__)

# Frames whose answers can be large: one at a time while the client has not read the last.
_CATCH_UP_COMMANDS = frozenset({"history", "sync"})


class RoomSocket(RoomCommands, LiveSocket):
    in_hub = False
    opened = False  # its presence row was written
    user = None

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

    async def open(self) -> tuple[int | None, list[dict]]:
        self.in_hub = True
        await hub.join(self.channel_layer, self.slug, self)  # the room's frames, held until we are done
        presence.socket_opened()
        self.counted = True
        checked, frames, came = await database_sync_to_async(self._open)(self._after())
        if came:
            presence.came(self.slug, protocol.person(self.user.profile))
        return checked.close_code, frames

    def _open(self, after: int | None) -> tuple[Standing, list[dict], bool]:
        """In the database thread: re-check (now that we are in the groups), then catch up."""
        checked = self.standing()
        if checked.close_code:
            return checked, [], False
        room, user = checked.room, checked.user
        came = services.socket_opened(room=room, user=user, channel_name=self.channel_name)
        self.user, self.opened = user, True
        online, online_count = selectors.online_people(room)
        hello = protocol.hello(
            room, user.profile, can_post=checked.can_post, can_moderate=checked.can_moderate,
            online=online, online_count=online_count,
        )
        if after is None:
            catch_up = protocol.history(*selectors.messages_before(room, before=None, limit=protocol.HISTORY_ON_CONNECT))
        else:
            messages, has_more, rev = selectors.changes_since(room, after=after, limit=protocol.SYNC_MAX)
            catch_up = protocol.sync(messages, has_more, rev)
        return checked, [hello, catch_up], came

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

    async def still_open(self) -> None:
        await database_sync_to_async(services.socket_seen)(channel_name=self.channel_name)

    async def closed(self) -> None:
        if self.in_hub:
            self.in_hub = False
            await hub.leave(self.channel_layer, self.slug, self)
        if getattr(self, "counted", False):
            self.counted = False
            presence.socket_closed()
        if self.opened:
            self.opened = False
            try:
                went = await database_sync_to_async(services.socket_closed)(
                    room_slug=self.slug, user=self.user, channel_name=self.channel_name
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
