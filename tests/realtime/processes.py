"""Real daphne processes, for the tests of the deployment as it runs.

A daphne process on PostgreSQL uses the test database (`child_env`), whose rows a
transactional test commits; one started with its own environment (`env=`) uses what
that environment says.
"""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager

from django.conf import settings
from django.db import connection
from websockets.asyncio.client import connect as ws_connect


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url_of_the_tests() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def child_env() -> dict:
    return {**os.environ, "DATABASE_URL": database_url_of_the_tests(), "DJANGO_SETTINGS_MODULE": "config.settings"}


@contextmanager
def daphne_processes(count: int, *, args=(), env=None, health_headers=None, stderr=subprocess.DEVNULL):
    """`count` daphne processes on free loopback ports, started as the README says."""
    ports = [free_port() for _ in range(count)]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "--access-log", "/dev/null",
             *args, "config.asgi:application"],
            cwd=settings.BASE_DIR, env=child_env() if env is None else env,
            stdout=subprocess.DEVNULL, stderr=stderr,
        )
        for port in ports
    ]
    try:
        for port in ports:
            wait_for_health(port, headers=health_headers)
        yield ports
    finally:
        stop(processes)


def stop(processes: list[subprocess.Popen]) -> None:
    """Stop daphne processes; kill those that linger (daphne waits for its application instances)."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_health(port: int, timeout: float = 20, headers=None) -> None:
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers=headers or {})
    while True:
        try:
            with urllib.request.urlopen(request, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def open_room(port: int, cookie: str, slug: str = "aden"):
    return ws_connect(
        f"ws://127.0.0.1:{port}/ws/rooms/{slug}/", origin=f"http://127.0.0.1:{port}",
        additional_headers=[("Cookie", f"sessionid={cookie}")], compression=None,
    )


async def next_of(ws, kind: str, timeout: float = 5) -> dict:
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if frame["type"] == kind:
            return frame
