"""A room client that keeps up with a room as the browser's does (static/js/room/).

It keeps the highest `rev` up to which it has every change; a change more than one past
it means one was lost on the way (the channel layer delivers at most once), so it asks
for `sync`; it drops what it already has; when its socket drops it reconnects with
`?after=<rev>`, except after 4401, 4403 or 4404, which are final. Unlike the browser it
never pings on its own: an idle socket stays silent until told to `ping`.

Everything it saw is kept for the test to judge: each close code, each frame's arrival
time, and when and how each message first arrived.
"""

import asyncio
import json
import random
import time
from dataclasses import dataclass, field

from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.soak.recipe import PROXY_HEADERS

FINAL_CLOSES = {4401, 4403, 4404}


@dataclass
class Arrival:
    at: float       # time.time() when it first arrived
    live: bool      # in a broadcast, rather than in a catch-up the client asked for


@dataclass
class RoomClient:
    name: str
    port: int
    cookie: str
    slug: str
    rev: int = 0            # every change up to here is in `messages`
    seen_rev: int = 0       # the highest any frame told of
    messages: dict = field(default_factory=dict)   # id -> M, the latest version
    arrivals: dict = field(default_factory=dict)   # id -> Arrival
    frames: list = field(default_factory=list)     # (time.time(), type)
    closes: list = field(default_factory=list)     # close codes the server sent, in order
    closed_at: list = field(default_factory=list)  # and when (time.time())
    refusals: list = field(default_factory=list)   # handshakes refused with an HTTP status
    errors: list = field(default_factory=list)     # `error` frames
    me: dict | None = None
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    stopping: bool = False
    stopped: bool = False
    final_close: int | None = None   # the code our own closing handshake got back
    _ws: object = None
    _syncing: bool = False
    _tasks: set = field(default_factory=set)

    # --- The socket's life ------------------------------------------------------------

    async def run(self) -> None:
        """Connect, read, reconnect after a drop (1 to 2 s later), until final or stopped."""
        while not self.stopping:
            try:
                async with ws_connect(
                    f"ws://127.0.0.1:{self.port}/ws/rooms/{self.slug}/?after={self.rev}",
                    origin=f"https://127.0.0.1:{self.port}",
                    additional_headers=[("Cookie", f"sessionid={self.cookie}"), *PROXY_HEADERS.items()],
                    compression=None, open_timeout=20, close_timeout=10, ping_interval=None,
                ) as ws:
                    self._ws, self._syncing = ws, True  # the ?after= answer is a sync
                    async for text in ws:
                        self._receive(json.loads(text))
                    code = ws.protocol.close_rcvd.code if ws.protocol.close_rcvd else None
            except InvalidStatus as refused:
                self.refusals.append(refused.response.status_code)
                code = "refused"
            except (OSError, TimeoutError, ConnectionClosed) as lost:
                rcvd = getattr(lost, "rcvd", None)
                code = rcvd.code if rcvd else None
            finally:
                self._ws = None
                self.connected.clear()
            if self.stopping:
                self.final_close = code
                break
            if code != "refused":
                self.closes.append(code)
                self.closed_at.append(time.time())
            if code in FINAL_CLOSES:
                break
            await asyncio.sleep(1 + random.random())
        self.stopped = True

    async def send(self, frame: dict) -> bool:
        ws = self._ws
        if ws is None or not self.connected.is_set():
            return False
        try:
            await ws.send(json.dumps(frame))
        except ConnectionClosed:
            return False
        return True

    async def close(self) -> None:
        """The normal end: a closing handshake with 1000."""
        self.stopping = True
        if self._ws is not None:
            await self._ws.close(1000)

    # --- Frames -------------------------------------------------------------------------

    def _receive(self, frame: dict) -> None:
        now = time.time()
        kind = frame.get("type")
        self.frames.append((now, kind))
        if kind == "hello":
            self.me = frame["me"]
            self.seen_rev = max(self.seen_rev, frame["rev"])
            self.connected.set()
        elif kind == "sync":
            for message in frame["messages"]:
                self._apply(message, now, live=False)
            if frame["has_more"] and frame["messages"]:
                self.rev = max(self.rev, frame["messages"][-1]["rev"])
                self._send_soon({"type": "sync", "after": self.rev})
                return
            self.rev = max(self.rev, frame["rev"])
            self.seen_rev = max(self.seen_rev, self.rev)
            self._syncing = False
            if self.seen_rev > self.rev:
                self._request_sync()
        elif kind in ("message", "message.edited", "message.deleted"):
            message = frame["message"]
            self._apply(message, now, live=True)
            self.seen_rev = max(self.seen_rev, message["rev"])
            if message["rev"] == self.rev + 1:
                self.rev = message["rev"]
            elif message["rev"] > self.rev:
                self._request_sync()
        elif kind == "pong":
            self.seen_rev = max(self.seen_rev, frame["rev"])
            if frame["rev"] > self.rev:
                self._request_sync()
        elif kind == "error":
            self.errors.append(frame)
            if frame.get("code") == "rate_limited" and self._syncing:
                self._syncing = False  # asked again at the next gap or pong

    def _apply(self, message: dict, now: float, *, live: bool) -> None:
        """Keep the latest version of each message; a repeat of one we have is dropped."""
        held = self.messages.get(message["id"])
        if held is None or message["rev"] > held["rev"]:
            self.messages[message["id"]] = message
        self.arrivals.setdefault(message["id"], Arrival(at=now, live=live))

    def _request_sync(self) -> None:
        if self._syncing or not self.connected.is_set():
            return  # a socket still to open resumes with ?after= anyway
        self._syncing = True
        self._send_soon({"type": "sync", "after": self.rev})

    def _send_soon(self, frame: dict) -> None:
        task = asyncio.get_running_loop().create_task(self.send(frame))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- What the test reads ------------------------------------------------------------

    def view(self) -> list[dict]:
        """The room as this client shows it: each message once, by `seq`."""
        return sorted(self.messages.values(), key=lambda message: message["seq"])
