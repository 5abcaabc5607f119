"""Notifications fold by thread until read, and each is a link that marks it read (issue 16, item 3).

`post` and `reply` notifications of one thread fold into one unread entry ("3 new posts
in …"), as a room's do; mentions and moderation notices stay one each. `/notifications/<id>/`
opens one: it marks it read and redirects to what it points at, or answers 404.
"""

import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forum.models import Notification
from forum.services import moderation
from forum.services.content import reply, start_thread
from forum.services.digests import digest_counts
from forum.services.following import set_follow_level
from forum.services.grants import do_revoke_permission


def plain(text: str) -> str:
    return text.replace("\u2068", "").replace("\u2069", "")


def notes_of(user) -> list[Notification]:
    return list(Notification.objects.filter(user=user).order_by("created_at", "id"))


def entries(user) -> list[tuple[str, str, bool]]:
    """(kind, English text, unread) of each of the member's notifications, oldest first."""
    return [(note.kind, plain(note.text_in("en")), note.read_at is None) for note in notes_of(user)]


@pytest.fixture
def watched(thread, other_member):
    """Sami watches Layla's thread."""
    set_follow_level(user=other_member, target=thread, level="watching")
    return thread


_bodies = itertools.count(1)


def post_n(committed, thread, author, n: int) -> list:
    """`n` replies, each fanned out as it commits (each with its own text: a repeat is one post)."""
    posts = []
    for _ in range(n):
        with committed():
            posts.append(reply(author=author, thread=thread, body=f"Update {next(_bodies)}."))
    return posts


# Folding ----------------------------------------------------------------------------------

def test_three_new_posts_in_a_watched_thread_are_one_entry_until_it_is_opened(
    committed, client_for, watched, other_member, rami,
):
    first, *_ = post_n(committed, watched, rami, 3)
    assert entries(other_member) == [("post", "3 new posts in “Joint statement on detentions”", True)]
    [note] = notes_of(other_member)
    assert note.count == 3 and note.url == first.get_absolute_url()  # it opens at the first new one

    client = client_for(other_member)
    assert client.get(f"/notifications/{note.public_id}/").status_code == 302
    post_n(committed, watched, rami, 1)
    assert entries(other_member) == [
        ("post", "3 new posts in “Joint statement on detentions”", False),
        ("post", "Rami posted in “Joint statement on detentions”", True),
    ]


def test_the_folded_entry_is_shown_once_on_the_page_and_counts_once_as_unread(
    committed, client_for, watched, other_member, rami,
):
    post_n(committed, watched, rami, 3)
    page = plain(client_for(other_member).get("/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert page.count("3 new posts in “Joint statement on detentions”") == 1
    assert page.count('class="notification unread"') == 1
    assert 'data-count="1"' in page


def test_replies_to_the_thread_author_fold_too(committed, thread, writer, rami):
    post_n(committed, thread, rami, 2)
    assert entries(writer) == [("reply", "2 replies to you in “Joint statement on detentions”", True)]


def test_posts_of_different_threads_do_not_fold(committed, make_thread, category, writer, other_member, rami):
    set_follow_level(user=other_member, target=category, level="watching")
    for title in ("Radio", "Posters"):
        with committed():
            start_thread(author=writer, category=category, title=title, body="Ideas?")
    assert [text for _kind, text, _unread in entries(other_member)] == [
        "Layla posted in “Radio”", "Layla posted in “Posters”",
    ]


def test_mentions_stay_one_each_and_apart_from_the_fold(committed, watched, other_member, rami):
    post_n(committed, watched, rami, 2)
    for n in range(2):
        with committed():
            reply(author=rami, thread=watched, body=f"@Sami look {n}")
    assert entries(other_member) == [
        ("post", "2 new posts in “Joint statement on detentions”", True),
        ("mention", "Rami mentioned you in “Joint statement on detentions”", True),
        ("mention", "Rami mentioned you in “Joint statement on detentions”", True),
    ]


def test_moderation_notices_do_not_fold(committed, thread, other_member, moderator):
    posts = [reply(author=other_member, thread=thread, body=f"Mine {n}") for n in range(2)]
    for post in posts:
        with committed():
            moderation.hide_post(post=post, by=moderator, reason="Names a witness")
    assert [kind for kind, _text, _unread in entries(other_member)] == ["moderation", "moderation"]


def test_a_fan_out_run_twice_counts_its_post_once(committed, watched, other_member, rami):
    from forum.services import notifications

    first, second = post_n(committed, watched, rami, 2)
    notifications.notify_post(second)
    notifications.notify_post(second)
    [note] = notes_of(other_member)
    assert note.count == 2


def test_a_folded_entry_comes_live_with_its_new_count(committed, watched, other_member, rami):
    from forum.selectors.notifications import serialise

    post_n(committed, watched, rami, 2)
    frame = serialise(Notification.objects.get(user=other_member))
    assert set(frame) >= {"id", "kind", "text", "url", "created", "read"}
    assert plain(frame["text"]) == "2 new posts in “Joint statement on detentions”"


def test_the_digest_counts_the_posts_of_a_folded_entry(committed, watched, other_member, rami):
    post_n(committed, watched, rami, 3)
    now = timezone.now()
    assert digest_counts(other_member, now - timedelta(days=1), now + timedelta(minutes=1)) == {"post": 3}


# The link: /notifications/<id>/ -------------------------------------------------------------

@pytest.fixture
def note(committed, watched, other_member, rami):
    post_n(committed, watched, rami, 1)
    [note] = notes_of(other_member)
    return note


def test_opening_the_link_marks_it_read_and_redirects_to_its_post(client_for, note, other_member):
    response = client_for(other_member).get(f"/notifications/{note.public_id}/")
    assert response.status_code == 302 and response["Location"] == note.url
    assert note.url.startswith("/p/")
    note.refresh_from_db()
    assert note.read_at is not None


def test_the_page_shows_each_notification_as_a_real_link(client_for, note, other_member):
    page = client_for(other_member).get("/notifications/").content.decode()
    assert f'<a class="note-text" href="/notifications/{note.public_id}/">' in page


def test_another_members_notification_is_404_and_stays_unread(client_for, note, rami):
    assert client_for(rami).get(f"/notifications/{note.public_id}/").status_code == 404
    assert client_for(rami).get("/notifications/no-such-id/").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_a_notification_whose_thread_was_hidden_is_404(client_for, note, other_member, watched, moderator):
    moderation.hide_post(post=watched.posts.get(is_opening=True), by=moderator, reason="Unsafe")
    assert client_for(other_member).get(f"/notifications/{note.public_id}/").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_a_notification_whose_thread_moved_out_of_sight_is_404(
    client_for, note, other_member, watched, moderator, secret_category, coalition_admin,
):
    moderation.move_thread(thread=watched, to=secret_category, by=coalition_admin)
    assert client_for(other_member).get(f"/notifications/{note.public_id}/").status_code == 404


def test_a_notification_from_a_place_the_member_lost_is_404(client_for, note, other_member, category, members_group):
    for perm in ("view_category", "post_in_category"):
        do_revoke_permission(actor=None, via="tests", perm=perm, obj=category, to=members_group)
    assert client_for(other_member).get(f"/notifications/{note.public_id}/").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_the_link_needs_a_login(client, note):
    response = client.get(f"/notifications/{note.public_id}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    note.refresh_from_db()
    assert note.read_at is None


# The page's queries do not grow with its rows -----------------------------------------------

def test_the_notifications_page_runs_the_same_queries_for_one_row_and_thirty(
    committed, client_for, make_thread, category, writer, other_member, rami,
):
    set_follow_level(user=other_member, target=category, level="watching")
    client = client_for(other_member)
    with committed():
        start_thread(author=writer, category=category, title="Thread 0", body="Hello")
    client.get("/notifications/")
    with CaptureQueriesContext(connection) as one:
        client.get("/notifications/")
    for n in range(1, 30):
        with committed():
            thread = start_thread(author=writer, category=category, title=f"Thread {n}", body="Hello")
        if n % 3 == 0:
            with committed():
                reply(author=rami, thread=thread, body="@Sami see this")
    assert Notification.objects.filter(user=other_member).count() > 30
    with CaptureQueriesContext(connection) as thirty:
        page = client.get("/notifications/")
    assert len(page.context["page"].object_list) == 30
    assert len(thirty) == len(one)


# Reading the thread reads its notifications -------------------------------------------------

def test_reading_the_thread_reads_its_folded_notification(committed, client_for, watched, other_member, rami):
    post_n(committed, watched, rami, 3)
    assert [unread for *_, unread in entries(other_member)] == [True]
    assert client_for(other_member).get(f"/t/{watched.public_id}/").status_code == 200
    assert [unread for *_, unread in entries(other_member)] == [False]


def test_a_notification_stays_unread_until_the_page_holding_its_post_is_shown(
    committed, client_for, thread, other_member, rami,
):
    post_n(committed, thread, rami, 22)  # the first page full, before Sami watches
    set_follow_level(user=other_member, target=thread, level="watching")
    [newest] = post_n(committed, thread, rami, 1)
    client = client_for(other_member)
    client.get(f"/t/{thread.public_id}/?page=1")
    assert [unread for *_, unread in entries(other_member)] == [True]
    client.get(f"/t/{thread.public_id}/?page=2")
    assert [unread for *_, unread in entries(other_member)] == [False]
    # Only Sami's, and only this thread's, were read.
    assert not Notification.objects.filter(read_at__isnull=False).exclude(user=other_member).exists()
