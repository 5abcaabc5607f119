"""Unread tracking (issue 16): what is new to a member, where a thread opens, and "mark all read".

A post is new to a member when it is public, someone else wrote it, it came after they
joined (or last marked its category read), and it is past the newest post a page of its
thread showed them.
"""

import re

import pytest

from forum.models import CategoryRead, ThreadRead
from forum.services import moderation
from forum.services.content import reply, start_thread
from forum.views.content import POSTS_PER_PAGE


@pytest.fixture
def reader(make_person):
    """Reem, who joined before anything was written."""
    return make_person("reem", display_name="Reem")


def unread_on_home(client, category) -> int:
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    line = re.search(rf'href="/c/{category.slug}/"[^\n]*', page).group(0)
    found = re.search(r"(\d+) unread", line)
    return int(found.group(1)) if found else 0


def test_a_reply_by_someone_else_makes_the_thread_unread_and_opening_it_lands_there_and_clears_it(
    reader, writer, category, client_for,
):
    thread = start_thread(author=writer, category=category, title="Statement", body="Draft")
    client = client_for(reader)
    client.get(thread.get_absolute_url())  # read as it is
    assert unread_on_home(client, category) == 0
    answer = reply(author=writer, thread=thread, body="Second draft attached")
    assert unread_on_home(client, category) == 1
    page = client.get(thread.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    divider = page.index('id="new"')
    assert page.index(f'id="p-{answer.public_id}"') > divider > page.index("Draft")
    assert unread_on_home(client, category) == 0
    again = client.get(thread.get_absolute_url()).content.decode()
    assert 'id="new"' not in again


def test_a_thread_opens_on_the_page_of_the_first_new_post(reader, writer, other_member, category, client_for):
    thread = start_thread(author=writer, category=category, title="Long", body="Post 1")
    posts = [reply(author=[writer, other_member][n % 2], thread=thread, body=f"Post {n + 2}") for n in range(44)]
    client = client_for(reader)
    assert client.get(f"{thread.get_absolute_url()}?page=2").status_code == 200  # read up to post 40
    assert ThreadRead.objects.get(user=reader, thread=thread).post_id == posts[38].pk
    response = client.get(thread.get_absolute_url())
    assert response.context["page"].number == 3
    page = response.content.decode()
    assert page.index('id="new"') < page.index(f'id="p-{posts[39].public_id}"')  # post 41
    assert f'id="p-{posts[38].public_id}"' not in page


def test_a_link_to_a_post_opens_its_own_page_even_with_new_posts_elsewhere(reader, writer, category, client_for):
    thread = start_thread(author=writer, category=category, title="Long", body="Post 1")
    posts = [reply(author=writer, thread=thread, body=f"Post {n + 2}") for n in range(44)]
    client = client_for(reader)
    response = client.get(f"/p/{posts[43].public_id}/")  # post 45
    assert response.status_code == 302
    assert response["Location"] == f"{thread.get_absolute_url()}?page=3#p-{posts[43].public_id}"
    assert client.get(response["Location"]).context["page"].number == 3


def test_own_hidden_and_waiting_posts_are_never_new(reader, writer, moderator, premoderated, client_for):
    thread = start_thread(author=moderator, category=premoderated, title="Queue", body="Opening")
    client = client_for(reader)
    client.get(thread.get_absolute_url())
    reply(author=reader, thread=thread, body="Mine")  # waiting for approval, and mine
    waiting = reply(author=writer, thread=thread, body="Waiting")
    assert unread_on_home(client, premoderated) == 0
    moderation.approve_post(post=waiting, by=moderator)
    assert unread_on_home(client, premoderated) == 1
    moderation.hide_post(post=waiting, by=moderator, reason="Off topic")
    threads = client.get(f"/c/{premoderated.slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert " new</span>" not in threads


def test_what_was_written_before_a_member_joined_is_not_new_to_them(writer, category, make_person, client_for):
    thread = start_thread(author=writer, category=category, title="Old", body="Before you came")
    newcomer = make_person("newcomer", display_name="Newcomer")
    client = client_for(newcomer)
    assert unread_on_home(client, category) == 0
    assert 'id="new"' not in client.get(thread.get_absolute_url()).content.decode()


def test_the_category_page_counts_new_posts_per_thread_and_mark_all_read_clears_them(
    reader, writer, category, client_for,
):
    first = start_thread(author=writer, category=category, title="First", body="One")
    for n in range(2):
        reply(author=writer, thread=first, body=f"More {n}")
    start_thread(author=writer, category=category, title="Second", body="Two")
    client = client_for(reader)
    page = client.get(f"/c/{category.slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.findall(r'class="badge new">(\d+) new', page) == ["1", "3"]  # newest activity first
    assert unread_on_home(client, category) == 2
    response = client.post(f"/c/{category.slug}/read/")
    assert response.status_code == 302
    assert "badge new" not in client.get(f"/c/{category.slug}/").content.decode()
    assert unread_on_home(client, category) == 0
    reply(author=writer, thread=first, body="After the mark")
    assert unread_on_home(client, category) == 1


def test_mark_all_read_answers_404_for_a_category_out_of_sight_and_stores_nothing(
    reader, secret_category, client_for,
):
    client = client_for(reader)
    assert client.post(f"/c/{secret_category.slug}/read/").status_code == 404
    assert client.post("/c/no-such-place/read/").status_code == 404
    assert client.get(f"/c/{secret_category.slug}/read/").status_code in (404, 405)
    assert not CategoryRead.objects.filter(user=reader).exists()


def test_a_page_never_moves_the_read_position_back(reader, writer, category, client_for):
    thread = start_thread(author=writer, category=category, title="Long", body="Post 1")
    for n in range(POSTS_PER_PAGE * 2):
        reply(author=writer, thread=thread, body=f"Post {n + 2}")
    client = client_for(reader)
    client.get(f"{thread.get_absolute_url()}?page=3")
    furthest = ThreadRead.objects.get(user=reader, thread=thread).post_id
    client.get(f"{thread.get_absolute_url()}?page=1")
    assert ThreadRead.objects.get(user=reader, thread=thread).post_id == furthest
    assert ThreadRead.objects.filter(user=reader).count() == 1


def test_the_home_page_gives_the_latest_activity_of_each_place(reader, writer, category, client_for):
    thread = start_thread(author=writer, category=category, title="Active", body="Now")
    page = client_for(reader).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    line = re.search(rf'href="/c/{category.slug}/"[^\n]*', page).group(0)
    assert f'datetime="{thread.last_activity_at:%Y-%m-%dT%H:%M:%SZ}"' in line
