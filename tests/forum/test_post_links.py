"""A link to a post lands on the page that holds it (issue 16, item 2): `/p/<id>/`, the
notifications that point at posts, and the redirect after a reply."""

from importlib import import_module

import pytest

from forum.models import Notification
from forum.services.content import reply, start_thread
from forum.views.content import POSTS_PER_PAGE

migration = import_module("forum.migrations.0012_notification_args")


@pytest.fixture
def long_thread(category, writer, other_member):
    """A thread of 44 posts (the opening and 43 replies): the 45th lands on page 3."""
    assert POSTS_PER_PAGE == 20
    thread = start_thread(author=writer, category=category, title="Long thread", body="Post 1")
    for n in range(43):
        reply(author=[writer, other_member][n % 2], thread=thread, body=f"Post {n + 2}")
    return thread


def test_a_posts_own_url_is_the_short_one_that_finds_its_page(thread):
    post = thread.posts.get()
    assert post.get_absolute_url() == f"/p/{post.public_id}/"


def test_a_notification_of_post_45_leads_to_page_3_at_the_post(
    django_capture_on_commit_callbacks, client_for, long_thread, writer, rami,
):
    with django_capture_on_commit_callbacks(execute=True):
        post_45 = reply(author=writer, thread=long_thread, body="Post 45, for @Rami.")
    [note] = Notification.objects.filter(user=rami)
    assert note.kind == "mention" and note.url == f"/p/{post_45.public_id}/"

    client = client_for(rami)
    page = client.get("/notifications/").content.decode()
    assert f'href="/notifications/{note.public_id}/"' in page
    opened = client.get(f"/notifications/{note.public_id}/")
    assert opened.status_code == 302 and opened["Location"] == f"/p/{post_45.public_id}/"
    landed = client.get(opened["Location"])
    assert landed.status_code == 302
    assert landed["Location"] == f"/t/{long_thread.public_id}/?page=3#p-{post_45.public_id}"
    shown = client.get(landed["Location"])
    assert shown.context["page"].number == 3
    assert f'id="p-{post_45.public_id}"' in shown.content.decode()


def test_a_reply_redirects_to_the_page_that_holds_it(client_for, long_thread, other_member):
    response = client_for(other_member).post(f"/t/{long_thread.public_id}/reply/", {"body": "Post 45, mine."})
    post_45 = long_thread.posts.get(body_source="Post 45, mine.")
    assert response.status_code == 302
    assert response["Location"] == f"/t/{long_thread.public_id}/?page=3#p-{post_45.public_id}"
    page = client_for(other_member).get(response["Location"]).content.decode()
    assert f'id="p-{post_45.public_id}"' in page


def test_a_reply_on_the_first_page_redirects_there(client_for, thread, other_member):
    response = client_for(other_member).post(f"/t/{thread.public_id}/reply/", {"body": "Second post."})
    post = thread.posts.get(is_opening=False)
    assert response["Location"] == f"/t/{thread.public_id}/?page=1#p-{post.public_id}"


# The data migration rewrites the links stored before ------------------------------------

@pytest.mark.parametrize("stored,now", [
    ("/t/abcDEF123_-x/#p-Post_id-123", "/p/Post_id-123/"),
    ("/t/abcDEF123_-x/?page=2#p-Post_id-123", "/p/Post_id-123/"),
    ("/t/abcDEF123_-x/", "/t/abcDEF123_-x/"),  # a thread (moderation notices) stays a thread
    ("/rooms/aden/", "/rooms/aden/"),
    ("/p/Post_id-123/", "/p/Post_id-123/"),
])
def test_the_migration_points_old_post_links_at_p(stored, now):
    _args, url = migration.arguments_for("post", "Something", stored)
    assert url == now
