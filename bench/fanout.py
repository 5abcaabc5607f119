"""Room fan-out (DESIGN.md, Performance): 200 sockets in one room, 4 of them sending.

    .venv/bin/python bench/fanout.py [--sockets 200] [--senders 4]
    .venv/bin/python bench/fanout.py --stack postgres-redis [--processes 1 2]

Runs, one after the other on 127.0.0.1 and in this one invocation, three servers:
a bare `websockets` broadcast server, the plain Channels consumer on daphne (both
storing nothing), and Majlis itself on daphne (embedded default: SQLite, in-memory
channel layer; every message stored, every frame re-checked as in production). For
each it prints deliveries per second at saturation (the best of two offered loads) and
the p50/p99 latency of a delivery at a steady ~1,000 deliveries/s, then the ratios.
Bounded: under 2 minutes.

With `--stack postgres-redis`, Majlis alone runs on PostgreSQL and Redis (DATABASE_URL
and REDIS_URL, or the flags; the database is made afresh), once for each number of
daphne processes given (the sockets spread over them), and each line also gives the
servers' CPU time per delivery during the saturation window (their utime + stime, from
/proc): scale-out costs no more CPU per delivery, even where 2 cores limit the rate.

A delivery is one message frame arriving at one socket; its latency runs from the
moment the sender handed the frame to its socket to the moment a receiver read it.
"""

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from websockets.asyncio.client import connect

import stacks
from servers import PYTHON, cpu_seconds, daphne, free_port, load_average, prepare_majlis, start, stop

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
    cpu_per_delivery: float | None = None  # the servers' CPU seconds, when measured

    def line(self) -> str:
        cpu = f"   {self.cpu_per_delivery * 1e6:5.1f} µs server CPU per delivery" if self.cpu_per_delivery else ""
        return (f"{self.name:<16} {self.deliveries_per_second:>9,.0f} deliveries/s at saturation   "
                f"p50 {self.p50_ms:6.1f} ms   p99 {self.p99_ms:6.1f} ms at {STEADY_DELIVERIES_PER_SECOND:,}/s{cpu}")


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


async def measure(name: str, endpoints: list[tuple[str, str]], cookies: list[str] | None, count: int, senders: int,
                  pids: tuple[int, ...] = ()) -> Result:
    """`endpoints`: (url, origin) of each server process; socket i goes to endpoint i mod n.
    With `pids`, also the servers' CPU time per delivery at saturation."""
    load = Load(senders)
    listeners = []

    async def open_socket(index: int):
        headers = [("Cookie", f"sessionid={cookies[index]}")] if cookies else None
        url, origin = endpoints[index % len(endpoints)]
        websocket = await connect(url, origin=origin, additional_headers=headers, compression=None,
                                  max_queue=None, ping_interval=None, open_timeout=30)
        listeners.append(asyncio.create_task(load.listen(index, websocket)))
        return websocket

    for batch in range(0, count, 25):
        load.sockets += await asyncio.gather(*(open_socket(i) for i in range(batch, min(batch + 25, count))))
    await wait_until_quiet(load)

    rates = []  # (deliveries per second, server CPU seconds per delivery)
    for round_, window in enumerate(WINDOWS):
        end = time.perf_counter() + WARM_UP + SATURATION
        first = round_ * 10**5
        senders_done = asyncio.gather(*(load.saturate(i, end, window, first) for i in range(senders)))
        await asyncio.sleep(WARM_UP)
        load.counting, load.deliveries = True, 0
        cpu = sum(cpu_seconds(pid) for pid in pids)
        await asyncio.sleep(SATURATION)
        load.counting = False
        cpu = sum(cpu_seconds(pid) for pid in pids) - cpu
        rates.append((load.deliveries / SATURATION, cpu / max(load.deliveries, 1)))
        await senders_done
        for flight in load.in_flight:
            flight.clear()
        await wait_until_quiet(load)
    saturation, cpu_per_delivery = max(rates)

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
    return Result(name, saturation, p50, p99, cpu_per_delivery if pids else None)


def room_endpoint(port: int) -> tuple[str, str]:
    return f"ws://127.0.0.1:{port}/ws/rooms/bench/", f"http://127.0.0.1:{port}"


def run_bare(workdir: Path, count: int, senders: int) -> Result:
    port = free_port()
    process = start([PYTHON, "bench/bare_server.py", str(port)], dict(os.environ), port, workdir / "bare.log")
    try:
        return asyncio.run(measure("bare websockets", [(f"ws://127.0.0.1:{port}/", f"http://127.0.0.1:{port}")],
                                   None, count, senders))
    finally:
        stop(process)


def run_plain(workdir: Path, count: int, senders: int) -> Result:
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.plain_settings"}
    process = start(daphne("bench.plain_channels:application", port), env, port, workdir / "plain.log")
    try:
        return asyncio.run(measure("plain Channels", [room_endpoint(port)], None, count, senders))
    finally:
        stop(process)


def run_majlis(workdir: Path, count: int, senders: int) -> Result:
    env = stacks.embedded(workdir)
    return serve_majlis(workdir, env, prepare_majlis(env, count, timeout=120), count, senders)


def serve_majlis(workdir: Path, env: dict, cookies: list[str], count: int, senders: int, processes: int = 1) -> Result:
    """Majlis on the stack `env` names, in `processes` daphnes (several need Redis); with
    Redis, the servers' CPU per delivery too."""
    ports = [free_port() for _ in range(processes)]
    servers = []
    try:
        for n, port in enumerate(ports):
            servers.append(start(daphne("config.asgi:application", port), env, port, workdir / f"majlis-{n}.log"))
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
                assert response.status == 200
        if not env.get("REDIS_URL"):
            return asyncio.run(measure("Majlis", [room_endpoint(ports[0])], cookies, count, senders))
        return asyncio.run(measure(f"Majlis ×{processes} daphne", [room_endpoint(port) for port in ports], cookies,
                                   count, senders, tuple(server.pid for server in servers)))
    finally:
        for server in servers:
            stop(server)


def run_scale_out(workdir: Path, args) -> None:
    """Majlis on PostgreSQL + Redis, once per layout, each from the same seeded database."""
    load = load_average()
    env = stacks.scale_out(args.database_url, args.redis_url)
    cookies = prepare_majlis(env, args.sockets, timeout=120)
    stacks.keep_seeded(args.database_url)
    results = {}
    try:
        for n, processes in enumerate(args.processes):
            if n:
                stacks.seeded_again(args.database_url)
                stacks.fresh_channel_layer(args.redis_url)
            results[processes] = serve_majlis(workdir, env, cookies, args.sockets, args.senders, processes)
    finally:
        stacks.forget_seeded(args.database_url)
    print(f"room fan-out on PostgreSQL + Redis: {args.sockets} sockets in one room, {args.senders} sending, "
          f"on {os.cpu_count()} cores, {load} at the start")
    for result in results.values():
        print(result.line())
    if len(results) > 1:
        fewest, most = results[min(results)], results[max(results)]
        print(f"server CPU per delivery, {most.name} / {fewest.name}: "
              f"{most.cpu_per_delivery / fewest.cpu_per_delivery:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=int, default=200)
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--only", choices=["bare", "plain", "majlis"], help="run one server (no ratios)")
    parser.add_argument("--stack", choices=["embedded", "postgres-redis"], default="embedded")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2],
                        help="with postgres-redis: the numbers of daphne processes to run, one layout each")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or stacks.DATABASE_URL)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL") or stacks.REDIS_URL)
    args = parser.parse_args()
    began = time.monotonic()
    runs = {"bare": run_bare, "plain": run_plain, "majlis": run_majlis}
    with tempfile.TemporaryDirectory(prefix="majlis-bench-") as tmp:
        workdir = Path(tmp)
        if args.stack == "postgres-redis":
            run_scale_out(workdir, args)
            print(f"({time.monotonic() - began:.0f} s)")
            return
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
