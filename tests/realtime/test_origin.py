"""A socket from another origin is refused at the handshake, before any app code runs."""

import pytest
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.testing import WebsocketCommunicator

from realtime.origin import SameOriginValidator


class Echo(AsyncWebsocketConsumer):
    async def connect(self):
        await self.accept()


def communicator(origin, host="127.0.0.1:8000", scheme="ws"):
    headers = [(b"host", host.encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    comm = WebsocketCommunicator(SameOriginValidator(Echo.as_asgi()), "/ws/x/", headers=headers)
    comm.scope["scheme"] = scheme
    return comm


@pytest.mark.parametrize("origin, host, scheme", [
    ("http://127.0.0.1:8000", "127.0.0.1:8000", "ws"),
    ("http://localhost:8000", "localhost:8000", "ws"),
    ("http://[::1]:8000", "[::1]:8000", "ws"),
    ("https://localhost", "localhost", "wss"),
])
async def test_same_origin_sockets_are_accepted(origin, host, scheme):
    comm = communicator(origin, host, scheme)
    connected, _ = await comm.connect()
    assert connected
    await comm.disconnect()


@pytest.mark.parametrize("origin, host, scheme", [
    (None, "127.0.0.1:8000", "ws"),  # no Origin at all
    ("null", "127.0.0.1:8000", "ws"),
    ("https://evil.example", "127.0.0.1:8000", "ws"),
    ("http://127.0.0.1:9999", "127.0.0.1:8000", "ws"),  # another port
    ("https://127.0.0.1:8000", "127.0.0.1:8000", "ws"),  # another scheme
    ("http://localhost:8000", "127.0.0.1:8000", "ws"),  # another host
    ("http://evil.example:8000", "evil.example:8000", "ws"),  # same, but not an allowed host
    ("http://127.0.0.1:8000.evil.example", "127.0.0.1:8000", "ws"),
    ("http://127.0.0.1:notaport", "127.0.0.1:8000", "ws"),
])
async def test_foreign_or_missing_origins_are_refused_at_the_handshake(origin, host, scheme):
    comm = communicator(origin, host, scheme)
    connected, code = await comm.connect()
    assert not connected
    await comm.disconnect()
