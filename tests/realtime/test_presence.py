"""Presence and typing: told to the room, a member online once however many tabs, hidden members never."""

import pytest
from channels.db import database_sync_to_async

from forum.models.people import Location
from forum.services.accounts import update_profile

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people(make_member):
    def make():
        layla = make_member("layla", display_name="Layla")
        sami = make_member("sami", display_name="Sami", location=Location.DIASPORA)
        hidden = make_member("hidden", display_name="Ward")
        update_profile(hidden.profile, hide_presence=True)
        return layla, sami, hidden
    return make


def names(frame):
    return [person["name"] for person in frame["online"]]


async def test_presence_goes_to_the_room_on_join_and_leave_with_each_member_once(people, room, connect):
    layla, sami, _hidden = await database_sync_to_async(people)()
    first = await connect(layla)
    assert names(await first.expect("presence")) == ["Layla"]

    sami_tab = await connect(sami)
    assert names(await first.expect("presence")) == ["Layla", "Sami"]
    assert names(await sami_tab.expect("presence")) == ["Layla", "Sami"]

    sami_other_tab = await connect(sami)  # already online: the room hears nothing
    assert names(await sami_other_tab.expect("presence")) == ["Layla", "Sami"]
    assert await first.communicator.receive_nothing(0.1)
    await sami_other_tab.close()
    assert await first.communicator.receive_nothing(0.1)

    await sami_tab.close()
    assert names(await first.expect("presence")) == ["Layla"]


async def test_a_member_hiding_presence_is_never_listed_yet_sees_the_others(people, room, connect):
    layla, _sami, hidden = await database_sync_to_async(people)()
    first = await connect(layla)
    await first.expect("presence")

    ward = await connect(hidden)

    assert names(await ward.expect("presence")) == ["Layla"]
    assert await first.communicator.receive_nothing(0.1)  # not even an unchanged list
    await ward.close()
    assert await first.communicator.receive_nothing(0.1)


async def test_typing_goes_to_the_others_once_per_interval(people, room, connect):
    layla, sami, _hidden = await database_sync_to_async(people)()
    typist, typist_other_tab, reader = await connect(layla), await connect(layla), await connect(sami)
    for socket in (typist, typist_other_tab, reader):
        await socket.nothing_but_background()

    await typist.send({"type": "typing"})
    await typist.send({"type": "typing"})  # within 3 seconds: dropped

    assert await reader.receive() == {"type": "typing", "user": typist.hello["me"]}
    assert await reader.communicator.receive_nothing(0.1)
    assert await typist.communicator.receive_nothing(0.05)
    assert await typist_other_tab.communicator.receive_nothing(0.05)


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
    await reader.nothing_but_background()
    await ward.send({"type": "typing"})
    await ward.send({"type": "ping"})
    await ward.expect("pong")
    assert await reader.communicator.receive_nothing(0.1)
