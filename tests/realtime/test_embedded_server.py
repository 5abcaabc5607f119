"""What only a real server shows, on the embedded default `make run` serves: one daphne
process, SQLite, the in-memory channel layer (tests/realtime/embedded.py).

- a grant revoked by a management command — another process, which the in-memory layer
  cannot reach — stops the member's socket within a second (the standing log);
- a client that asks and never reads cannot make the server hold its memory;
- a client that leaves too much unread is closed with 4408.
"""

import asyncio
import json
import socket
import time

import pytest
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed

from tests.realtime.embedded import embedded_majlis


def open_room(server, username: str, *, query: str = "", slow_reader: bool = False):
    """A room socket as the browser opens it; a slow reader reads nothing until asked."""
    options = {}
    if slow_reader:
        # A small receive buffer and queue: the client stops reading from the kernel at
        # once, so what it leaves unread piles up on the server, as with a lost phone.
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
        sock.connect(("127.0.0.1", server.port))
        options = {"sock": sock, "max_queue": 1}
    return ws_connect(
        server.url(f"/ws/rooms/aden/{query}"), origin=server.origin, compression=None, ping_interval=None,
        additional_headers=[("Cookie", server.cookie(username))], max_size=None, **options,
    )


async def drain(ws) -> list[dict]:
    """Read everything, as a well-connected member's browser does, until the socket closes."""
    frames = []
    try:
        async for text in ws:
            frames.append(json.loads(text))
    except ConnectionClosed:
        pass
    return frames


async def next_of(ws, kind: str, timeout: float = 10) -> dict:
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if frame["type"] == kind:
            return frame


async def test_a_grant_revoked_on_the_command_line_reaches_an_open_socket_within_a_second(tmp_path):
    senders = [f"s{n}" for n in range(10)]
    seed = {"members": ["layla", *senders], "direct_grants": True}
    with embedded_majlis(tmp_path, seed) as server:
        sent_at: dict[str, float] = {}
        async with open_room(server, "layla") as layla:
            await next_of(layla, "history")
            sockets = [await open_room(server, name).__aenter__() for name in senders]
            for ws in sockets:
                await next_of(ws, "history")
            draining = [asyncio.create_task(drain(ws)) for ws in sockets]

            async def keep_talking():
                # 5 messages a second in all, each sender well inside the flood limit.
                for n in range(10**6):
                    client_id = f"m{n}"
                    sent_at[client_id] = time.monotonic()
                    await sockets[n % len(sockets)].send(json.dumps({"type": "send", "body": f"خبر {n}", "client_id": client_id}))
                    await asyncio.sleep(0.2)

            talking = asyncio.create_task(keep_talking())
            received: list[tuple[float, dict]] = []

            async def listen():
                try:
                    while True:
                        received.append((time.monotonic(), json.loads(await layla.recv())))
                except ConnectionClosed:
                    return

            listening = asyncio.create_task(listen())
            await asyncio.sleep(1.5)
            await asyncio.to_thread(server.manage, "revoke", "view_room", "room:aden", "user:layla", "--by", "boss")
            revoked_at = time.monotonic()
            await asyncio.wait_for(listening, 5)  # closed, not after its 30-second re-check
            talking.cancel()
            for ws in sockets:
                await ws.close()
            await asyncio.gather(*draining)

        assert layla.close_code == 4404
        messages = [frame["message"] for _at, frame in received if frame["type"] == "message"]
        assert messages, "the room was talking before the revocation"
        late = [m["client_id"] for m in messages if sent_at[m["client_id"]] > revoked_at + 1.0]
        assert late == [], f"frames sent more than a second after the revocation reached the member: {late}"


async def test_asking_for_catch_up_without_reading_cannot_make_the_server_hold_memory(tmp_path):
    seed = {"members": ["layla"], "messages": {"author": "layla", "count": 500, "body": "شهادة " * 160}}
    with embedded_majlis(tmp_path, seed) as server:
        async with open_room(server, "layla") as warm:  # load every code path first
            await next_of(warm, "history")
            await warm.send(json.dumps({"type": "sync", "after": 0}))
            await next_of(warm, "sync")
        await asyncio.sleep(0.5)
        before = server.resident_kib()

        async with open_room(server, "layla", slow_reader=True) as ws:
            for _ in range(300):
                await ws.send(json.dumps({"type": "sync", "after": 0}))
            await asyncio.sleep(5)  # the server has answered every one of them by now
            held = server.resident_kib()
            kinds = []
            await ws.send(json.dumps({"type": "ping"}))
            while True:  # now read it all: the socket is still usable
                frame = json.loads(await asyncio.wait_for(ws.recv(), 20))
                kinds.append(frame.get("code") or frame["type"])
                if frame["type"] == "pong":
                    break
        assert kinds.count("rate_limited") > 200
        assert 1 <= kinds.count("sync") < 100
        assert held - before < 20 * 1024, f"the server grew by {(held - before) // 1024} MiB"


async def test_a_client_that_leaves_too_much_unread_is_closed_as_too_slow(tmp_path):
    senders = [f"s{n}" for n in range(12)]
    seed = {"members": ["layla", "sami", *senders], "messages": {"author": "sami", "count": 200, "body": "ش" * 3990}}
    env = {"MAJLIS_SOCKET_OUTPUT_LIMIT": str(64 * 1024)}
    with embedded_majlis(tmp_path, seed, env) as server:
        slow = await open_room(server, "layla", slow_reader=True)
        sockets = [await open_room(server, name).__aenter__() for name in senders]
        for ws in sockets:
            await next_of(ws, "history")
        draining = [asyncio.create_task(drain(ws)) for ws in sockets]
        # Catch-up answers of half a megabyte each fill every buffer between us and the client,
        for _ in range(24):  # paced, so that most are answered: the kernel's buffers fill too
            await slow.send(json.dumps({"type": "sync", "after": 0}))
            await asyncio.sleep(0.15)
        # …then the room talks: 60 messages of 8 KB, each sender within its flood limit.
        for n in range(5):
            for k, ws in enumerate(sockets):
                await ws.send(json.dumps({"type": "send", "body": "ش" * 3990, "client_id": f"b{n}-{k}"}))
        await asyncio.sleep(3)  # every message is out, and the close handshake timed out
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(slow.recv(), 10)
        for ws in sockets:
            await ws.close()
        heard = await asyncio.gather(*draining)
        assert all(sum(f["type"] == "message" for f in frames) == 60 for frames in heard)
        assert closed.value.rcvd is None or closed.value.rcvd.code == 4408
        # The server let go of it: the member is no longer online in the room.
        async with open_room(server, "sami") as sami:
            hello = await next_of(sami, "hello")
            presence = hello.get("online") or (await next_of(sami, "presence"))["online"]
            assert server.seeded["profiles"]["layla"] not in {person["id"] for person in presence}
