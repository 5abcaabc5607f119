"""Connects (DESIGN.md, Performance): N members, each their own account, open a socket to one room.

    .venv/bin/python bench/sockets.py [--members 2000] [--window 50] [--messages 50]

Runs, one after the other on 127.0.0.1 and in this one invocation, a bare `websockets`
server doing the same handshake plus a JSON hello (bare_hello_server.py), then Majlis
(daphne, embedded default, a room with `--messages` of history). Against each, every
member opens a socket, with their own session cookie and a same-origin Origin, as fast
as the server takes them (at most `--window` handshakes in flight: the listen backlog is
finite), and counts as connected once it has its `hello` (Majlis: and its history).
Printed for each: sockets connected per second, the server's CPU time per connect (and
for the first and the last tenth of the members: a connect should not cost more in a
fuller room), handshakes refused or timed out, and the server's resident memory per open
socket; then the ratio Majlis/bare. The client is in crowd.py.

Then Majlis is restarted (SIGTERM, started again on the same port) while every member
is connected. Each reconnects as the browser client does (static/js/live-socket.js:
exponential backoff with full jitter, a wait of random(0, min(60 s, 1 s·2^attempt))) and
resumes with `?after=<rev>` of the last `rev` it saw. Printed: the time from the new
process's first healthy /healthz until the last member has its `hello` and `sync`.
"""

import argparse
import asyncio
import contextlib
import os
import resource
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import stacks
from crowd import Crowd, Member, Tally, open_all, warm_up
from servers import (
    PYTHON, cpu_seconds, daphne, free_port, load_average, prepare_majlis, resident_bytes, start, stop, wait_until_healthy,
)

ROOM_PATH = "/ws/rooms/bench/"
SETTLE = 2.0  # after the last connect: the room's presence frames go out within a second
GOALS = {"members": 5000, "ratio": 0.15, "bytes_per_socket": 50 * 1024, "reconnect_seconds": 20.0,
         "reconnect_members": 2000}


@dataclass
class Connects:
    name: str
    members: int
    connected: int
    seconds: float
    tally: Tally
    bytes_per_socket: float
    cpu_per_socket: float  # the server's CPU seconds while they connected, per socket
    first_last: tuple[float, float, int] | None  # the same for the first and the last tenth that connected, and which

    def growth(self) -> str:
        """Whether a connect costs more as the room fills (it should not)."""
        if self.first_last is None:
            return ""
        first, last, which = self.first_last
        last_name = "last tenth" if which == 10 else f"tenth no. {which}"
        return f" (first tenth {first * 1000:.2f}, {last_name} {last * 1000:.2f})"

    @property
    def per_second(self) -> float:
        return self.connected / self.seconds

    def line(self) -> str:
        missing = f" ({self.members - self.connected:,} never connected)" if self.connected < self.members else ""
        return (f"{self.name:<16} {self.per_second:>7,.0f} sockets/s{missing}   "
                f"{self.cpu_per_socket * 1000:5.2f} ms server CPU per connect{self.growth()}   "
                f"{self.bytes_per_socket / 1024:5.1f} KB resident per open socket\n"
                f"{'':<16} {self.tally.text()}")


@dataclass
class Reconnect:
    stopped_in: float  # SIGTERM until the old process was gone
    healthy_in: float  # start until the first healthy /healthz
    seconds: float | None  # healthy until the last member had its hello and sync (None: not all came back)
    back: int
    milestones: tuple[float | None, float | None]  # healthy until half, and until 90 %, were back
    resumed: int  # caught up with `sync`, not `history`
    tally: Tally
    while_down: Tally

    def line(self, members: int) -> str:
        took = f"{self.seconds:.1f} s" if self.seconds is not None else f"not within the limit ({self.back:,} back)"
        half, most = (f"{t:.1f} s" if t is not None else "never" for t in self.milestones)
        return (f"restart: stopped in {self.stopped_in:.1f} s, healthy {self.healthy_in:.1f} s later; "
                f"all {members:,} back with hello+sync {took} after the health check (half {half}, 90 % {most})\n"
                f"         {self.resumed:,} resumed with sync; after the health check {self.tally.text()}; "
                f"while down {self.while_down.text()}")


async def connects(name: str, crowd: Crowd, pid: int, warm_cookie: str | None, window: int,
                   limit: float) -> tuple[Connects, list[asyncio.Task]]:
    # One socket first, so that what the first connect loads is not counted per socket.
    await warm_up(crowd.url, crowd.origin, warm_cookie)
    await asyncio.sleep(SETTLE)
    before, cpu = resident_bytes(pid), cpu_seconds(pid)
    crowd.pid = pid
    tasks, seconds = await open_all(crowd, window, limit)
    crowd.pid, tenths = None, [cpu, *crowd.cpu_at_tenths]
    cpu = cpu_seconds(pid) - cpu
    await asyncio.sleep(SETTLE)
    connected = sum(m.websocket is not None for m in crowd.members)
    memory = (resident_bytes(pid) - before) / max(connected, 1)
    tenth = len(crowd.members) / 10
    tenths, first_last = tenths[:11], None
    if len(tenths) > 2:
        first_last = ((tenths[1] - tenths[0]) / tenth, (tenths[-1] - tenths[-2]) / tenth, len(tenths) - 1)
    return Connects(name, len(crowd.members), connected, seconds, crowd.tally, memory, cpu / max(connected, 1),
                    first_last), tasks


def limit_for(members: int) -> float:
    return 60 + members / 20  # seconds: even at 20 sockets/s the run ends


def run_bare(workdir: Path, members: int, window: int) -> Connects:
    port = free_port()
    process = start([PYTHON, "bench/bare_hello_server.py", str(port)], dict(os.environ), port, workdir / "bare.log")

    async def measure() -> Connects:
        crowd = Crowd(f"ws://127.0.0.1:{port}{ROOM_PATH}", f"http://127.0.0.1:{port}",
                      [Member(None) for _ in range(members)], frozenset({"hello"}))
        result, tasks = await connects("bare websockets", crowd, process.pid, None, window, limit_for(members))
        await crowd.leave(tasks)
        return result

    try:
        return asyncio.run(measure())
    finally:
        stop(process)


def run_majlis(workdir: Path, members: int, window: int, messages: int) -> tuple[Connects, Reconnect]:
    env = stacks.embedded(workdir)
    cookies = prepare_majlis(env, members + 1, messages)  # the last one warms the server up
    port = free_port()
    log = workdir / "majlis.log"
    command = daphne("config.asgi:application", port)
    process = start(command, env, port, log)
    wait_until_healthy(port, process)
    restarted: list[subprocess.Popen] = []

    async def measure() -> tuple[Connects, Reconnect]:
        crowd = Crowd(f"ws://127.0.0.1:{port}{ROOM_PATH}", f"http://127.0.0.1:{port}",
                      [Member(cookie) for cookie in cookies[:members]], frozenset({"hello", "history"}))
        result, tasks = await connects("Majlis", crowd, process.pid, cookies[-1], window, limit_for(members))
        crowd.opening_frames = frozenset({"hello", "sync"})
        crowd.expect_everyone_again()
        crowd.up_at = float("inf")  # until it is up again, refusals are expected
        began = time.perf_counter()
        await asyncio.to_thread(stop, process)
        stopped = time.perf_counter()
        again = await asyncio.to_thread(start, command, env, port, log)
        restarted.append(again)
        # Its health check waits in the one database thread behind every member's reconnect:
        # give it as long as the reconnect itself may take.
        await asyncio.to_thread(wait_until_healthy, port, again, limit_for(members))
        crowd.up_at = time.perf_counter()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(crowd.everyone.wait(), limit_for(members))
        back = [m for m in crowd.members if m.websocket is not None]
        times = sorted(m.ready_at - crowd.up_at for m in back)
        seconds = times[-1] if len(back) == members else None
        milestones = tuple(times[int(members * share) - 1] if len(times) >= members * share else None
                           for share in (0.5, 0.9))
        reconnect = Reconnect(stopped - began, crowd.up_at - stopped, seconds, len(back), milestones,
                              sum(m.caught_up_by == "sync" for m in back), crowd.tally, crowd.tally_before_up)
        await crowd.leave(tasks)
        return result, reconnect

    try:
        return asyncio.run(measure())
    finally:
        for server in (process, *restarted):
            if server.poll() is None:
                stop(server)


def verdict(members: int, bare: Connects, majlis: Connects, reconnect: Reconnect) -> str:
    ratio = majlis.per_second / bare.per_second
    checks = [
        (f"{GOALS['members']:,} members in one room", members >= GOALS["members"] and majlis.connected == members),
        ("0 handshakes refused or timed out", majlis.tally.total == 0 and reconnect.tally.total == 0),
        (f"≥ {GOALS['ratio']}x the bare connect rate", ratio >= GOALS["ratio"]),
        (f"≤ {GOALS['bytes_per_socket'] // 1024} KB per socket", majlis.bytes_per_socket <= GOALS["bytes_per_socket"]),
        (f"{GOALS['reconnect_members']:,} back within {GOALS['reconnect_seconds']:.0f} s",
         members >= GOALS["reconnect_members"] and reconnect.seconds is not None
         and reconnect.seconds <= GOALS["reconnect_seconds"]),
    ]
    return "goals: " + "; ".join(f"{text} {'met' if ok else 'NOT met'}" for text, ok in checks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--window", type=int, default=50, help="handshakes in flight at most")
    parser.add_argument("--messages", type=int, default=50, help="the room's history")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (the servers' logs)")
    args = parser.parse_args()
    # Two sockets per member (client and server) in this process and in the server's.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < args.members + 1000:
        raise SystemExit(f"the open-file limit ({hard}) is too low for {args.members:,} sockets")
    began, load = time.monotonic(), load_average()
    with contextlib.nullcontext(args.keep) if args.keep else tempfile.TemporaryDirectory(prefix="majlis-bench-") as tmp:
        workdir = Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        bare = run_bare(workdir, args.members, args.window)
        majlis, reconnect = run_majlis(workdir, args.members, args.window, args.messages)
    print(f"sockets: {args.members:,} members, each their own account, into one room "
          f"({args.window} handshakes in flight, {args.messages} messages of history), on {os.cpu_count()} cores, "
          f"{load} at the start")
    print(bare.line())
    print(majlis.line())
    print(f"Majlis/bare {majlis.per_second / bare.per_second:.2f}x connect rate")
    print(reconnect.line(args.members))
    print(verdict(args.members, bare, majlis, reconnect) + f"   ({time.monotonic() - began:.0f} s)")


if __name__ == "__main__":
    main()
