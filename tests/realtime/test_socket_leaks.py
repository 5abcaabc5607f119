"""What an outside attacker found through the sockets (issue "Close the leaks"), each tried again.

- a thread socket kept receiving posts after its thread was hidden or moved away;
- malformed frames closed sockets with 1011 instead of an `error` frame;
- a password change closed the changer's own sockets.
"""

import json

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import Group

from forum.models import StandingChange, StandingScope, Thread
from forum.selectors.content import serialise_post
from forum.services.content import do_create_category, reply, start_thread
from forum.services.grants import do_grant_permission
from forum.services.moderation import hide_post, move_thread
from realtime import broadcast
from tests.realtime.conftest import Socket, logged_in_client, open_communicator

pytestmark = pytest.mark.django_db(transaction=True)

CANARY = "canary-after-the-hide"


@database_sync_to_async
def forum_with_thread(make_member):
    author = make_member("author", display_name="Layla")
    reader = make_member("reader", display_name="Sami", location="diaspora")
    moderator = make_member("mod", display_name="Noor")
    members = Group.objects.get(name="members")
    category = do_create_category(slug="campaigns", name="Campaigns")
    hidden_place = do_create_category(slug="board", name="Board")
    for place in (category, hidden_place):
        do_grant_permission(actor=None, via="tests", perm="moderate_category", obj=place, to=moderator)
    for perm in ("view_category", "post_in_category"):
        do_grant_permission(actor=None, via="tests", perm=perm, obj=category, to=members)
    thread = start_thread(author=author, category=category, title="Sixteen days", body="Let us plan.")
    return author, reader, moderator, category, hidden_place, thread


async def open_socket(path: str, user, client=None) -> Socket:
    client = client or await database_sync_to_async(logged_in_client)(user)
    return Socket(await open_communicator(path, client), client)


async def assert_no_post_then_closed(socket: Socket) -> None:
    """The socket closes with 4404, and nothing of the thread reaches it before."""
    frame = await socket.receive(timeout=3)
    assert frame == {"type": "<closed>", "code": 4404}, f"got {frame} instead of the close"


# --- A thread socket after a hide or a move ---------------------------------------------

async def test_a_thread_socket_gets_no_post_after_its_opening_post_is_hidden(make_member):
    author, reader, moderator, _category, _hidden, thread = await forum_with_thread(make_member)
    socket = await open_socket(f"/ws/threads/{thread.public_id}/", reader)
    opening = await database_sync_to_async(lambda: thread.posts.get())()
    await database_sync_to_async(hide_post)(post=opening, by=moderator, reason="Names a witness")
    await database_sync_to_async(reply)(author=moderator, thread=thread, body=CANARY)
    await assert_no_post_then_closed(socket)


async def test_a_thread_socket_gets_no_post_after_its_thread_moves_where_the_member_cannot_look(make_member):
    author, reader, moderator, _category, hidden_place, thread = await forum_with_thread(make_member)
    socket = await open_socket(f"/ws/threads/{thread.public_id}/", reader)
    await database_sync_to_async(move_thread)(thread=thread, by=moderator, to=hidden_place)
    await database_sync_to_async(reply)(author=moderator, thread=thread, body=CANARY)
    await assert_no_post_then_closed(socket)


async def test_a_thread_moved_to_another_visible_category_still_reaches_its_socket(make_member):
    author, reader, moderator, _category, hidden_place, thread = await forum_with_thread(make_member)
    members = await database_sync_to_async(Group.objects.get)(name="members")
    await database_sync_to_async(do_grant_permission)(
        actor=None, via="tests", perm="view_category", obj=hidden_place, to=members,
    )
    socket = await open_socket(f"/ws/threads/{thread.public_id}/", reader)
    await database_sync_to_async(move_thread)(thread=thread, by=moderator, to=hidden_place)
    post = await database_sync_to_async(reply)(author=moderator, thread=thread, body="Still here")
    assert (await socket.expect("post"))["post"]["id"] == post.public_id
    await socket.close()


async def test_a_thread_hidden_by_another_process_stops_its_socket_within_a_second(make_member, settings):
    """No channel-layer order at all: only the standing log, which every process reads."""
    settings.MAJLIS_STANDING_POLL_SECONDS = 0.2
    _author, reader, moderator, _category, _hidden, thread = await forum_with_thread(make_member)
    socket = await open_socket(f"/ws/threads/{thread.public_id}/", reader)

    @database_sync_to_async
    def hide_elsewhere():  # what hide_post writes, without its broadcast
        Thread.objects.filter(pk=thread.pk).update(is_hidden=True)
        StandingChange.objects.create(scope=StandingScope.THREAD, key=thread.public_id)

    await hide_elsewhere()
    await socket.communicator.receive_nothing(1.0)  # the socket re-checked meanwhile
    opening = await database_sync_to_async(lambda: thread.posts.select_related("thread", "author__profile").get())()
    broadcast.publish_frame(broadcast.thread_group(thread.public_id), {"type": "post", "post": serialise_post(opening)})
    await assert_no_post_then_closed(socket)


@pytest.mark.parametrize("state", ["missing", "forbidden", "hidden", "pending", "rejected"])
async def test_a_thread_socket_answers_4404_alike_for_every_thread_the_member_may_not_see(make_member, state):
    _author, reader, moderator, _category, hidden_place, thread = await forum_with_thread(make_member)

    @database_sync_to_async
    def thread_in_state() -> str:
        if state == "missing":
            return "no-such-thread"
        if state == "forbidden":
            move_thread(thread=thread, by=moderator, to=hidden_place)
        else:
            Thread.objects.filter(pk=thread.pk).update(**{
                "hidden": {"is_hidden": True}, "pending": {"status": "pending"}, "rejected": {"status": "rejected"},
            }[state])
        return thread.public_id

    socket = await open_socket(f"/ws/threads/{await thread_in_state()}/", reader)
    assert await socket.receive() == {"type": "<closed>", "code": 4404}


# --- Malformed frames never close a socket ----------------------------------------------

DEEP = "[" * 1000 + "]" * 1000
SURROGATE_SEND = '{"type":"send","body":"\\ud800","client_id":"x"}'


async def still_usable(socket: Socket) -> None:
    await socket.send({"type": "ping"})
    assert (await socket.expect("pong"))["type"] == "pong"


@pytest.mark.parametrize("text", [
    '{"type":[]}', '{"type":{}}', SURROGATE_SEND,
    '{"type":"send","body":"ok","client_id":"\\udfff"}',
    '{"type":"edit","id":"x","body":"\\ud800 tail"}',
    '{"type":"report","id":"x","reason":"\\ud83d"}',
    '{"type":"ping","extra":"\\ud800"}',
    '{"type":"send","body":' + DEEP + ',"client_id":"x"}', DEEP,
])
async def test_a_room_socket_answers_bad_request_to_frames_that_used_to_close_it(member, room, connect, text):
    socket = await connect(member)
    await socket.send(text)
    error = await socket.expect("error")
    assert error["code"] == "bad_request" and error["detail"]
    await still_usable(socket)


@pytest.mark.parametrize("text", [DEEP, '{"a":' * 1000 + "1" + "}" * 1000, '{"type":[]}', '{"type":{}}',
                                  '{"type":"ping","x":"\\ud800"}', "not json", "[]"])
@pytest.mark.parametrize("which", ["notifications", "thread"])
async def test_the_notification_and_thread_sockets_answer_bad_request_and_stay_usable(make_member, which, text):
    _author, reader, _moderator, _category, _hidden, thread = await forum_with_thread(make_member)
    path = "/ws/notifications/" if which == "notifications" else f"/ws/threads/{thread.public_id}/"
    socket = await open_socket(path, reader)
    if which == "notifications":
        await socket.expect("unread")
    await socket.send(text)
    error = await socket.expect("error")
    assert error["code"] == "bad_request"
    await still_usable(socket)
    await socket.close()


async def test_the_notification_socket_answers_too_long_to_a_huge_frame(make_member):
    _author, reader, *_rest = await forum_with_thread(make_member)
    socket = await open_socket("/ws/notifications/", reader)
    await socket.expect("unread")
    await socket.send(json.dumps({"type": "ping", "pad": "x" * 70000}))
    assert (await socket.expect("error"))["code"] == "too_long"
    await still_usable(socket)
    await socket.close()


# --- A password change keeps the changer's own sockets ----------------------------------

async def test_a_password_change_keeps_the_changers_own_sockets_open(member, room, connect, password):
    changer = await database_sync_to_async(logged_in_client)(member)
    other = await database_sync_to_async(logged_in_client)(member)
    own_room = await connect(member, client=changer)
    own_notes = await open_socket("/ws/notifications/", member, client=changer)
    await own_notes.expect("unread")
    others_room = await connect(member, client=other)

    response = await database_sync_to_async(changer.post)("/accounts/password/", {
        "old_password": password, "new_password1": "a-new-long-passphrase-2026",
        "new_password2": "a-new-long-passphrase-2026",
    })
    assert response.status_code == 302

    await others_room.expect_closed(4401)
    for socket in (own_room, own_notes):
        await socket.nothing_but_background(0.8)  # past the standing log's poll: still open
        await still_usable(socket)
    # Its sockets follow the session to its new key: logging out there closes them.
    await database_sync_to_async(changer.post)("/accounts/logout/")
    await own_room.expect_closed(4401)
    await own_notes.expect_closed(4401)
