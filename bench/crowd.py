"""The client side of bench/sockets.py: many members' sockets in one asyncio loop.

Each member connects, reads its opening frames, keeps the last `rev` it saw, and after
every close comes back as the browser client does (static/js/live-socket.js). Failed
handshakes are counted by how they failed.
"""

import asyncio
import contextlib
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from servers import cpu_seconds

OPEN_TIMEOUT = 30.0  # a handshake, or a hello, not there by then has timed out
BACKOFF_FIRST, BACKOFF_GROWTH, BACKOFF_CAP = 1.0, 1.5, 60.0  # seconds, as static/js/live-socket.js
# The client shares the machine: no compression, no pings, and no proxy lookup (which
# reads the whole environment on every connect, the client's biggest cost otherwise).
CLIENT = {"compression": None, "ping_interval": None, "proxy": None, "open_timeout": OPEN_TIMEOUT, "close_timeout": 1}


def backoff(attempt: int) -> float:
    """The browser client's wait before reconnection attempt `attempt` (1, 2, 3 …)."""
    return random.uniform(0, min(BACKOFF_CAP, BACKOFF_FIRST * BACKOFF_GROWTH ** min(attempt, 30)))


@dataclass
class Tally:
    """Handshakes that failed, by how."""

    refused: int = 0  # no connection, or an HTTP answer other than 101
    timed_out: int = 0
    closed_early: int = 0  # accepted, then closed before its hello (a close code)
    reasons: Counter = field(default_factory=Counter)

    def count(self, kind: str, error: BaseException) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        self.reasons[f"{type(error).__name__}: {error}"[:120]] += 1

    def text(self) -> str:
        said = f"{self.refused:,} refused, {self.timed_out:,} timed out, {self.closed_early:,} closed before hello"
        if self.reasons:
            said += " (" + "; ".join(f"{n:,}× {reason}" for reason, n in self.reasons.most_common(3)) + ")"
        return said

    @property
    def total(self) -> int:
        return self.refused + self.timed_out + self.closed_early


class Member:
    __slots__ = ("cookie", "rev", "websocket", "ready_at", "caught_up_by")

    def __init__(self, cookie: str | None):
        self.cookie = cookie
        self.rev: int | None = None  # the last `rev` seen: a reconnect resumes after it
        self.websocket = None
        self.ready_at = 0.0
        self.caught_up_by = ""  # "history" or "sync"


@dataclass
class Crowd:
    """The members' sockets, in one asyncio loop: they connect, listen, and come back."""

    url: str
    origin: str
    members: list[Member]
    opening_frames: frozenset  # the frames that make a socket connected
    window: object = None
    tally: Tally = field(default_factory=Tally)
    tally_before_up: Tally = field(default_factory=Tally)  # while the server was down
    up_at: float | None = None  # when the restarted server first answered /healthz
    stopping: bool = False
    pid: int | None = None  # the server's: its CPU time is read at every tenth of the members

    def __post_init__(self):
        self.waiting = len(self.members)
        self.everyone = asyncio.Event()
        self.cpu_at_tenths: list[float] = []

    async def open(self, member: Member) -> bool:
        """One attempt: connect, then read the opening frames."""
        url = self.url if member.rev is None else f"{self.url}?after={member.rev}"
        headers = [("Cookie", f"sessionid={member.cookie}")] if member.cookie else None
        try:
            websocket = await connect(url, origin=self.origin, additional_headers=headers, **CLIENT)
        except TimeoutError as error:
            self.failures().count("timed_out", error)
            return False
        except (OSError, InvalidHandshake) as error:
            self.failures().count("refused", error)
            return False
        missing, rev = set(self.opening_frames), member.rev
        try:
            async with asyncio.timeout(OPEN_TIMEOUT):
                while missing:
                    frame = json.loads(await websocket.recv())
                    kind = frame.get("type")
                    missing.discard(kind)
                    rev = max(rev or 0, frame.get("rev") or 0)
                    if kind in ("history", "sync"):
                        member.caught_up_by = kind
        except TimeoutError as error:
            self.failures().count("timed_out", error)
            websocket.transport.abort()
            return False
        except ConnectionClosed as error:
            self.failures().count("closed_early", error)
            return False
        member.rev, member.websocket, member.ready_at = rev, websocket, time.perf_counter()
        return True

    def arrived(self) -> None:
        self.waiting -= 1
        connected = len(self.members) - self.waiting
        if self.pid is not None and connected * 10 % len(self.members) < 10:  # crossed a tenth
            self.cpu_at_tenths.append(cpu_seconds(self.pid))
        if self.waiting == 0:
            self.everyone.set()

    def failures(self) -> Tally:
        """Where a failure counts: refusals while the restarted server is not up are expected."""
        down = self.up_at is not None and time.perf_counter() < self.up_at
        return self.tally_before_up if down else self.tally

    async def listen(self, member: Member) -> None:
        """Until the socket closes, keep the last `rev` (presence frames carry none)."""
        try:
            async for text in member.websocket:
                if text.startswith('{"type":"presence'):
                    continue
                frame = json.loads(text)
                rev = frame.get("rev") or (frame.get("message") or {}).get("rev")
                if isinstance(rev, int) and rev > (member.rev or 0):
                    member.rev = rev
        except ConnectionClosed:
            pass
        member.websocket = None

    async def live(self, member: Member) -> None:
        """Connect, and come back after every close as the browser client does."""
        attempt = 0
        while not self.stopping:
            async with self.window:
                opened = await self.open(member)
            if opened:
                attempt = 0
                self.arrived()
                await self.listen(member)
                if self.stopping:
                    return
            attempt += 1
            await asyncio.sleep(backoff(attempt))

    def expect_everyone_again(self) -> None:
        """From now on, count members coming back (after a restart)."""
        self.waiting, self.tally, self.tally_before_up = len(self.members), Tally(), Tally()
        self.everyone.clear()
        self.window = contextlib.nullcontext()  # every browser on its own timer

    async def leave(self, tasks: list[asyncio.Task]) -> None:
        self.stopping = True
        for member in self.members:
            if member.websocket is not None:
                member.websocket.transport.abort()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def open_all(crowd: Crowd, window: int, limit: float) -> tuple[list[asyncio.Task], float]:
    """Every member connects; the seconds until the last one was connected."""
    crowd.window = asyncio.Semaphore(window)
    began = time.perf_counter()
    tasks = [asyncio.create_task(crowd.live(member)) for member in crowd.members]
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(crowd.everyone.wait(), limit)
    connected = [m.ready_at for m in crowd.members if m.websocket is not None]
    return tasks, (max(connected) if connected else time.perf_counter()) - began


async def warm_up(url: str, origin: str, cookie: str | None) -> None:
    """One socket opened and closed."""
    headers = [("Cookie", f"sessionid={cookie}")] if cookie else None
    async with connect(url, origin=origin, additional_headers=headers, **CLIENT) as websocket:
        await asyncio.wait_for(websocket.recv(), OPEN_TIMEOUT)
