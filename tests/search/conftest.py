"""Search fixtures: places with real grants and text written by the real services.

`find(user, text, **filters)` runs the search as the search page does (parse, the SQL of
search/selectors.py, on whichever backend the suite runs: SQLite or PostgreSQL) and
answers the ids of what it found, posts and messages alike, best first.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group

from forum.models.people import MEMBERS_GROUP
from forum.services.grants import do_grant_permission
from realtime.services import do_create_room, post_message
from search.query import parse
from search.selectors import Filters, search
from tests.forum.conftest import grant

ROOM_PERMS = {"view": "view_room", "post": "post_in_room", "moderate": "moderate_room"}


def grant_room(room, holder, *verbs):
    for verb in verbs:
        do_grant_permission(actor=None, via="tests", perm=ROOM_PERMS[verb], obj=room, to=holder)


def find(user, text: str, *, limit: int = 1000, offset: int = 0, **filters) -> list[str]:
    """The public ids of every post and message the search finds for `user`, best first."""
    from forum.models import Post
    from realtime.models import RoomMessage

    query = parse(text)
    if query is None:
        return []
    found = search(user, query, Filters(**filters), offset=offset, limit=limit)
    hits, total = found.hits, found.total
    posts = Post.objects.in_bulk([h.pk for h in hits if h.kind == "post"])
    messages = RoomMessage.objects.in_bulk([h.pk for h in hits if h.kind == "message"])
    found = [(posts if h.kind == "post" else messages)[h.pk].public_id for h in hits]
    assert len(found) == min(limit, max(0, total - offset)), "the count agrees with the hits"
    return found


def backdate(message, days: int) -> None:
    """As if `message` had been written `days` ago: the message and what the index stores
    of it (search/facets.py), as both read when it was written then."""
    from django.utils import timezone

    from realtime.models import RoomMessage
    from search.models import MessageText

    then = timezone.now() - timedelta(days=days)
    RoomMessage.objects.filter(pk=message.pk).update(created=then)
    MessageText.objects.filter(pk=message.pk).update(created=then)


def count(user, text: str, **filters) -> int:
    query = parse(text)
    return 0 if query is None else search(user, query, Filters(**filters), offset=0, limit=1).total


@pytest.fixture
def members(db):
    return Group.objects.get_or_create(name=MEMBERS_GROUP)[0]


@pytest.fixture
def board(db):
    return Group.objects.get_or_create(name="board")[0]


@pytest.fixture
def make_room(db):
    def make(slug, *, retention_days=None, grants=()):
        room = do_create_room(slug=slug, name=slug.replace("-", " ").title(), retention_days=retention_days)
        for holder, *verbs in grants:
            grant_room(room, holder, *verbs)
        return room

    return make


@pytest.fixture
def say():
    counter = iter(range(10**6))

    def send(author, room, body):
        return post_message(author=author, room=room, body=body, client_id=f"c{next(counter)}")[0]

    return send


@pytest.fixture
def members_group_and_place(make_member, make_category_for_search):
    return make_member("writer"), make_category_for_search


@pytest.fixture
def make_category_for_search(db):
    from forum.services.content import do_create_category

    category = do_create_category(slug="words", name="Words")
    grant(category, Group.objects.get_or_create(name=MEMBERS_GROUP)[0], "view", "post")
    return category


__all__ = ["grant", "grant_room", "find", "count"]


@pytest.fixture(autouse=True)
def seeding_pace(settings):
    """Fixtures write many posts at once; the forum's flood control is tested in tests/forum."""
    from tests.forum.conftest import SEEDING_PACE

    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, **SEEDING_PACE, "room_message": (10**6, 1)}
