"""The one socket lifecycle (realtime/sockets/base.py), for each of the three sockets: a
periodic re-check the database could not answer is tried again at the next interval,
never abandoned, and the socket closes once its session really ends."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from django.contrib.sessions.models import Session
from django.db import OperationalError

from forum.services.content import do_create_category, start_thread
from forum.services.grants import do_grant_permission
from realtime import selectors
from realtime.sockets import feeds
from tests.realtime.conftest import Socket, logged_in_client, open_communicator

pytestmark = pytest.mark.django_db(transaction=True)


class FailingOnce:
    """Wraps a selector: the first call after `arm()` raises a database error."""

    def __init__(self, real):
        self.real, self.armed, self.calls, self.failed = real, False, 0, 0

    def arm(self):
        self.armed = True

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.armed:
            self.armed, self.failed = False, self.failed + 1
            raise OperationalError("the database went away for a moment")
        return self.real(*args, **kwargs)


@pytest.fixture
def thread_path(db, member):
    def make():
        category = do_create_category(slug="campaigns", name="Campaigns")
        do_grant_permission(actor=None, via="tests", perm="view_category", obj=category, to=member)
        do_grant_permission(actor=None, via="tests", perm="post_in_category", obj=category, to=member)
        thread = start_thread(author=member, category=category, title="Plans", body="Soon.")
        return f"/ws/threads/{thread.public_id}/"
    return make


@pytest.mark.parametrize("which", ["room", "notifications", "thread"])
async def test_a_failed_periodic_recheck_is_retried_and_the_socket_closes_when_the_session_ends(
    member, room, connect, thread_path, settings, monkeypatch, which,
):
    settings.MAJLIS_SOCKET_RECHECK_SECONDS = 0.3
    if which == "room":
        probe = FailingOnce(selectors.socket_standing)
        monkeypatch.setattr(selectors, "socket_standing", probe)
        socket = await connect(member)
    else:
        probe = FailingOnce(feeds.session_user)
        monkeypatch.setattr(feeds, "session_user", probe)
        path = "/ws/notifications/" if which == "notifications" else await database_sync_to_async(thread_path)()
        client = await database_sync_to_async(logged_in_client)(member)
        socket = Socket(await open_communicator(path, client), client)
        if which == "notifications":
            await socket.expect("unread")

    probe.arm()
    await asyncio.sleep(1.2)  # the failed check, then at least two more intervals
    assert probe.failed == 1 and probe.calls >= 3, "the re-checks stopped after the failure"
    await socket.send({"type": "ping"})
    assert (await socket.expect("pong"))["type"] == "pong"  # and the socket stayed open

    await database_sync_to_async(lambda: Session.objects.all().delete())()
    await socket.expect_closed(4401, timeout=2)
