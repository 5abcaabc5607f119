"""Presence and typing: `hello` says who is online, then the room hears only who came and
went (coalesced), a member online once however many tabs, hidden members never; and a
connect costs the same however many members are online."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum.models.people import Location
from forum.services.accounts import set_presence_hidden
from realtime.models import OpenSocket
from realtime.sockets import catch_up
from realtime.sockets.rooms import RoomSocket

pytestmark = pytest.mark.django_db(transaction=True)

# Hundreds of members are made here; Argon2 would spend a minute on their passwords.
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(make_member):
    def make():
        layla = make_member("layla", display_name="Layla")
        sami = make_member("sami", display_name="Sami", location=Location.DIASPORA)
        hidden = make_member("hidden", display_name="Ward")
        set_presence_hidden(hidden.profile, True)
        return layla, sami, hidden
    return make


def names(people):
    return [person["name"] for person in people]


async def test_hello_lists_who_is_online_then_the_room_hears_who_came_and_went_once_each(people, room, connect):
    layla, sami, _hidden = await database_sync_to_async(people)()
    first = await connect(layla)
    assert names(first.hello["online"]) == ["Layla"] and first.hello["online_count"] == 1
    await first.expect("presence.changed")  # Layla's own arrival, told to the room

    sami_tab = await connect(sami)
    assert names(sami_tab.hello["online"]) == ["Layla", "Sami"] and sami_tab.hello["online_count"] == 2
    changed = await first.expect("presence.changed")
    assert names(changed["joined"]) == ["Sami"] and changed["left"] == [] and changed["online_count"] == 2

    sami_other_tab = await connect(sami)  # already online: the room hears nothing
    assert sami_other_tab.hello["online_count"] == 2
    assert await first.communicator.receive_nothing(0.3)
    await sami_other_tab.close()
    assert await first.communicator.receive_nothing(0.3)

    await sami_tab.close()
    changed = await first.expect("presence.changed")
    assert changed["joined"] == [] and changed["left"] == [sami_tab.hello["me"]["id"]]
    assert changed["online_count"] == 1


async def test_a_member_hiding_presence_is_never_listed_nor_counted_yet_sees_the_others(people, room, connect):
    layla, _sami, hidden = await database_sync_to_async(people)()
    first = await connect(layla)
    await first.expect("presence.changed")

    ward = await connect(hidden)
    assert names(ward.hello["online"]) == ["Layla"] and ward.hello["online_count"] == 1
    assert await first.communicator.receive_nothing(0.3)  # no frame at all
    await ward.close()
    assert await first.communicator.receive_nothing(0.3)


async def test_joins_within_the_interval_are_told_in_one_frame(people, make_member, room, connect, settings):
    settings.MAJLIS_PRESENCE_SECONDS = 1.0
    layla, sami, _hidden = await database_sync_to_async(people)()
    noor = await database_sync_to_async(make_member)(display_name="Noor")
    first = await connect(layla)
    await first.expect("presence.changed", timeout=3)
    await connect(sami)
    await connect(noor)
    changed = await first.expect("presence.changed", timeout=3)
    assert names(changed["joined"]) == ["Noor", "Sami"] and changed["online_count"] == 3
    assert await first.communicator.receive_nothing(0.5)


async def test_with_300_members_online_one_more_joining_is_one_frame_to_each(make_member, room, connect, settings):
    settings.PASSWORD_HASHERS = FAST_HASHER
    members = await database_sync_to_async(lambda: [make_member(display_name=f"Member {n:03}") for n in range(301)])()
    sockets = [await connect(member) for member in members[:300]]
    assert sockets[-1].hello["online_count"] == 300 and len(sockets[-1].hello["online"]) == 100
    # Arrivals are told at most once a second: wait until the last one has been told (the
    # first socket hears every arrival after its own), then drain what each socket heard.
    while (await sockets[0].expect("presence.changed", timeout=5))["online_count"] < 300:
        pass
    await asyncio.sleep(0.2)
    for socket in sockets:  # whatever the arrivals told
        while not await socket.communicator.receive_nothing(0.01):
            assert (await socket.receive())["type"] == "presence.changed"

    newcomer = await connect(members[300])
    assert newcomer.hello["online_count"] == 301
    for socket in sockets:
        changed = await socket.expect("presence.changed")
        assert names(changed["joined"]) == ["Member 300"] and changed["online_count"] == 301
    await asyncio.sleep(0.3)
    for socket in sockets:
        assert await socket.communicator.receive_nothing(0.001)


def queries_to_open_a_room_socket(room, member, client) -> int:
    socket = RoomSocket()
    socket.scope = {"type": "websocket", "url_route": {"kwargs": {"slug": room.slug}}}
    socket.session_key, socket.user_pk, socket.channel_name = client.session.session_key, member.pk, "test!probe"
    catch_up.forget()  # the room's history read too, not kept from an earlier connect
    with CaptureQueriesContext(connection) as queries:
        opened = socket._open(None, read_online=True)  # the most a connect reads
    assert opened.close_code is None and opened.came and '"type":"history"' in opened.catch_up
    OpenSocket.objects.filter(channel_name="test!probe").delete()
    return len(queries)


@pytest.mark.parametrize("online", [3, 300])
def test_a_connect_reads_the_same_number_of_queries_with_3_or_300_members_online(make_member, room, online, settings):
    from tests.realtime.conftest import logged_in_client

    settings.PASSWORD_HASHERS = FAST_HASHER
    others = [make_member(display_name=f"Online {n:03}") for n in range(online)]
    OpenSocket.objects.bulk_create([
        OpenSocket(channel_name=f"test!{n}", room=room, user=user) for n, user in enumerate(others)
    ])
    member = make_member(display_name="Newcomer")
    assert queries_to_open_a_room_socket(room, member, logged_in_client(member)) == EXPECTED_CONNECT_QUERIES


# The standing log's latest id with the session; the session and its user; the room with the
# member's ban and mute; the grants; whether the member was online; their presence row;
# who is online (at most once a second per room and process); the history.
EXPECTED_CONNECT_QUERIES = 8


async def test_typing_goes_to_the_others_once_per_interval(people, room, connect):
    layla, sami, _hidden = await database_sync_to_async(people)()
    typist, typist_other_tab, reader = await connect(layla), await connect(layla), await connect(sami)
    for socket in (typist, typist_other_tab, reader):
        await socket.nothing_but_background(0.3)

    await typist.send({"type": "typing"})
    await typist.send({"type": "typing"})  # within 3 seconds: dropped

    assert await reader.expect("typing") == {"type": "typing", "user": typist.hello["me"]}
    await reader.nothing_but_background(0.1)
    assert "typing" not in {f["type"] for f in await typist.nothing_but_background(0.05)}
    assert "typing" not in {f["type"] for f in await typist_other_tab.nothing_but_background(0.05)}


async def test_typing_is_sent_again_after_the_interval(people, room, connect, settings):
    settings.MAJLIS_TYPING_INTERVAL = 0
    layla, sami, _hidden = await database_sync_to_async(people)()
    typist, reader = await connect(layla), await connect(sami)
    for _ in range(2):
        await typist.send({"type": "typing"})
        assert (await reader.expect("typing"))["user"]["name"] == "Layla"


async def test_a_member_hiding_presence_does_not_show_typing(people, room, connect):
    layla, _sami, hidden = await database_sync_to_async(people)()
    reader, ward = await connect(layla), await connect(hidden)
    await reader.nothing_but_background(0.3)
    await ward.send({"type": "typing"})
    await ward.send({"type": "ping"})
    await ward.expect("pong")
    assert "typing" not in {f["type"] for f in await reader.nothing_but_background(0.1)}


async def test_the_process_keeps_the_presence_rows_of_its_open_sockets_fresh(people, room, connect, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.MAJLIS_SOCKET_RECHECK_SECONDS = 0.3
    layla, _sami, _hidden = await database_sync_to_async(people)()
    socket = await connect(layla)
    long_ago = timezone.now() - timedelta(hours=1)
    await database_sync_to_async(lambda: OpenSocket.objects.update(seen_at=long_ago))()
    await asyncio.sleep(1.0)  # past one round of the process's timer, not yet a sweep
    rows = await database_sync_to_async(lambda: list(OpenSocket.objects.values_list("seen_at", flat=True)))()
    assert len(rows) == 1 and rows[0] > long_ago + timedelta(minutes=59)
    await socket.close()


def test_a_crowded_room_hears_of_presence_less_often_so_that_a_process_sends_a_bounded_number(settings):
    from realtime.sockets.presence import PRESENCE_SENDS_PER_SECOND, RoomPresence

    settings.MAJLIS_PRESENCE_SECONDS = 1.0
    room = RoomPresence("crowded")
    room.sockets = 300
    assert room.interval() == 1.0
    room.sockets = 5 * PRESENCE_SENDS_PER_SECOND
    assert room.interval() == 5.0


async def test_a_crowd_arriving_at_once_is_listed_only_up_to_what_hello_lists(room, settings):
    """Each presence frame goes to every socket of the room: listing all of a reconnecting
    crowd in it made a crowd's arrival cost O(n²) bytes (108 KB per socket held by the
    server with 5,000 members, bench/sockets.py); the count still says how many are here."""
    import json

    from channels.layers import get_channel_layer

    from realtime import broadcast, selectors
    from realtime.sockets.presence import RoomPresence

    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(broadcast.room_group("aden"), channel)
    presence = RoomPresence("aden")
    for n in range(250):
        presence.came({"id": f"p{n:03}", "name": f"Member {n:03}"})
    await presence.tell_soon()
    text = (await layer.receive(channel))["text"]
    frame = json.loads(text)
    assert frame["type"] == "presence.changed"
    assert len(frame["joined"]) == selectors.ONLINE_LISTED == 100
    assert len(text) < 100 * 60
    assert presence.view.count() == 250  # this process still knows them all
