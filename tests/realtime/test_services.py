"""The services: the rules of writing in a room, decided where the data is."""

import os
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import partial

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forum.models import ModerationEvent
from realtime import broadcast
from forum.errors import BadRequest, Forbidden, Muted, NotFound, RateLimited, ReadOnly, TooLong
from realtime.models import Room, RoomMessage
from realtime.services import (
    ban_member, delete_message, edit_message, mute_member, post_message, set_read_only, set_slow_mode,
)
from realtime.services import messages as message_services


@pytest.fixture
def published(monkeypatch):
    frames = []
    monkeypatch.setattr(broadcast, "publish_frame", lambda group, frame: frames.append((group, frame)))
    return frames


def test_a_message_is_broadcast_only_after_its_transaction_commits(
    member, room, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message, created = post_message(author=member, room=room, body="hi", client_id="c")
    # Two after-commit jobs: the room's broadcast, then the watchers' notifications.
    assert created and published == [] and len(callbacks) == 2
    callbacks[0]()
    assert published == [("room.aden", {"type": "message", "message": published[0][1]["message"]})]
    assert published[0][1]["message"]["id"] == message.public_id


def test_nothing_is_broadcast_when_the_write_is_refused(member, moderator, room, published, settings):
    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, "room_message": (1, 60)}
    post_message(author=member, room=room, body="one", client_id="1")
    published.clear()
    with pytest.raises(RateLimited):
        post_message(author=member, room=room, body="two", client_id="2")
    assert published == []


def test_seq_and_rev_advance_on_the_room_row(member, room):
    first, _ = post_message(author=member, room=room, body="a", client_id="a")
    second, _ = post_message(author=member, room=room, body="b", client_id="b")
    edit_message(by=member, room=room, message_id=first.public_id, body="a2")
    delete_message(by=member, room=room, message_id=second.public_id)
    room.refresh_from_db()
    assert (room.seq, room.rev) == (2, 4)
    assert list(RoomMessage.objects.order_by("seq").values_list("seq", "rev")) == [(1, 3), (2, 4)]


def test_a_refused_message_gives_its_numbers_back(member, moderator, room):
    post_message(author=member, room=room, body="a", client_id="a")
    set_read_only(by=moderator, room=room, on=True)
    with pytest.raises(ReadOnly):
        post_message(author=member, room=room, body="b", client_id="b")
    set_read_only(by=moderator, room=room, on=False)
    message, _ = post_message(author=member, room=room, body="c", client_id="c")
    assert (message.seq, message.rev) == (2, 2)


def test_the_unique_constraint_decides_a_client_id_race(member, room, monkeypatch):
    original, _ = post_message(author=member, room=room, body="first", client_id="race")
    # The check misses, as when two sends of one id pass it at the same moment:
    # the database constraint still stores one row.
    monkeypatch.setattr(message_services, "_stored", _misses_then_finds(message_services._stored, misses=1))
    repeat, created = post_message(author=member, room=room, body="second", client_id="race")
    assert not created and repeat.pk == original.pk and repeat.body_source == "first"
    assert RoomMessage.objects.count() == 1
    room.refresh_from_db()
    assert room.seq == 1


def _misses_then_finds(find, misses):
    calls = {"n": 0}

    def stored(*args):
        calls["n"] += 1
        return None if calls["n"] <= misses else find(*args)
    return stored


def test_flood_control_counts_per_member_per_room_and_says_when_to_retry(member, make_member, room, settings):
    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, "room_message": (3, 10)}
    for n in range(3):
        post_message(author=member, room=room, body=f"{n}", client_id=f"{n}")
    with pytest.raises(RateLimited) as refused:
        post_message(author=member, room=room, body="3", client_id="3")
    assert 9 <= refused.value.retry_after <= 10
    post_message(author=make_member(), room=room, body="someone else", client_id="3")  # another member is free
    RoomMessage.objects.filter(author=member).update(created=timezone.now() - timedelta(seconds=11))
    post_message(author=member, room=room, body="later", client_id="4")


def test_slow_mode_applies_between_two_messages_of_a_member(member, moderator, room):
    set_slow_mode(by=moderator, room=room, seconds=60)
    post_message(author=member, room=room, body="one", client_id="1")
    with pytest.raises(RateLimited) as refused:
        post_message(author=member, room=room, body="two", client_id="2")
    assert 59 <= refused.value.retry_after <= 60
    RoomMessage.objects.update(created=timezone.now() - timedelta(seconds=61))
    post_message(author=member, room=room, body="two", client_id="2")


def test_a_repeat_is_answered_even_when_the_member_is_now_rate_limited(member, room, settings):
    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, "room_message": (1, 60)}
    message, _ = post_message(author=member, room=room, body="one", client_id="1")
    assert post_message(author=member, room=room, body="one", client_id="1") == (message, False)


def test_mutes_and_bans_hold_until_they_end(member, moderator, room):
    mute_member(by=moderator, room=room, member=member, until=timezone.now() + timedelta(minutes=1))
    with pytest.raises(Muted):
        post_message(author=member, room=room, body="x", client_id="x")
    from realtime.models import RoomMute

    RoomMute.objects.update(until=timezone.now() - timedelta(seconds=1))
    post_message(author=member, room=room, body="x", client_id="x")
    ban_member(by=moderator, room=room, member=member, until=timezone.now() + timedelta(minutes=1))
    with pytest.raises(Forbidden):
        post_message(author=member, room=room, body="y", client_id="y")


def test_a_member_without_view_gets_not_found_not_forbidden(make_member, make_room):
    stranger = make_member()
    room = make_room("hidden", grant_to="diaspora")
    with pytest.raises(NotFound):
        post_message(author=stranger, room=room, body="x", client_id="x")


def test_body_and_client_id_are_checked(member, room):
    with pytest.raises(BadRequest):
        post_message(author=member, room=room, body=" ", client_id="x")
    with pytest.raises(TooLong):
        post_message(author=member, room=room, body="x" * 4001, client_id="x")
    with pytest.raises(BadRequest):
        post_message(author=member, room=room, body="x", client_id="x" * 65)


def test_moderator_actions_need_moderate_room(member, make_member, room):
    other = make_member()
    with pytest.raises(Forbidden):
        ban_member(by=member, room=room, member=other)
    with pytest.raises(Forbidden):
        set_slow_mode(by=member, room=room, seconds=5)
    assert not ModerationEvent.objects.exclude(action="grant").exists()


def test_message_bodies_are_sanitised(member, room):
    message, _ = post_message(
        author=member, room=room, body='<script>alert(1)</script> [x](javascript:alert(1)) ![i](https://evil.example/i.png)',
        client_id="x",
    )
    assert "<script" not in message.body_html and 'href="javascript' not in message.body_html
    assert "<img" not in message.body_html


def test_posting_costs_a_bounded_number_of_queries(member, room):
    with CaptureQueriesContext(connection) as queries:
        post_message(author=member, room=room, body="x", client_id="x")
    assert len(queries) <= 14


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="the in-memory test database locks whole tables; see the next test"
)
@pytest.mark.django_db(transaction=True)
def test_sends_from_many_threads_at_once_get_gap_free_seq(make_member, room, settings):
    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, "room_message": (1000, 5)}
    authors = [make_member() for _ in range(6)]

    def send_many(author):
        from django.db import connection as thread_connection

        try:
            for n in range(15):
                post_message(author=author, room=Room.objects.get(pk=room.pk), body=f"{n}", client_id=f"c{n}")
                post_message(author=author, room=Room.objects.get(pk=room.pk), body=f"{n}", client_id=f"c{n}")
        finally:
            thread_connection.close()

    with ThreadPoolExecutor(max_workers=len(authors)) as pool:
        list(pool.map(send_many, authors))

    rows = list(RoomMessage.objects.order_by("seq").values_list("seq", "rev"))
    assert [seq for seq, _rev in rows] == list(range(1, 91))
    assert sorted(rev for _seq, rev in rows) == list(range(1, 91))
    room.refresh_from_db()
    assert (room.seq, room.rev) == (90, 90)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the embedded default: processes sharing one SQLite file")
def test_processes_sharing_one_sqlite_file_get_gap_free_seq(tmp_path):
    writers, messages = 4, 25
    database = tmp_path / "shared.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "MAJLIS_ENV": "development"}
    env.pop("REDIS_URL", None)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    run = partial(subprocess.run, cwd=settings.BASE_DIR, env=env, check=True, timeout=120)
    run([sys.executable, "manage.py", "migrate", "-v0"])
    helper = [sys.executable, "-m", "tests.realtime.concurrent_writer"]
    run([*helper, "setup", str(writers)])
    procs = [subprocess.Popen([*helper, "write", str(i), str(messages)], cwd=settings.BASE_DIR, env=env)
             for i in range(writers)]
    assert [p.wait(timeout=120) for p in procs] == [0] * writers

    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT seq, rev FROM realtime_roommessage ORDER BY seq").fetchall()
        counters = db.execute("SELECT seq, rev FROM realtime_room WHERE slug = 'race'").fetchone()
    total = writers * messages
    assert [seq for seq, _rev in rows] == list(range(1, total + 1))
    assert sorted(rev for _seq, rev in rows) == list(range(1, total + 1))
    assert counters == (total, total)
