"""A room socket on Redis outlives a silence longer than any of the layer's timeouts.

channels-redis waits for a socket's events with a blocking read that Redis ends after
5 s; redis-py 8 cut that read with its own 5 s read timeout and daphne closed every idle
socket with 1011 (config/settings.py, CHANNEL_LAYERS). No short test leaves a socket
idle, so this one does, on a real daphne process over PostgreSQL and Redis.
"""

import asyncio
import json
import os

import pytest
from channels.db import database_sync_to_async
from websockets.exceptions import ConnectionClosed

from forum.models.people import Location
from tests.realtime.conftest import logged_in_client
from tests.realtime.processes import daphne_processes, next_of, open_room

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")),
        reason="needs DATABASE_URL (PostgreSQL, shared with the daphne process) and REDIS_URL",
    ),
]

SILENCE_SECONDS = 30


async def stays_open_in_silence(ws, seconds: float, log) -> None:
    """Send nothing for `seconds`; fail at once if the server closes the socket."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (left := deadline - loop.time()) > 0:
        try:
            frame = json.loads(await asyncio.wait_for(ws.recv(), left))
        except TimeoutError:
            return
        except ConnectionClosed as closed:
            elapsed = seconds - (deadline - loop.time())
            pytest.fail(f"closed with {closed.rcvd and closed.rcvd.code} after {elapsed:.1f} s of silence;"
                        f" daphne said:\n{log.read_text()[-2000:]}")
        assert frame["type"].startswith("presence"), f"unexpected {frame} in the silence"


async def test_a_room_socket_is_open_and_usable_after_thirty_idle_seconds(member, make_member, room, tmp_path):
    other = await database_sync_to_async(make_member)(display_name="Sami", location=Location.DIASPORA)
    cookies = [
        (await database_sync_to_async(logged_in_client)(user)).cookies["sessionid"].value for user in (member, other)
    ]
    log = tmp_path / "daphne.log"
    with open(log, "wb") as stderr, daphne_processes(1, stderr=stderr) as (port,):
        async with open_room(port, cookies[0]) as idle, open_room(port, cookies[1]) as talker:
            await next_of(idle, "history")
            await next_of(talker, "history")

            await asyncio.gather(
                stays_open_in_silence(idle, SILENCE_SECONDS, log),
                stays_open_in_silence(talker, SILENCE_SECONDS, log),
            )

            await idle.send('{"type":"ping"}')
            assert (await next_of(idle, "pong"))["rev"] == 0
            await talker.send('{"type":"send","body":"still here","client_id":"after-silence"}')
            message = (await next_of(idle, "message"))["message"]
            assert message["client_id"] == "after-silence" and message["seq"] == 1
