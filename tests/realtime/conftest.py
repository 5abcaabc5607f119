"""Fixtures for rooms: rooms made by the services, and sockets on the real ASGI application."""

import inspect
import json

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels import DEFAULT_CHANNEL_LAYER
from channels.layers import channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import Group
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client

from config.asgi import application
from forum.services.grants import do_grant_permission
from realtime.services import do_create_room
from tests.logins import log_in

ORIGIN_HEADERS = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
# Frames that arrive whenever someone comes or goes; most tests look past them.
BACKGROUND = {"presence.changed", "typing"}


@pytest.fixture(autouse=True)
def fast_socket_settings(settings):
    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, "room_message": (5, 5)}
    settings.MAJLIS_TYPING_INTERVAL = 3
    settings.MAJLIS_SOCKET_RECHECK_SECONDS = 30
    settings.MAJLIS_PRESENCE_SECONDS = 0.1
    # Typing is throttled in memory, per process: start every test afresh.
    from realtime.services import presence

    presence._last_typing.clear()


def _close_database_thread_connections() -> None:
    # Connections persist (CONN_MAX_AGE), so the one Channels' database thread opened
    # would outlive the test: the next test without a database would trip over its
    # health check, and PostgreSQL could not drop the test database at the end. Django
    # never closes an in-memory SQLite connection (it would lose the database): close it
    # all the same, the main thread's connection keeps the data.
    for wrapper in connections.all(initialized_only=True):
        if wrapper.connection is None:
            continue
        if wrapper.vendor == "sqlite" and wrapper.is_in_memory_db():
            BaseDatabaseWrapper.close(wrapper)
        else:
            wrapper.close()


@pytest.fixture(autouse=True)
async def isolate_socket_tests(request):
    """Around a test on sockets: a fresh channel layer and database thread.

    Each test runs in its own event loop, and a channel layer keeps loop-bound state
    (channels-redis' receive lock), so the layer instance is dropped after flushing it.
    The database thread's connections are closed before and after: a socket that was
    still closing when an earlier test ended may have opened one.
    """
    if not inspect.iscoroutinefunction(request.function):
        yield
        return
    await sync_to_async(_close_database_thread_connections, thread_sensitive=True)()
    yield
    try:
        await get_channel_layer().flush()
    except RuntimeError:
        # channels-redis may hold a connection a synchronous publish opened on another
        # event loop; it cannot be closed from this one. Dropping the layer forgets it.
        pass
    finally:
        channel_layers.backends.pop(DEFAULT_CHANNEL_LAYER, None)
    await sync_to_async(_close_database_thread_connections, thread_sensitive=True)()


@pytest.fixture
def make_room(db):
    def make(slug="aden", *, name=None, grant_to="members", perms=("view_room", "post_in_room"), **fields):
        room = do_create_room(slug=slug, name=name or slug.title(), **fields)
        if grant_to:
            group = Group.objects.get_or_create(name=grant_to)[0]
            for perm in perms:
                do_grant_permission(actor=None, via="tests", perm=perm, obj=room, to=group)
        return room

    return make


@pytest.fixture
def room(make_room):
    return make_room("aden", name="Aden")


@pytest.fixture
def grant(db):
    def give(perm, room, to):
        do_grant_permission(actor=None, via="tests", perm=perm, obj=room, to=to)

    return give


@pytest.fixture
def moderator(make_member, room, grant):
    user = make_member("mod", display_name="Noor")
    grant("moderate_room", room, user)
    return user


def logged_in_client(user, *, second_factor: bool = True) -> Client:
    return log_in(user, second_factor=second_factor)


class Socket:
    """A WebsocketCommunicator with the helpers the tests read as sentences."""

    def __init__(self, communicator: WebsocketCommunicator, client: Client):
        self.communicator, self.client = communicator, client
        self.hello = self.catch_up = None

    async def send(self, frame) -> None:
        text = frame if isinstance(frame, str) else json.dumps(frame)
        await self.communicator.send_to(text_data=text)

    async def receive(self, timeout: float = 2) -> dict:
        output = await self.communicator.receive_output(timeout)
        if output["type"] == "websocket.close":
            return {"type": "<closed>", "code": output.get("code")}
        return json.loads(output["text"])

    async def expect(self, *kinds: str, timeout: float = 2) -> dict:
        """The next frame of one of these types, looking past presence and typing frames."""
        while True:
            frame = await self.receive(timeout)
            if frame["type"] in kinds:
                return frame
            assert frame["type"] in BACKGROUND - set(kinds), f"expected {kinds}, got {frame}"

    async def expect_closed(self, code: int, timeout: float = 2) -> None:
        frame = await self.expect("<closed>", timeout=timeout)
        assert frame["code"] == code

    async def nothing_but_background(self, timeout: float = 0.2) -> list[dict]:
        """Wait a little; return the background frames that came, fail on any other."""
        seen = []
        while not await self.communicator.receive_nothing(timeout):
            frame = await self.receive()
            assert frame["type"] in BACKGROUND, f"unexpected {frame}"
            seen.append(frame)
        return seen

    async def close(self) -> None:
        await self.communicator.disconnect()


async def open_communicator(path: str, client: Client | None, headers=ORIGIN_HEADERS) -> WebsocketCommunicator:
    headers = list(headers)
    if client is not None and "sessionid" in client.cookies:
        headers.append((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect()
    assert connected, "the handshake was refused"
    return communicator


@pytest.fixture
async def connect():
    """`await connect(user, "aden")`: a socket past hello and history (or sync)."""
    sockets: list[Socket] = []

    async def open_socket(user, slug="aden", *, query="", client=None, expect_open=True) -> Socket:
        if client is None and user is not None:
            client = await database_sync_to_async(logged_in_client)(user)
        socket = Socket(await open_communicator(f"/ws/rooms/{slug}/{query}", client), client)
        sockets.append(socket)
        if expect_open:
            socket.hello = await socket.expect("hello")
            socket.catch_up = await socket.expect("history", "sync")
        return socket

    yield open_socket
    for socket in sockets:
        await socket.communicator.disconnect()
