"""Scale-out: two daphne processes sharing PostgreSQL and Redis serve one room together.

Runs when DATABASE_URL and REDIS_URL are set (always in CI, .ci/run): the processes use
the test database, whose rows a transactional test commits.
"""

import asyncio
import os
import subprocess
import sys

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from websockets.exceptions import ConnectionClosed

from forum.models.people import Location
from forum.sanitiser import render_markdown
from tests.realtime.conftest import logged_in_client
from tests.realtime.processes import child_env, daphne_processes, next_of, open_room

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")),
        reason="needs DATABASE_URL (PostgreSQL) and REDIS_URL",
    ),
]


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
                [sys.executable, "manage.py", "revoke", "view_room", "room:aden", "group:members", "--system"],
                cwd=settings.BASE_DIR, env=child_env(), check=True, capture_output=True, timeout=60,
            )
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    await asyncio.wait_for(receiver.recv(), 5)
            assert closed.value.rcvd.code == 4404
