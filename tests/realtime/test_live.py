"""The notification stream and the thread socket, through the real application."""

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import Group

from forum.models import Post
from forum.services.content import do_create_category, reply, start_thread
from forum.services.following import set_follow_level
from forum.services.grants import do_grant_permission, do_revoke_permission
from forum.services.moderation import hide_post
from tests.realtime.conftest import Socket, logged_in_client, open_communicator

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def forum_with_thread(make_member):
    author = make_member("author", display_name="Layla")
    reader = make_member("reader", display_name="Sami", location="diaspora")
    category = do_create_category(slug="campaigns", name="Campaigns")
    for perm in ("view_category", "post_in_category"):
        do_grant_permission(actor=None, via="tests", perm=perm, obj=category, to=Group.objects.get(name="members"))
    thread = start_thread(author=author, category=category, title="Sixteen days", body="Let us plan.")
    return author, reader, category, thread


async def open_socket(path: str, user) -> Socket:
    client = await database_sync_to_async(logged_in_client)(user) if user else None
    return Socket(await open_communicator(path, client), client)


async def test_an_anonymous_notification_socket_is_closed_with_4401():
    socket = await open_socket("/ws/notifications/", None)
    await socket.expect_closed(4401)


async def test_a_watcher_is_told_of_a_reply_with_a_notification_and_the_unread_count(make_member):
    author, reader, category, thread = await forum_with_thread(make_member)
    await database_sync_to_async(set_follow_level)(user=reader, target=thread, level="watching")
    socket = await open_socket("/ws/notifications/", reader)
    assert await socket.expect("unread") == {"type": "unread", "count": 0}
    await database_sync_to_async(reply)(author=author, thread=thread, body="The first meeting is Thursday.")
    note = (await socket.expect("notification"))["notification"]
    assert note["kind"] == "post" and note["read"] is False
    post = await database_sync_to_async(Post.objects.get)(thread=thread, is_opening=False)
    assert "Sixteen days" in note["text"] and note["url"] == f"/p/{post.public_id}/"
    assert set(note) >= {"id", "kind", "text", "url", "created", "read"}
    assert await socket.expect("unread") == {"type": "unread", "count": 1}
    await socket.close()


async def test_a_member_who_cannot_view_the_category_hears_nothing(make_member):
    author, reader, category, thread = await forum_with_thread(make_member)
    outsider = await database_sync_to_async(make_member)("outsider", display_name="Outsider")
    await database_sync_to_async(lambda: outsider.groups.clear())()
    socket = await open_socket("/ws/notifications/", outsider)
    await socket.expect("unread")
    await database_sync_to_async(reply)(author=author, thread=thread, body="@Outsider are you there?")
    assert await socket.communicator.receive_nothing(0.3)
    await socket.close()


async def test_logging_out_closes_the_notification_socket_with_4401(make_member):
    _author, reader, _category, _thread = await forum_with_thread(make_member)
    socket = await open_socket("/ws/notifications/", reader)
    await socket.expect("unread")
    await database_sync_to_async(socket.client.post)("/accounts/logout/")
    await socket.expect_closed(4401)


async def test_a_thread_socket_receives_new_posts_and_hidden_posts_live(make_member):
    author, reader, category, thread = await forum_with_thread(make_member)
    moderator = await database_sync_to_async(make_member)("mod", display_name="Noor")
    await database_sync_to_async(do_grant_permission)(actor=None, via="tests", perm="moderate_category", obj=category, to=moderator)
    socket = await open_socket(f"/ws/threads/{thread.public_id}/", reader)
    post = await database_sync_to_async(reply)(author=author, thread=thread, body="**Agenda** below")
    frame = await socket.expect("post")
    assert frame["post"]["id"] == post.public_id and frame["post"]["thread"] == thread.public_id
    assert frame["post"]["author"]["name"] == "Layla" and "<strong>Agenda</strong>" in frame["post"]["body_html"]
    await database_sync_to_async(hide_post)(post=post, by=moderator, reason="Off topic")
    assert await socket.expect("post.hidden") == {"type": "post.hidden", "id": post.public_id}
    await socket.close()


async def test_a_thread_socket_without_the_grant_is_closed_like_a_missing_thread(make_member):
    _author, _reader, _category, thread = await forum_with_thread(make_member)
    outsider = await database_sync_to_async(make_member)("outsider", display_name="Outsider")
    await database_sync_to_async(lambda: outsider.groups.clear())()
    forbidden = await open_socket(f"/ws/threads/{thread.public_id}/", outsider)
    await forbidden.expect_closed(4404)
    missing = await open_socket("/ws/threads/no-such-thread/", outsider)
    await missing.expect_closed(4404)


async def test_revoking_the_category_grant_closes_thread_sockets_at_once(make_member):
    _author, reader, category, thread = await forum_with_thread(make_member)
    socket = await open_socket(f"/ws/threads/{thread.public_id}/", reader)
    assert await socket.communicator.receive_nothing(0.1)
    members = await database_sync_to_async(Group.objects.get)(name="members")
    await database_sync_to_async(do_revoke_permission)(actor=None, via="tests", perm="view_category", obj=category, to=members)
    await socket.expect_closed(4404)
