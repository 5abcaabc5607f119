"""Scale-out: two daphne processes sharing PostgreSQL and Redis serve one room together.

Runs when DATABASE_URL and REDIS_URL are set (always in CI, .ci/run): the processes use
the test database, whose rows a transactional test commits.
"""

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed

from forum.models.people import Location
from forum.sanitiser import render_markdown
from tests.realtime.conftest import logged_in_client

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")),
        reason="needs DATABASE_URL (PostgreSQL) and REDIS_URL",
    ),
]


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
def daphne_processes(count: int):
    ports = [free_port() for _ in range(count)]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "--access-log", "/dev/null",
             "config.asgi:application"],
            cwd=settings.BASE_DIR, env=child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for port in ports:
            wait_for_health(port)
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # daphne waits for lingering app instances
                process.kill()
                process.wait()


def wait_for_health(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def open_room(port: int, cookie: str):
    return ws_connect(
        f"ws://127.0.0.1:{port}/ws/rooms/aden/", origin=f"http://127.0.0.1:{port}",
        additional_headers=[("Cookie", f"sessionid={cookie}")], compression=None,
    )


async def next_of(ws, kind: str) -> dict:
    import json

    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if frame["type"] == kind:
            return frame


async def test_a_message_sent_on_one_process_reaches_a_member_on_another(member, make_member, room):
    other = await database_sync_to_async(make_member)(display_name="Sami", location=Location.DIASPORA)
    cookies = [
        (await database_sync_to_async(logged_in_client)(user)).cookies["sessionid"].value for user in (member, other)
    ]
    with daphne_processes(2) as (port_a, port_b):
        async with open_room(port_a, cookies[0]) as sender, open_room(port_b, cookies[1]) as receiver:
            await next_of(sender, "history")
            await next_of(receiver, "history")
            await sender.send('{"type":"send","body":"من عدن إلى برلين","client_id":"x1"}')
            message = (await next_of(receiver, "message"))["message"]
            assert message["body_html"] == render_markdown("من عدن إلى برلين") and message["seq"] == 1

            # A grant revoked by a command in a third process closes the socket at once.
            subprocess.run(
                [sys.executable, "manage.py", "revoke", "view_room", "room:aden", "group:members"],
                cwd=settings.BASE_DIR, env=child_env(), check=True, capture_output=True, timeout=60,
            )
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    await asyncio.wait_for(receiver.recv(), 5)
            assert closed.value.rcvd.code == 4404
