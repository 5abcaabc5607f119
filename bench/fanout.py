"""Room fan-out (DESIGN.md, Performance): 200 sockets in one room, 4 of them sending.

    .venv/bin/python bench/fanout.py [--sockets 200] [--senders 4]

Runs, one after the other on 127.0.0.1 and in this one invocation, three servers:
a bare `websockets` broadcast server, the plain Channels consumer on daphne (both
storing nothing), and Majlis itself on daphne (embedded default: SQLite, in-memory
channel layer; every message stored, every frame re-checked as in production). For
each it prints deliveries per second at saturation (the best of two offered loads) and
the p50/p99 latency of a delivery at a steady ~1,000 deliveries/s, then the ratios.
Bounded: under 2 minutes.

A delivery is one message frame arriving at one socket; its latency runs from the
moment the sender handed the frame to its socket to the moment a receiver read it.
"""

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
WARM_UP, SATURATION, STEADY = 1.0, 5.0, 8.0
STEADY_DELIVERIES_PER_SECOND = 1000
# Messages each sender keeps in flight. Saturation is the best rate over these offered
# loads: a server that queues well gains from more in flight, one that drops loses.
WINDOWS = (4, 16)
LOST_AFTER = 1.0  # seconds after which an unanswered message no longer holds a sender back


@dataclass
class Result:
    name: str
    deliveries_per_second: float
    p50_ms: float
    p99_ms: float

    def line(self) -> str:
        return (f"{self.name:<16} {self.deliveries_per_second:>9,.0f} deliveries/s at saturation   "
                f"p50 {self.p50_ms:6.1f} ms   p99 {self.p99_ms:6.1f} ms at {STEADY_DELIVERIES_PER_SECOND:,}/s")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_listening(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port}")


def client_id_in(text: str) -> str | None:
    """The `client_id` of a message frame (without parsing the JSON), else None."""
    if text.startswith('{"type":"error"') or text.startswith('{"type": "error"'):
        return None
    start = text.find("bench-", text.find('"client_id"'))
    return text[start:text.find('"', start)] if start >= 0 else None


class Load:
    """The room's sockets: four of them send, all of them count what arrives."""

    def __init__(self, senders: int):
        self.senders = senders
        self.counting = False
        self.deliveries = 0
        self.sent_at: dict[str, float] = {}
        self.latencies: list[float] | None = None
        self.in_flight: list[dict[str, float]] = [{} for _ in range(senders)]
        self.answered = [asyncio.Event() for _ in range(senders)]
        self.sockets = []

    def on_frame(self, index: int, text: str) -> None:
        client_id = client_id_in(text)
        if client_id is None:
            return  # hello, history, presence…
        now = time.perf_counter()
        if self.counting:
            self.deliveries += 1
        if self.latencies is not None and client_id in self.sent_at:
            self.latencies.append(now - self.sent_at[client_id])
        if index < self.senders and self.in_flight[index].pop(client_id, None) is not None:
            self.answered[index].set()

    async def listen(self, index: int, websocket) -> None:
        try:
            async for text in websocket:
                self.on_frame(index, text)
        except Exception:  # closed at the end of the run
            pass

    async def send(self, index: int, n: int) -> None:
        client_id = f"bench-{index}-{n}"
        frame = json.dumps({"type": "send", "body": f"message {n} of the fan-out run", "client_id": client_id})
        self.sent_at[client_id] = self.in_flight[index][client_id] = time.perf_counter()
        await self.sockets[index].send(frame)

    async def saturate(self, index: int, until: float, window: int, first: int) -> None:
        n = first
        while time.perf_counter() < until:
            flight = self.in_flight[index]
            stale = time.perf_counter() - LOST_AFTER
            for client_id in [c for c, at in flight.items() if at < stale]:
                del flight[client_id]
            if len(flight) < window:
                n += 1
                await self.send(index, n)
                continue
            self.answered[index].clear()
            try:
                await asyncio.wait_for(self.answered[index].wait(), 0.05)
            except TimeoutError:
                pass

    async def steady(self, recipients: int, duration: float) -> None:
        interval = recipients / STEADY_DELIVERIES_PER_SECOND
        start, n = time.perf_counter(), 0
        while (next_at := start + n * interval) < start + duration:
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
            await self.send(n % self.senders, 10**7 + n)
            n += 1


async def wait_until_quiet(load: Load, quiet: float = 0.5, limit: float = 30) -> None:
    """Let the joins' own traffic (presence) pass before measuring."""
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        before = load.deliveries
        load.counting = True
        await asyncio.sleep(quiet)
        load.counting = False
        if load.deliveries == before:
            return


async def measure(name: str, url: str, origin: str, cookies: list[str] | None, count: int, senders: int) -> Result:
    load = Load(senders)
    listeners = []

    async def open_socket(index: int):
        headers = [("Cookie", f"sessionid={cookies[index]}")] if cookies else None
        websocket = await connect(url, origin=origin, additional_headers=headers, compression=None,
                                  max_queue=None, ping_interval=None, open_timeout=30)
        listeners.append(asyncio.create_task(load.listen(index, websocket)))
        return websocket

    for batch in range(0, count, 25):
        load.sockets += await asyncio.gather(*(open_socket(i) for i in range(batch, min(batch + 25, count))))
    await wait_until_quiet(load)

    rates = []
    for round_, window in enumerate(WINDOWS):
        end = time.perf_counter() + WARM_UP + SATURATION
        first = round_ * 10**5
        senders_done = asyncio.gather(*(load.saturate(i, end, window, first) for i in range(senders)))
        await asyncio.sleep(WARM_UP)
        load.counting, load.deliveries = True, 0
        await asyncio.sleep(SATURATION)
        load.counting = False
        rates.append(load.deliveries / SATURATION)
        await senders_done
        for flight in load.in_flight:
            flight.clear()
        await wait_until_quiet(load)
    saturation = max(rates)

    load.latencies = []
    await load.steady(count, STEADY)
    await asyncio.sleep(1.0)  # the last deliveries
    latencies = sorted(load.latencies)
    load.latencies = None

    for websocket in load.sockets:
        await websocket.close()
    for task in listeners:
        task.cancel()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    return Result(name, saturation, p50, p99)


def start(command: list[str], env: dict, port: int, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"))
    wait_until_listening(port, process)
    return process


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def daphne(application: str, port: int) -> list[str]:
    # No access log: daphne's would record every client's address (DESIGN.md, Running).
    return [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "--access-log", "/dev/null", application]


def run_bare(workdir: Path, count: int, senders: int) -> Result:
    port = free_port()
    process = start([PYTHON, "bench/bare_server.py", str(port)], dict(os.environ), port, workdir / "bare.log")
    try:
        return asyncio.run(measure("bare websockets", f"ws://127.0.0.1:{port}/", f"http://127.0.0.1:{port}",
                                   None, count, senders))
    finally:
        stop(process)


def run_plain(workdir: Path, count: int, senders: int) -> Result:
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.plain_settings"}
    process = start(daphne("bench.plain_channels:application", port), env, port, workdir / "plain.log")
    try:
        return asyncio.run(measure("plain Channels", f"ws://127.0.0.1:{port}/ws/rooms/bench/",
                                   f"http://127.0.0.1:{port}", None, count, senders))
    finally:
        stop(process)


def run_majlis(workdir: Path, count: int, senders: int) -> Result:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.majlis_settings",
           "DATABASE_URL": f"sqlite:///{workdir / 'majlis.sqlite3'}"}
    env.pop("REDIS_URL", None)
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
    made = subprocess.run([PYTHON, "-m", "bench.majlis_setup", str(count)], cwd=ROOT, env=env, check=True,
                          timeout=120, capture_output=True, text=True)
    cookies = json.loads(made.stdout.strip().splitlines()[-1])
    port = free_port()
    process = start(daphne("config.asgi:application", port), env, port, workdir / "majlis.log")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            assert response.status == 200
        return asyncio.run(measure("Majlis", f"ws://127.0.0.1:{port}/ws/rooms/bench/",
                                   f"http://127.0.0.1:{port}", cookies, count, senders))
    finally:
        stop(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=int, default=200)
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--only", choices=["bare", "plain", "majlis"], help="run one server (no ratios)")
    args = parser.parse_args()
    began = time.monotonic()
    runs = {"bare": run_bare, "plain": run_plain, "majlis": run_majlis}
    with tempfile.TemporaryDirectory(prefix="majlis-bench-") as tmp:
        workdir = Path(tmp)
        if args.only:
            print(runs[args.only](workdir, args.sockets, args.senders).line())
            return
        results = [run(workdir, args.sockets, args.senders) for run in runs.values()]
    bare, plain, majlis = results
    print(f"room fan-out: {args.sockets} sockets in one room, {args.senders} sending, on {os.cpu_count()} cores")
    for result in results:
        print(result.line())
    print(f"Majlis/plain {majlis.deliveries_per_second / plain.deliveries_per_second:.2f}x   "
          f"Majlis/bare {majlis.deliveries_per_second / bare.deliveries_per_second:.2f}x   "
          f"p99 Majlis/plain {majlis.p99_ms / plain.p99_ms:.2f}   ({time.monotonic() - began:.0f} s)")


if __name__ == "__main__":
    main()
