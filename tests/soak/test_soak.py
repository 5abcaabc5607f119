"""Soak: the deployment the README recommends, as it runs, for about two minutes.

README.md's production recipe is run as written (tests/soak/recipe.py): `migrate`,
`collectstatic` and two daphne processes with the recipe's flags, `MAJLIS_ENV=production`,
over the test's PostgreSQL database and a Redis this test starts and restarts itself. The
test talks to daphne as the README's TLS proxy would (`X-Forwarded-Proto: https`, the
page's own `https://` Origin). 60 members over both processes in two rooms:

1. a silent minute: every socket of one room, and most of the other's, says nothing for
   60 s while ten members talk; the processes' memory must not grow by more than 10 %;
2. Redis is restarted (everything it held is lost), both rooms talk;
3. a moderator bans a member from a socket on the other process, and an admin revokes a
   member's grant with `manage.py revoke`; neither member may receive a room frame more
   than a second after the change, and their sockets close with 4403 and 4404;
4. the talk goes on; messages must again arrive live within seconds;
5. at the end every other client has every message exactly once, in `seq` order, as the
   database has them, no socket was closed by the server, and each closes normally.

Runs when DATABASE_URL (PostgreSQL) and REDIS_URL are set: in CI, `.ci/run`'s second phase.
"""

import asyncio
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connections

from forum.services.accounts import create_member
from forum.services.grants import do_grant_permission
from realtime.models import Room, RoomBan, RoomMessage
from realtime.services import do_create_room
from tests.realtime.conftest import logged_in_client
from tests.realtime.processes import database_url_of_the_tests
from tests.soak.client import RoomClient
from tests.soak.recipe import deploy, read_recipe
from tests.soak.redis_server import RedisServer

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")),
        reason="the soak runs the PostgreSQL + Redis deployment: needs DATABASE_URL and REDIS_URL",
    ),
]

MEMBERS = 60
IDLE_SECONDS = 60
TALK_EVERY = (3.0, 5.0)      # seconds between two messages of one talker (flood limit: 5 in 5 s)
REDIS_DOWN_SECONDS = 2
TALK_AFTER_CHANGES = 12
LIVE_AGAIN_AFTER = 5         # after Redis is back, messages arrive live again within…
LIVE_WITHIN = 3              # …this many seconds of being stored
REVOCATION_WITHIN = 1.0
MEMORY_GROWTH = 1.10
WHOLE_RUN = 150              # seconds, from the first socket to the last close


@dataclass
class Member:
    username: str
    cookie: str
    slug: str
    process: int  # which of the two daphne processes its socket uses


@dataclass
class World:
    admin: str
    members: list[Member]
    talkers: dict[str, set[str]]   # room slug -> usernames of the members who talk there
    moderator: str                 # moderates aden, on process 1
    banned: str                    # in aden, on process 0
    revoked: str                   # in taiz by a grant of their own, on process 0


@pytest.fixture
def world(settings) -> World:
    """Two rooms, 60 members with a session each, an admin; made through the services."""
    # Only the test hashes passwords: the processes check sessions, never a password.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    admin = create_member(username="soak-admin", password="soak password 1", display_name="Soak Admin",
                          location="diaspora", is_superuser=True)
    rooms = {slug: do_create_room(slug=slug, name=slug.title()) for slug in ("aden", "taiz")}
    groups = {slug: Group.objects.create(name=f"{slug}-room") for slug in rooms}
    for slug, room in rooms.items():
        for perm in ("view_room", "post_in_room"):
            do_grant_permission(actor=admin, via="soak", perm=perm, obj=room, to=groups[slug])
    members, revoked = [], "m40"
    for n in range(MEMBERS):
        username, slug = f"m{n:02d}", "aden" if n < MEMBERS // 2 else "taiz"
        user = create_member(username=username, password="soak password 1", display_name=f"Soak {n:02d}",
                             location="in_country" if n % 3 else "diaspora")
        if username == revoked:  # a grant of their own, which the command takes back
            for perm in ("view_room", "post_in_room"):
                do_grant_permission(actor=admin, via="soak", perm=perm, obj=rooms[slug], to=user)
        else:
            user.groups.add(groups[slug])
        if username == "m01":
            do_grant_permission(actor=admin, via="soak", perm="moderate_room", obj=rooms["aden"], to=user)
        members.append(Member(username, logged_in_client(user).cookies["sessionid"].value, slug, n % 2))
    return World(
        admin=admin.username, members=members,
        talkers={"aden": {f"m{n:02d}" for n in range(10)}, "taiz": {f"m{n:02d}" for n in range(30, 40)}},
        moderator="m01", banned="m10", revoked=revoked,
    )


def resident_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError(f"no VmRSS for process {pid}")


def created_at(message: dict) -> float:
    return datetime.fromisoformat(message["created"].replace("Z", "+00:00")).timestamp()


def room_as_stored(slug: str) -> tuple[int, list[tuple]]:
    room = Room.objects.get(slug=slug)
    rows = RoomMessage.objects.filter(room=room).order_by("seq").values_list("public_id", "seq", "rev", "deleted")
    return room.rev, list(rows)


async def talk(clients: list[RoomClient], until: float, sent: list) -> None:
    """Each client sends a message every few seconds until `until` (when its socket is open)."""
    async def one(client: RoomClient) -> None:
        n = 0
        while True:
            await asyncio.sleep(random.uniform(*TALK_EVERY))
            if time.time() >= until:
                return
            frame = {"type": "send", "body": f"{client.name} says {n}", "client_id": f"{client.name}-{n}"}
            if await client.send(frame):
                sent.append((time.time(), client.slug, frame["client_id"]))
                n += 1

    await asyncio.gather(*(one(client) for client in clients))


async def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting until {what}")
        await asyncio.sleep(0.05)


async def test_the_readme_deployment_holds_sixty_members_through_silence_a_ban_a_revoke_and_a_redis_restart(
    world, tmp_path
):
    recipe = read_recipe()
    assert recipe.env.get("MAJLIS_ENV") == "production", "the README's recipe is the production one"
    assert len(recipe.servers) == 2, "the README's recipe starts two daphne processes"
    assert [words[1:3] for words in recipe.commands] == [
        ["manage.py", "migrate"], ["manage.py", "collectstatic"]], recipe.commands

    redis = RedisServer(tmp_path)
    redis.start()
    try:
        overrides = {
            # The test's own key, so the sessions it made are valid in the processes.
            "SECRET_KEY": settings.SECRET_KEY, "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url_of_the_tests(), "REDIS_URL": redis.url,
        }
        with deploy(recipe, overrides=overrides, logs=tmp_path) as deployment:
            report = await asyncio.wait_for(soak(world, deployment, redis), WHOLE_RUN)
    finally:
        redis.stop()
        # The database thread's connection would keep the test database from being dropped.
        await sync_to_async(connections.close_all, thread_sensitive=True)()
    logs = "\n".join(
        f"--- {path.name}:\n{path.read_text(errors='replace')[-3000:]}"
        for path in sorted(tmp_path.glob("server-*.log"))
    )
    assert not report, "\n".join(report) + "\n" + logs


async def soak(world: World, deployment, redis: RedisServer) -> list[str]:
    """Run the scenario; return what went wrong, one line each (empty: all held)."""
    problems: list[str] = []
    clients = {
        member.username: RoomClient(member.username, deployment.ports[member.process], member.cookie, member.slug)
        for member in world.members
    }
    runners = [asyncio.create_task(client.run()) for client in clients.values()]
    talkers = {slug: [clients[name] for name in sorted(names)] for slug, names in world.talkers.items()}
    sent: list = []
    moments = {"start": time.time()}
    try:
        await wait_until(lambda: all(c.connected.is_set() for c in clients.values()), 60, "every socket said hello")

        # Warm up the talking path, then 1: the silent minute.
        await talk(talkers["aden"], time.time() + TALK_EVERY[1] + 0.5, sent)
        pids = [process.pid for process in deployment.processes]
        before = [resident_kib(pid) for pid in pids]
        await talk(talkers["aden"], time.time() + IDLE_SECONDS, sent)
        after = [resident_kib(pid) for pid in pids]
        moments["silence"] = f"daphne memory {before} -> {after} KiB"
        for pid, start, end in zip(pids, before, after):
            if end > start * MEMORY_GROWTH:
                problems.append(f"daphne {pid} grew from {start} KiB to {end} KiB over the silent minute")

        # 2: Redis restarts while both rooms talk.
        talking = asyncio.create_task(talk(
            talkers["aden"] + talkers["taiz"], time.time() + REDIS_DOWN_SECONDS + 3 + TALK_AFTER_CHANGES, sent))
        await asyncio.sleep(1)
        moments["Redis stopped"] = time.time()
        await asyncio.to_thread(redis.stop)
        await asyncio.sleep(REDIS_DOWN_SECONDS)
        await asyncio.to_thread(redis.start)
        redis_back = moments["Redis back"] = time.time()
        await asyncio.sleep(3)

        # 3: a ban from a socket on the other process, a revoke from the command line.
        banned, revoked, moderator = clients[world.banned], clients[world.revoked], clients[world.moderator]
        assert banned.port != moderator.port
        await wait_until(moderator.connected.is_set, 15, "the moderator's socket is open")
        assert await moderator.send({"type": "ban", "user": banned.me["id"], "reason": "soak"})
        revoke = await asyncio.create_subprocess_exec(
            sys.executable, "manage.py", "revoke", "view_room", "room:taiz", f"user:{world.revoked}",
            "--by", world.admin, cwd=settings.BASE_DIR, env=deployment.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        ban_committed = moments["ban stored"] = await asyncio.wait_for(ban_stored(world.banned), 10)
        _out, err = await asyncio.wait_for(revoke.communicate(), 60)
        revoke_returned = moments["revoke returned"] = time.time()
        if revoke.returncode:
            problems.append(f"manage.py revoke failed: {err.decode()[-1000:]}")
        # 4: the talk goes on.
        await talking
        talk_end = moments["talk ended"] = time.time()

        # 5: everyone else catches up (as the browser does on its ping's `pong`).
        await asyncio.sleep(2)
        stored = {slug: await database_sync_to_async(room_as_stored)(slug) for slug in ("aden", "taiz")}
        staying = [c for c in clients.values() if c.name not in (world.banned, world.revoked)]
        for client in staying:
            await client.send({"type": "ping"})
        try:
            await wait_until(lambda: all(c.rev >= stored[c.slug][0] for c in staying), 20, "every client caught up")
        except AssertionError as late:
            problems.append(str(late))
    finally:
        for client in clients.values():
            client.stopping = True
        await asyncio.gather(*(client.close() for client in clients.values()), return_exceptions=True)
        _done, pending = await asyncio.wait(runners, timeout=20)
        for runner in pending:
            runner.cancel()

    problems += judge_closes(clients, world, moments["start"])
    problems += judge_revocation(banned, ban_committed, "banned")
    problems += judge_revocation(revoked, revoke_returned, "revoked")
    for client in staying:
        problems += judge_room(
            client, *stored[client.slug], live_from=redis_back + LIVE_AGAIN_AFTER, live_until=talk_end)
    if not sent:
        problems.append("nobody talked")
    if problems:
        problems.insert(0, "; ".join(
            f"{name} +{at - moments['start']:.1f} s" if isinstance(at, float) else at for name, at in moments.items()))
    return problems


async def ban_stored(username: str) -> float:
    """When the ban is in the database (it was committed by then)."""
    exists = database_sync_to_async(RoomBan.objects.filter(user__username=username).exists)
    while not await exists():
        await asyncio.sleep(0.05)
    return time.time()


def judge_closes(clients: dict[str, RoomClient], world: World, start: float) -> list[str]:
    problems = []
    expected = {world.banned: [4403], world.revoked: [4404]}
    for name, client in clients.items():
        if client.refusals:
            problems.append(f"{name}: handshakes refused with HTTP {client.refusals}")
        if client.closes != expected.get(name, []):
            when = ", ".join(f"+{at - start:.1f} s" for at in client.closed_at)
            problems.append(f"{name}: the server closed its socket with {client.closes} ({when}), "
                            f"expected {expected.get(name, 'nothing')}")
        if name not in expected and client.final_close != 1000:
            problems.append(f"{name}: our normal closure was answered with {client.final_close}")
    return problems


def judge_revocation(client: RoomClient, changed: float, what: str) -> list[str]:
    late = [(round(at - changed, 2), kind) for at, kind in client.frames if at > changed + REVOCATION_WITHIN]
    newer = [m["client_id"] for m in client.messages.values() if created_at(m) > changed + REVOCATION_WITHIN]
    problems = []
    if late:
        problems.append(f"the {what} member {client.name} received {len(late)} frames more than "
                        f"{REVOCATION_WITHIN} s after the change: {late[:5]}")
    if newer:
        problems.append(f"the {what} member {client.name} has messages written after the change: {newer[:5]}")
    return problems


def judge_room(client: RoomClient, rev: int, rows: list[tuple], *, live_from: float, live_until: float) -> list[str]:
    problems = []
    view = [(m["id"], m["seq"], m["rev"], m["deleted"]) for m in client.view()]
    if view != rows:
        missing = {row[1] for row in rows} - {entry[1] for entry in view}
        problems.append(f"{client.name} in {client.slug}: {len(view)} messages shown, {len(rows)} stored; "
                        f"missing seqs {sorted(missing)[:10]}")
    if client.rev != rev:
        problems.append(f"{client.name}: caught up to rev {client.rev} of {rev}")
    slow = []
    for message in client.messages.values():
        written = created_at(message)
        arrival = client.arrivals[message["id"]]
        if live_from <= written <= live_until and arrival.at - written > LIVE_WITHIN:
            slow.append((message["client_id"], round(arrival.at - written, 1), "live" if arrival.live else "sync"))
    if slow:
        problems.append(f"{client.name} in {client.slug}: {len(slow)} messages written after Redis came back "
                        f"arrived more than {LIVE_WITHIN} s late, e.g. {slow[:3]}")
    return problems
