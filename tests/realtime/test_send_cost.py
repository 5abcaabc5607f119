"""The busiest frame, `send`, costs a fixed and small number of queries, all re-read afresh.

One `send` is the socket's re-check (session, user, room, ban), then `post_message` (grants,
counters under the lock, ban and mute, repeat, pace, insert), then its on-commit hooks
(the broadcast and the watchers), all in the one database thread every socket of a
process shares.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forum.services.following import set_follow_level
from realtime import broadcast, selectors
from realtime.models import RoomMessage
from realtime.services import mute_member, post_message
from tests.realtime.conftest import logged_in_client

# Session+user+profile, room+ban+mute, grants; SAVEPOINT (the test's transaction; BEGIN
# in production), UPDATE counters, room+ban+mute under the lock, repeat, pace, INSERT,
# the search index's row and (SQLite) its FTS5 entry, RELEASE (COMMIT); after the commit:
# the room's followers. Lower it when a query goes.
SEND_QUERIES = 13


@pytest.fixture
def published(monkeypatch):
    frames = []
    monkeypatch.setattr(broadcast, "publish_frame", lambda group, frame: frames.append((group, frame)))
    return frames


@pytest.fixture
def session_key(member):
    return logged_in_client(member).cookies["sessionid"].value


def send(session_key, user, n, slug="aden"):
    """What the consumer does for a `send` frame."""
    standing = selectors.socket_standing(session_key=session_key, user_pk=user.pk, room_slug=slug, grants=False)
    assert standing.close_code is None
    return post_message(author=standing.user, room=standing.room, body=f"message {n}", client_id=f"c{n}")


def test_a_send_with_its_recheck_and_on_commit_hooks_costs_a_fixed_number_of_queries(
    member, room, session_key, published, django_capture_on_commit_callbacks,
):
    send(session_key, member, 0)  # the first query of a kind may warm a cache (content types)
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        send(session_key, member, 1)
    assert len(queries) <= SEND_QUERIES, "\n".join(q["sql"] for q in queries)
    # The first send's hooks never ran: only a commit runs them, and the test never commits.
    assert [(frame["type"], frame["message"]["seq"]) for _group, frame in published] == [("message", 2)]


def test_a_room_followed_only_by_its_author_notifies_nobody_at_no_extra_cost(
    member, room, session_key, published, django_capture_on_commit_callbacks,
):
    set_follow_level(user=member, target=room, level="watching")
    send(session_key, member, 0)
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        send(session_key, member, 1)
    assert len(queries) <= SEND_QUERIES
    assert all(group == broadcast.room_group("aden") for group, _frame in published)


def test_the_standing_brings_the_members_profile_and_no_later_query_needs_it(
    member, room, session_key, django_assert_num_queries,
):
    standing = selectors.socket_standing(session_key=session_key, user_pk=member.pk, room_slug="aden")
    with django_assert_num_queries(0):
        assert standing.user.profile.display_name == "Layla"
        assert standing.user.profile.user is standing.user
    assert standing.user == member and standing.user.is_active and standing.user.last_login is not None
    assert standing.room == room and standing.room.banned is False and standing.room.muted_until is None
    assert standing.can_post and not standing.can_moderate


def test_an_expired_session_ends_the_standing(member, room, session_key):
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key=session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert selectors.session_user(session_key, member.pk) is None
    standing = selectors.socket_standing(session_key=session_key, user_pk=member.pk, room_slug="aden")
    assert standing.close_code == selectors.SESSION_ENDED


def test_a_session_of_another_member_does_not_log_this_one_in(member, make_member, session_key):
    assert selectors.session_user(session_key, make_member().pk) is None


def test_the_room_read_under_the_lock_carries_the_mute_as_stored(member, moderator, room):
    until = timezone.now() + timedelta(minutes=5)
    mute_member(by=moderator, room=room, member=member, until=until)
    read = selectors.room_for_member(member, pk=room.pk)
    assert read.muted_until == until and read.muted_until.tzinfo is not None and not read.banned
    assert selectors.room_for_member(moderator, slug="aden").muted_until is None
    assert selectors.room_for_member(member, slug="nowhere") is None


def test_pace_reads_the_latest_message_and_the_nth_latest_in_the_window(member, room, settings):
    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, "room_message": (1000, 60)}
    now = timezone.now()
    for n, seconds_ago in enumerate([50, 40, 30, 20, 10]):
        RoomMessage.objects.create(room=room, seq=n + 1, rev=n + 1, author=member, body_source="x",
                                   body_html="x", created=now - timedelta(seconds=seconds_ago), client_id=f"p{n}")
    latest, third = selectors.send_pace(room, member, slow_since=now - timedelta(seconds=15),
                                        window_since=now - timedelta(seconds=45), nth=3)
    assert latest == now - timedelta(seconds=10) and third == now - timedelta(seconds=30)
    latest, fifth = selectors.send_pace(room, member, slow_since=now - timedelta(seconds=5),
                                        window_since=now - timedelta(seconds=45), nth=5)
    assert latest is None and fifth is None  # only four in the window
