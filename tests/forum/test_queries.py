"""SQL queries per page do not grow with the rows shown (DESIGN.md, Performance).

Each page is measured showing one row and showing a full page of many rows (the
category page shows 25 threads, the thread page 20 posts), by a member and by a
moderator, and must run the same number of queries, under a fixed bound.
"""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum.models.people import MEMBERS_GROUP, Location, Region
from forum.services import content, moderation
from forum.services.accounts import create_member, create_organisation
from tests.forum.conftest import grant, kept_for_the_module

# Measured: session, user, profile, the reader's grants, the page's rows and count, the
# follow level and the unread-notification count come to these (the thread's also asks for
# the reader's unread notifications of it, to read them); more means a query per row or a
# new constant cost that deserves a look.
BOUND = {"category": 14, "thread": 15, "home": 7, "moderation": 8, "log": 9}


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker):
    with kept_for_the_module(django_db_blocker):
        yield build()


@pytest.fixture(autouse=True)
def _each_test_in_a_savepoint(db):
    pass


def build():
    d = type("Data", (), {})()
    organisation = create_organisation(slug="taiz-advocacy", name_ar="تعز", name_en="Taiz", region=Region.TAIZ)
    people = [
        create_member(username=f"p{n}", password="x", display_name=f"Person {n}", location=Location.IN_COUNTRY,
                      organisation=organisation if n % 2 else None, language="en")
        for n in range(10)
    ]
    d.member, d.moderator = people[0], people[1]
    d.few = content.do_create_category(slug="few", name="Few")
    d.many = content.do_create_category(slug="many", name="Many", requires_approval=True)
    for category in (d.few, d.many):
        grant(category, organisation.group, "view", "post")
        grant(category, Group.objects.get(name=MEMBERS_GROUP), "view", "post")
        grant(category, d.moderator, "moderate")

    d.lonely = content.start_thread(author=people[2], category=d.few, title="Only thread", body="Alone")
    # In the pre-moderated category the members' threads and replies wait for approval:
    # approve most of them, and leave some waiting for the moderation queue.
    threads = [
        content.start_thread(author=people[1 + n % 9], category=d.many, title=f"Thread {n}", body=f"Body {n}")
        for n in range(100)
    ]
    for thread in threads[:95]:
        moderation.approve_post(post=thread.posts.get(), by=d.moderator)
        thread.refresh_from_db()
    replies = [
        content.reply(author=people[(n + 3) % 10], thread=thread, body=f"Reply {n}")
        for n, thread in enumerate(threads[:30])
    ]
    for post in replies[:25]:
        moderation.approve_post(post=post, by=d.moderator)
    for thread in threads[:2]:
        moderation.pin_thread(thread=thread, by=d.moderator)
    for thread in threads[2:4]:
        moderation.lock_thread(thread=thread, by=d.moderator)

    d.long = content.start_thread(author=d.moderator, category=d.few, title="Long thread", body="Start")
    replies = [content.reply(author=people[n % 10], thread=d.long, body=f"Post number {n}") for n in range(99)]
    for post in replies[::7]:
        moderation.hide_post(post=post, by=d.moderator, reason="r")
    for post in replies[1::5]:
        content.edit_post(post=post, by=post.author, body=post.body_source + " (edited)")
    for post in [p for p in replies[2:40:3] if p not in replies[::7]]:  # a hidden post cannot be reported
        moderation.report_post(post=post, by=people[(people.index(post.author) + 1) % 10], reason="Look")
    return d


def queries(user, path, client_for):
    client = client_for(user)
    client.get(path)  # warm process-wide caches (content types, translations)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def assert_constant(counts, bound):
    assert len(set(counts)) == 1, counts
    assert counts[0] <= bound, counts


@pytest.mark.parametrize("who", ["member", "moderator"])
def test_the_category_page_runs_the_same_queries_for_1_and_100_threads(data, client_for, who):
    user = getattr(data, who)
    counts = [queries(user, path, client_for) for path in ("/c/few/", "/c/many/", "/c/many/?page=3")]
    assert_constant(counts, BOUND["category"])


@pytest.mark.parametrize("who", ["member", "moderator"])
def test_the_thread_page_runs_the_same_queries_for_1_and_100_posts(data, client_for, who):
    user = getattr(data, who)
    paths = [f"/t/{data.lonely.public_id}/", f"/t/{data.long.public_id}/", f"/t/{data.long.public_id}/?page=3"]
    assert_constant([queries(user, path, client_for) for path in paths], BOUND["thread"])


def test_the_home_page_runs_the_same_queries_for_1_and_30_categories(data, client_for):
    one = queries(data.member, "/", client_for)
    for n in range(28):
        category = content.do_create_category(slug=f"extra-{n}", name=f"Extra {n}", description="About it")
        grant(category, data.member, "view")
    thirty = queries(data.member, "/", client_for)
    assert_constant([one, thirty], BOUND["home"])


def test_the_moderation_queue_runs_the_same_queries_for_few_and_many_items(data, client_for, make_person):
    newcomer = make_person(display_name="Newcomer")
    grant(data.few, newcomer, "moderate")
    few = queries(newcomer, "/moderation/", client_for)
    grant(data.many, newcomer, "moderate")
    many = queries(newcomer, "/moderation/", client_for)
    assert_constant([few, many], BOUND["moderation"])


def test_the_transparency_log_runs_the_same_queries_for_few_and_many_events(data, client_for, make_person):
    newcomer = make_person(display_name="Newcomer")
    grant(data.few, newcomer, "view")
    few = queries(newcomer, "/moderation/log/", client_for)
    grant(data.many, newcomer, "view")
    many = queries(newcomer, "/moderation/log/", client_for)
    assert_constant([few, many], BOUND["log"])
