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


def queries_to_open_a_room_socket(room, member, client) -> list[str]:
    socket = RoomSocket()
    socket.scope = {"type": "websocket", "url_route": {"kwargs": {"slug": room.slug}}}
    socket.session_key, socket.user_pk, socket.channel_name = client.session.session_key, member.pk, "test!probe"
    catch_up.forget()  # the room's history read too, not kept from an earlier connect
    with CaptureQueriesContext(connection) as queries:
        opened = socket._open(None, read_online=True)  # the most a connect reads
    assert opened.close_code is None and opened.came and '"type":"history"' in opened.catch_up
    OpenSocket.objects.filter(channel_name="test!probe").delete()
    return [query["sql"] for query in queries]


@pytest.mark.parametrize("online", [3, 300])
def test_a_connect_reads_the_same_number_of_queries_with_3_or_300_members_online(make_member, room, online, settings):
    from tests.realtime.conftest import logged_in_client

    settings.PASSWORD_HASHERS = FAST_HASHER
    others = [make_member(display_name=f"Online {n:03}") for n in range(online)]
    OpenSocket.objects.bulk_create([
        OpenSocket(channel_name=f"test!{n}", room=room, user=user) for n, user in enumerate(others)
    ])
    member = make_member(display_name="Newcomer")
    assert len(queries_to_open_a_room_socket(room, member, logged_in_client(member))) == EXPECTED_CONNECT_QUERIES


def test_a_connect_reads_its_session_row_once(make_member, room, settings):
    """The row was read (and decoded) twice per connect: once to learn whose socket it is,
    once more by the check that followed in the same trip to the database thread."""
    from django.contrib.sessions.models import Session

    from tests.realtime.conftest import logged_in_client

    settings.PASSWORD_HASHERS = FAST_HASHER
    member = make_member(display_name="Newcomer")
    queries = queries_to_open_a_room_socket(room, member, logged_in_client(member))
    assert sum(Session._meta.db_table in query for query in queries) == 1


# The standing log's latest id with the session (read and decoded once); the user and their
# profile; the room with the member's ban and mute; the grants; whether the member was online;
# their presence row; who is online (the room's first connect in a process, then only as a
# safety net: realtime/sockets/presence.py); the history.
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


async def test_a_crowd_connecting_reads_who_is_online_once_not_once_a_second(make_member, room, connect, settings,
                                                                            monkeypatch):
    """A process keeps who is online from its own sockets' comings and goings: reading every
    member online once a second while a crowd arrives made a connect cost more in a fuller
    room (bench/sockets.py, 5,000 members)."""
    from realtime import selectors

    settings.PASSWORD_HASHERS = FAST_HASHER
    reads, read_online = [], selectors.online_rows

    def counted(room):
        reads.append(room.slug)
        return read_online(room)

    monkeypatch.setattr(selectors, "online_rows", counted)
    members = await database_sync_to_async(lambda: [make_member(display_name=f"Member {n}") for n in range(5)])()
    sockets = []
    for member in members:
        sockets.append(await connect(member))
        await asyncio.sleep(settings.MAJLIS_PRESENCE_SECONDS * 1.5)  # past the interval of the old re-reads
    assert len(reads) == 1  # the room's first connect in this process
    assert names(sockets[-1].hello["online"]) == [f"Member {n}" for n in range(5)]
    assert sockets[-1].hello["online_count"] == 5
    await sockets[0].close()
    late = await connect(await database_sync_to_async(make_member)(display_name="Late"))
    assert late.hello["online_count"] == 5 and "Member 0" not in names(late.hello["online"])
    assert len(reads) == 1


async def test_a_frame_from_another_process_that_may_leave_arrivals_out_makes_the_next_connect_read_again(
    make_member, room, connect, settings, monkeypatch,
):
    """Another process's frame lists at most ONLINE_LISTED arrivals: past that, this process
    cannot know who else came, and asks the database (at most once per interval)."""
    from realtime import broadcast, protocol, selectors
    from realtime.sockets import presence

    settings.PASSWORD_HASHERS = FAST_HASHER
    layla, sami = await database_sync_to_async(lambda: [make_member(display_name=n) for n in ("Layla", "Sami")])()
    await connect(layla)
    crowd = [{"id": f"p-far-{n:03}", "name": f"Far {n:03}"} for n in range(selectors.ONLINE_LISTED)]
    presence.heard(room.slug, broadcast.encode(protocol.presence_changed(crowd, [], 150)))
    assert presence.online_view(room.slug).count() == 101
    reads, read_online = [], selectors.online_rows

    def counted(room):
        reads.append(room.slug)
        return read_online(room)

    monkeypatch.setattr(selectors, "online_rows", counted)
    await asyncio.sleep(settings.MAJLIS_PRESENCE_SECONDS * 1.5)
    second = await connect(sami)
    assert reads == [room.slug]
    # The database knows of nobody far away (they are made up): the view now says what it says.
    assert names(second.hello["online"]) == ["Layla", "Sami"] and second.hello["online_count"] == 2


def test_a_change_noted_while_the_online_view_is_read_survives_the_read():
    """The read may or may not have seen a change noted while it was under way: applied
    again after it, the change holds either way."""
    from realtime.sockets.presence import OnlineView

    view = OnlineView()
    assert view.claim_read() and not view.claim_read()  # one read at a time
    view.add("p-noor", "Noor")
    view.remove("p-sami")
    view.read([("p-layla", "Layla"), ("p-sami", "Sami")])
    assert view.people == {"p-layla": "Layla", "p-noor": "Noor"}
    assert [p["name"] for p in view.listed()] == ["Layla", "Noor"]
    assert not view.claim_read()  # fresh now


def test_a_read_that_was_not_made_lets_the_next_connect_read():
    from realtime.sockets.presence import OnlineView

    view = OnlineView()
    assert view.claim_read()
    view.add("p-noor", "Noor")
    view.read(None)  # the connect was refused before it read
    assert view.claim_read()


async def test_a_process_own_presence_frame_coming_back_does_not_bring_back_who_left_meanwhile(room):
    from channels.layers import get_channel_layer

    from realtime import broadcast
    from realtime.sockets import presence

    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(broadcast.room_group(room.slug), channel)
    presence.came(room.slug, {"id": "p-noor", "name": "Noor"})
    told = (await asyncio.wait_for(layer.receive(channel), 2))["text"]
    presence.went(room.slug, "p-noor")  # before the room's hub hands the frame back
    presence.heard(room.slug, told)
    assert presence.online_view(room.slug).count() == 0


def test_hello_with_its_online_list_encoded_once_is_the_same_text_as_hello_encoded_whole(member, room):
    from realtime import broadcast, protocol
    from realtime.sockets.presence import OnlineView

    room.topic = 'A "quoted" topic, "online":null and \u0661\u0662'
    view = OnlineView()
    view.add("p-1", "Layla")
    view.add("p-2", "نور")
    whole = broadcast.encode(protocol.hello(
        room, member.profile, can_post=True, can_moderate=False, online=view.listed(), online_count=2,
    ))
    spliced = protocol.hello_text(
        room, member.profile, can_post=True, can_moderate=False, online_text=view.listed_text(), online_count=2,
    )
    assert spliced == whole
    view.add("p-3", "Sami")
    assert '"Sami"' in view.listed_text()  # kept only until the list changes
