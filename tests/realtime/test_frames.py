"""Every client frame of the protocol table, and every error: each answered, none closing the socket."""

import json

import pytest
from channels.db import database_sync_to_async

from forum.models.people import Location
from forum.sanitiser import render_markdown
from realtime.models import RoomMessage
from realtime.services import mute_member, post_message, set_read_only, set_slow_mode

pytestmark = pytest.mark.django_db(transaction=True)


def stored_bodies(room):
    return list(RoomMessage.objects.filter(room=room).order_by("seq").values_list("body_source", flat=True))


async def still_usable(socket):
    await socket.send({"type": "ping"})
    assert (await socket.expect("pong"))["type"] == "pong"


async def test_send_reaches_everyone_in_the_room_sender_included(member, make_member, room, connect):
    other = await database_sync_to_async(make_member)(display_name="Sami", location=Location.DIASPORA)
    sender, receiver = await connect(member), await connect(other)

    await sender.send({"type": "send", "body": "صباح الخير *all*", "client_id": "abc-1_Z"})

    for socket in (sender, receiver):
        message = (await socket.expect("message"))["message"]
        assert message["body_html"] == render_markdown("صباح الخير *all*")
        assert (message["seq"], message["rev"], message["client_id"]) == (1, 1, "abc-1_Z")
        assert message["author"] == sender.hello["me"]


async def test_the_same_client_id_twice_stores_one_message_and_answers_with_it(member, make_member, room, connect):
    other = await database_sync_to_async(make_member)()
    sender, receiver = await connect(member), await connect(other)
    frame = {"type": "send", "body": "once", "client_id": "same"}

    await sender.send(frame)
    first = (await sender.expect("message"))["message"]
    await sender.send({**frame, "body": "a different text, same id"})
    repeat = (await sender.expect("message"))["message"]

    assert repeat == first
    assert await database_sync_to_async(stored_bodies)(room) == ["once"]
    await receiver.expect("message")
    await receiver.nothing_but_background()  # the repeat is not broadcast


async def test_a_body_must_have_1_to_4000_characters_after_trimming(member, room, connect):
    socket = await connect(member)
    await socket.send({"type": "send", "body": "   \n ", "client_id": "e"})
    assert await socket.expect("error") == {
        "type": "error", "code": "bad_request", "detail": "A message cannot be empty.", "ref": "e"}
    await socket.send({"type": "send", "body": "x" * 4001, "client_id": "l"})
    error = await socket.expect("error")
    assert (error["code"], error["ref"]) == ("too_long", "l")
    await socket.send({"type": "send", "body": "  " + "x" * 4000 + "  ", "client_id": "ok"})
    assert (await socket.expect("message"))["message"]["client_id"] == "ok"
    assert [len(b) for b in await database_sync_to_async(stored_bodies)(room)] == [4000]


@pytest.mark.parametrize("client_id", ["", "x" * 65, "has space", "é", "a/b", 7, None])
async def test_a_client_id_must_be_1_to_64_of_the_allowed_characters(member, room, connect, client_id):
    socket = await connect(member)
    await socket.send({"type": "send", "body": "hi", "client_id": client_id})
    assert (await socket.expect("error"))["code"] == "bad_request"
    assert await database_sync_to_async(stored_bodies)(room) == []
    await still_usable(socket)


@pytest.mark.parametrize("text", [
    "not json", "[1, 2]", '"a string"', "null", '{"no": "type"}', '{"type": "dance"}',
    '{"type": "send", "body": "hi"}', '{"type": "send", "body": 5, "client_id": "a"}',
    '{"type": "history", "before": "3"}', '{"type": "history", "limit": 0}', '{"type": "history", "limit": 101}',
    '{"type": "history", "limit": true}', '{"type": "sync"}', '{"type": "sync", "after": -1}',
    '{"type": "edit", "id": "x"}', '{"type": "delete"}', '{"type": "report", "id": "x"}',
    '{"type": "sync", "after": NaN}',
])
async def test_a_malformed_frame_gets_bad_request_and_the_socket_stays_usable(member, room, connect, text):
    socket = await connect(member)
    await socket.send(text)
    error = await socket.expect("error")
    assert error["code"] == "bad_request" and error["detail"]
    await still_usable(socket)


async def test_a_binary_frame_gets_bad_request(member, room, connect):
    socket = await connect(member)
    await socket.communicator.send_to(bytes_data=b'{"type":"ping"}')
    assert (await socket.expect("error"))["code"] == "bad_request"


async def test_a_frame_over_64_kib_gets_too_long_without_being_parsed(member, room, connect):
    socket = await connect(member)
    # Parsed, this frame would carry its client_id back as `ref`.
    await socket.send({"type": "send", "body": "x" * 70_000, "client_id": "big"})
    assert await socket.expect("error") == {
        "type": "error", "code": "too_long", "detail": "A frame can have at most 64 KiB.", "ref": None}
    # 33,000 Arabic letters are 66,000 bytes: the limit counts bytes, not characters.
    await socket.send({"type": "send", "body": "ب" * 33_000, "client_id": "big"})
    assert (await socket.expect("error"))["ref"] is None
    await still_usable(socket)


async def test_a_frame_just_under_64_kib_is_parsed(member, room, connect):
    socket = await connect(member)
    frame = json.dumps({"type": "send", "body": "x" * 65_000, "client_id": "near"})
    assert len(frame) <= 64 * 1024
    await socket.send(frame)
    assert await socket.expect("error") == {
        "type": "error", "code": "too_long", "detail": "A message can have at most 4000 characters.", "ref": "near"}


async def test_history_scrolls_back_by_seq_oldest_first(member, room, connect, settings):
    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, "room_message": (100, 5)}
    for n in range(1, 11):
        await database_sync_to_async(post_message)(author=member, room=room, body=f"m{n}", client_id=f"c{n}")
    socket = await connect(member)

    await socket.send({"type": "history", "before": 8, "limit": 3})
    page = await socket.expect("history")
    assert [m["seq"] for m in page["messages"]] == [5, 6, 7] and page["has_more"] is True
    await socket.send({"type": "history", "before": 3, "limit": 100})
    page = await socket.expect("history")
    assert [m["seq"] for m in page["messages"]] == [1, 2] and page["has_more"] is False


async def test_sync_answers_changes_after_a_rev_with_the_current_rev(member, room, connect, monkeypatch):
    for n in range(1, 5):
        await database_sync_to_async(post_message)(author=member, room=room, body=f"m{n}", client_id=f"c{n}")
    socket = await connect(member)
    monkeypatch.setattr("realtime.protocol.SYNC_MAX", 2)

    await socket.send({"type": "sync", "after": 1})
    sync = await socket.expect("sync")
    assert [m["rev"] for m in sync["messages"]] == [2, 3] and sync["has_more"] is True and sync["rev"] == 4
    await socket.send({"type": "sync", "after": 3})
    sync = await socket.expect("sync")
    assert [m["rev"] for m in sync["messages"]] == [4] and sync["has_more"] is False


async def test_the_author_edits_a_message_and_the_room_sees_it(member, make_member, room, connect):
    other = await database_sync_to_async(make_member)()
    author, reader = await connect(member), await connect(other)
    await author.send({"type": "send", "body": "draft", "client_id": "d"})
    sent = (await author.expect("message"))["message"]
    await reader.expect("message")

    await author.send({"type": "edit", "id": sent["id"], "body": "final **text**"})

    for socket in (author, reader):
        edited = (await socket.expect("message.edited"))["message"]
        assert edited["id"] == sent["id"] and edited["body_html"] == render_markdown("final **text**")
        assert edited["rev"] == 2 and edited["seq"] == 1 and edited["edited"] is not None


async def test_only_the_author_can_edit(member, make_member, room, connect):
    other = await database_sync_to_async(make_member)()
    message, _ = await database_sync_to_async(post_message)(author=member, room=room, body="mine", client_id="m")
    socket = await connect(other)
    await socket.send({"type": "edit", "id": message.public_id, "body": "yours now"})
    assert (await socket.expect("error"))["code"] == "forbidden"
    await socket.send({"type": "edit", "id": "no-such-id", "body": "x"})
    assert (await socket.expect("error"))["code"] == "not_found"


async def test_the_author_deletes_a_message_leaving_a_tombstone(member, make_member, room, connect):
    other = await database_sync_to_async(make_member)()
    message, _ = await database_sync_to_async(post_message)(author=member, room=room, body="oops", client_id="o")
    author, reader = await connect(member), await connect(other)

    await author.send({"type": "delete", "id": message.public_id})

    for socket in (author, reader):
        tombstone = (await socket.expect("message.deleted"))["message"]
        assert tombstone["id"] == message.public_id
        assert tombstone["deleted"] is True and tombstone["body_html"] == "" and tombstone["rev"] == 2
    stored = await database_sync_to_async(RoomMessage.objects.get)(pk=message.pk)
    assert stored.deleted and stored.body_source == "" and stored.body_html == ""
    await author.send({"type": "delete", "id": message.public_id})
    assert (await author.expect("error"))["code"] == "not_found"


async def test_a_member_cannot_delete_someone_elses_message(member, make_member, room, connect):
    other = await database_sync_to_async(make_member)()
    message, _ = await database_sync_to_async(post_message)(author=member, room=room, body="mine", client_id="m")
    socket = await connect(other)
    await socket.send({"type": "delete", "id": message.public_id})
    assert (await socket.expect("error"))["code"] == "forbidden"


async def test_ping_answers_pong_with_the_current_rev(member, room, connect):
    await database_sync_to_async(post_message)(author=member, room=room, body="x", client_id="x")
    socket = await connect(member)
    await socket.send({"type": "ping"})
    assert await socket.expect("pong") == {"type": "pong", "rev": 1}


async def test_a_burst_of_100_sends_stores_five_and_rate_limits_the_rest(member, room, connect):
    socket = await connect(member)
    for n in range(100):
        await socket.send({"type": "send", "body": f"burst {n}", "client_id": f"b{n}"})
    messages, errors = [], []
    while len(messages) + len(errors) < 100:
        frame = await socket.expect("message", "error")
        (messages if frame["type"] == "message" else errors).append(frame)

    assert [m["message"]["client_id"] for m in messages] == [f"b{n}" for n in range(5)]
    assert {e["code"] for e in errors} == {"rate_limited"} and len(errors) == 95
    assert all(1 <= e["retry_after"] <= 5 for e in errors) and errors[0]["ref"] == "b5"
    assert await database_sync_to_async(stored_bodies)(room) == [f"burst {n}" for n in range(5)]
    await still_usable(socket)


async def test_slow_mode_rate_limits_a_second_message(member, moderator, room, connect):
    await database_sync_to_async(set_slow_mode)(by=moderator, room=room, seconds=30)
    socket = await connect(member)
    assert socket.hello["room"]["slow_mode_seconds"] == 30
    await socket.send({"type": "send", "body": "one", "client_id": "1"})
    await socket.expect("message")
    await socket.send({"type": "send", "body": "two", "client_id": "2"})
    error = await socket.expect("error")
    assert error["code"] == "rate_limited" and 29 <= error["retry_after"] <= 30
    assert await database_sync_to_async(stored_bodies)(room) == ["one"]


async def test_a_read_only_room_answers_every_send_with_read_only(member, moderator, room, connect):
    await database_sync_to_async(set_read_only)(by=moderator, room=room, on=True)
    for user in (member, moderator):
        socket = await connect(user)
        assert socket.hello["room"]["read_only"] is True
        await socket.send({"type": "send", "body": "hello?", "client_id": "r"})
        assert (await socket.expect("error"))["code"] == "read_only"
    assert await database_sync_to_async(stored_bodies)(room) == []


async def test_a_muted_member_gets_muted_on_send(member, moderator, room, connect):
    from datetime import timedelta

    from django.utils import timezone

    socket = await connect(member)
    await database_sync_to_async(mute_member)(
        by=moderator, room=room, member=member, until=timezone.now() + timedelta(minutes=5))
    assert (await socket.expect("moderation"))["action"] == "mute"
    await socket.send({"type": "send", "body": "let me speak", "client_id": "m"})
    error = await socket.expect("error")
    assert (error["code"], error["ref"]) == ("muted", "m")
    assert await database_sync_to_async(stored_bodies)(room) == []


async def test_a_reader_without_post_grant_gets_forbidden_on_send(make_member, make_room, connect):
    reader = await database_sync_to_async(make_member)()
    room = await database_sync_to_async(make_room)("news", perms=("view_room",))
    socket = await connect(reader, "news")
    await socket.send({"type": "send", "body": "hi", "client_id": "x"})
    assert (await socket.expect("error"))["code"] == "forbidden"
    await socket.send({"type": "typing"})
    assert (await socket.expect("error"))["code"] == "forbidden"
    assert await database_sync_to_async(stored_bodies)(room) == []


async def test_report_answers_reported_and_files_a_report(member, make_member, room, connect):
    from realtime.models import MessageReport

    other = await database_sync_to_async(make_member)()
    message, _ = await database_sync_to_async(post_message)(author=other, room=room, body="rude", client_id="r")
    socket = await connect(member)
    await socket.send({"type": "report", "id": message.public_id, "reason": "insulting"})
    assert await socket.expect("reported") == {"type": "reported", "id": message.public_id}
    await socket.send({"type": "report", "id": message.public_id, "reason": "still insulting"})
    await socket.expect("reported")
    reports = await database_sync_to_async(list)(MessageReport.objects.values_list("reason", "status"))
    assert reports == [("insulting", "open")]
    await socket.send({"type": "report", "id": "nope", "reason": "x"})
    assert (await socket.expect("error"))["code"] == "not_found"
    await socket.send({"type": "report", "id": message.public_id, "reason": " "})
    assert (await socket.expect("error"))["code"] == "bad_request"
