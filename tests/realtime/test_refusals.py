"""A refusal reads the same on a page and on a socket: one check (realtime/checks.py) says
why, in the member's language, and both edges show its words (issue 12)."""

import html
import re
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone, translation

from forum import times
from forum.services.accounts import set_language
from realtime import checks
from realtime.models import RoomMessage
from realtime.services import mute_member, post_message, set_read_only
from tests.realtime.conftest import logged_in_client

pytestmark = pytest.mark.django_db(transaction=True)

LANGUAGES = ["en", "ar"]


def text_of(page, css_class: str) -> str:
    """The text of the first `<p class="…css_class…">` of a page, unescaped."""
    found = re.search(rf'<p class="{css_class}"[^>]*>(.*?)</p>', page.content.decode(), re.S)
    assert found, f"no {css_class} on the page"
    return html.unescape(found.group(1)).strip()


def refused_send_on_the_page(user, slug="aden") -> tuple[int, str]:
    page = logged_in_client(user).post(f"/rooms/{slug}/send/", {"body": "let me in", "client_id": "page"})
    return page.status_code, text_of(page, "error")


async def refused_send_on_a_socket(connect, user, slug="aden") -> dict:
    socket = await connect(user, slug)
    await socket.send({"type": "send", "body": "let me in", "client_id": "socket"})
    return await socket.expect("error")


def in_language(language: str, check, user, *args) -> str:
    """The check's words as the member reads them: in that language and their time zone."""
    with translation.override(language), timezone.override(times.zone_of(user)):
        try:
            check(user, *args)
        except Exception as error:  # the check's own words, to compare both edges with
            return error.detail
    raise AssertionError("the check let it through")


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_muted_member_reads_the_same_reason_on_the_page_and_on_the_socket(
    member, moderator, room, connect, language
):
    await database_sync_to_async(set_language)(member.profile, language)
    until = timezone.now() + timedelta(minutes=10)
    await database_sync_to_async(mute_member)(by=moderator, room=room, member=member, until=until)

    status, on_the_page = await database_sync_to_async(refused_send_on_the_page)(member)
    on_the_socket = await refused_send_on_a_socket(connect, member)

    assert status == 403 and on_the_socket["code"] == "muted"
    assert on_the_socket["detail"] == on_the_page
    expected = await database_sync_to_async(in_language)(language, checks.check_post_message, member, room)
    assert on_the_page == expected
    assert not await database_sync_to_async(RoomMessage.objects.exists)()


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_read_only_room_says_so_alike_on_the_page_and_on_the_socket(
    member, moderator, room, connect, language
):
    await database_sync_to_async(set_language)(member.profile, language)
    await database_sync_to_async(set_read_only)(by=moderator, room=room, on=True)

    status, on_the_page = await database_sync_to_async(refused_send_on_the_page)(member)
    on_the_socket = await refused_send_on_a_socket(connect, member)

    assert status == 403 and on_the_socket["code"] == "read_only"
    assert on_the_socket["detail"] == on_the_page


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_reader_without_the_post_grant_is_forbidden_in_the_same_words_on_both(
    make_member, make_room, connect, language
):
    reader = await database_sync_to_async(make_member)(language=language)
    await database_sync_to_async(make_room)("news", perms=("view_room",))

    page = await database_sync_to_async(lambda: logged_in_client(reader).get("/rooms/news/"))()
    on_the_page = text_of(page, "hint")  # no composer, the reason instead
    on_the_socket = await refused_send_on_a_socket(connect, reader, "news")

    assert on_the_socket["code"] == "forbidden"
    assert on_the_socket["detail"] == on_the_page


async def test_the_words_are_the_members_language(make_member, room, moderator, connect):
    """The same refusal, in English for one member and in Arabic for another."""
    english, arabic = [await database_sync_to_async(make_member)(language=code) for code in LANGUAGES]
    details = []
    for member in (english, arabic):
        socket = await connect(member)
        await socket.send({"type": "read_only", "on": True})  # a moderator's command
        frame = await socket.expect("error")
        assert frame["code"] == "forbidden"
        details.append(frame["detail"])
    assert details[0] == "Only the room's moderators can do this."
    assert details[1] == await database_sync_to_async(in_language)("ar", checks.check_moderate_room, arabic, room)
    assert details[1] != details[0]


def test_a_repeat_is_answered_to_a_member_muted_since_but_never_to_a_banned_one(member, moderator, room):
    from forum.errors import Forbidden
    from realtime.services import ban_member

    message, _ = post_message(author=member, room=room, body="once", client_id="r")
    mute_member(by=moderator, room=room, member=member, until=timezone.now() + timedelta(minutes=5))
    assert post_message(author=member, room=room, body="once", client_id="r") == (message, False)
    ban_member(by=moderator, room=room, member=member)
    with pytest.raises(Forbidden):
        post_message(author=member, room=room, body="once", client_id="r")
