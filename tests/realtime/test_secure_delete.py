"""Deleted and edited-away text is gone from the database files, not only from the tables.

Members delete messages because they are dangerous to keep: whoever later reads the disk
(a seized server, a backup) must not find them. The suite's SQLite database lives in
memory, so each scenario runs the real services in a subprocess on a SQLite file (the
embedded default, WAL mode), then this test reads the bytes of the file and its WAL.
"""

import json
import os
import shutil
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from realtime.services.rooms import TEXT_MODELS

SCRIPT = textwrap.dedent(r"""
    import json, logging, os, sqlite3, sys, time
    from datetime import timedelta

    # Debian builds SQLite with secure_delete on by default; upstream's default is off.
    # Every connection starts off here, as on most machines: Majlis must turn it on itself.
    # (Both SQLite modules: config/settings.py swaps in pysqlite3's newer SQLite if installed.)
    import sqlite3.dbapi2
    modules = [sqlite3.dbapi2]
    try:
        import pysqlite3.dbapi2
        modules.append(pysqlite3.dbapi2)
    except ImportError:
        pass

    def upstream_default(connect):
        def connect_as_upstream_builds(*args, **kwargs):
            opened = connect(*args, **kwargs)
            opened.execute("PRAGMA secure_delete = OFF")
            return opened
        return connect_as_upstream_builds

    for module in modules:
        module.connect = upstream_default(module.connect)

    import django
    django.setup()

    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from forum.models import Category, Post
    from forum.services.accounts import create_member
    from forum.services.content import do_create_category, edit_post, start_thread
    from forum.services.grants import do_grant_permission
    from realtime.models import Room, RoomMessage
    from realtime.services import do_create_room, delete_message, edit_message, post_message

    scenario, canary, database = sys.argv[1], sys.argv[2], sys.argv[3]
    report = {}
    warnings = []
    logging.getLogger("forum.erasure").addHandler(type("Keep", (logging.Handler,), {
        "emit": lambda self, record: warnings.append(record.getMessage())})())


    def on_disk():
        # Read while this process keeps its connection open, as daphne does: the last
        # connection to close checkpoints the WAL and removes it, which would hide it.
        files = [database + suffix for suffix in ("", "-wal", "-journal")]
        return sum(open(path, "rb").read().count(canary.encode()) for path in files if os.path.exists(path))


    if scenario == "setup":
        call_command("migrate", verbosity=0)
        writer = create_member(username="writer", password="a long password", display_name="Writer",
                               location="in_country", organisation=None, language="en")
        members = Group.objects.get(name="members")
        category = do_create_category(slug="notes", name="Notes")
        for perm in ("view_category", "post_in_category"):
            do_grant_permission(actor=None, via="tests", perm=perm, obj=category, to=members)
        for slug, days in (("aden", None), ("week", 7)):
            room = do_create_room(slug=slug, name=slug.title(), retention_days=days)
            for perm in ("view_room", "post_in_room"):
                do_grant_permission(actor=None, via="tests", perm=perm, obj=room, to=members)
        connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        sys.exit(0)

    from django.contrib.auth import get_user_model
    writer = get_user_model().objects.get(username="writer")
    aden = Room.objects.get(slug="aden")
    if scenario in ("delete", "edit", "edit-delete", "reader"):
        # In the middle of a conversation, as a message usually is.
        post_message(author=writer, room=aden, body="good morning", client_id="m0")
        message, _new = post_message(author=writer, room=aden, body=f"meet at {canary}", client_id="m1")
        post_message(author=writer, room=aden, body="see you", client_id="m2")
        report["on_disk_before"] = on_disk()
        if scenario == "reader":
            # Another process reads (a page, a command) and holds its snapshot meanwhile.
            reader = connection.Database.connect(database, isolation_level=None)  # the SQLite Majlis runs
            reader.execute("BEGIN")
            reader.execute("SELECT count(*) FROM realtime_roommessage").fetchone()
        started = time.monotonic()
        if scenario == "edit":
            edit_message(by=writer, room=aden, message_id=message.public_id, body="nothing to see here, " * 8)
        elif scenario == "edit-delete":  # the earlier version goes with the message
            edit_message(by=writer, room=aden, message_id=message.public_id, body="nothing to see here, " * 8)
            delete_message(by=writer, room=aden, message_id=message.public_id)
        else:
            delete_message(by=writer, room=aden, message_id=message.public_id)
        report["seconds"] = time.monotonic() - started
        if scenario == "reader":
            report["on_disk_while_read"] = on_disk()
            reader.execute("COMMIT")
            reader.close()
            # The next deletion, with nobody reading, finishes the work.
            other, _new = post_message(author=writer, room=aden, body="later", client_id="m3")
            delete_message(by=writer, room=aden, message_id=other.public_id)
    elif scenario == "purge":
        week = Room.objects.get(slug="week")
        post_message(author=writer, room=week, body=f"old news {canary}", client_id="old")
        RoomMessage.objects.filter(room=week).update(created=timezone.now() - timedelta(days=8))
        report["on_disk_before"] = on_disk()
        call_command("purge_expired", stdout=open("/dev/null", "w"))
    elif scenario == "post-edit":
        category = Category.objects.get(slug="notes")
        thread = start_thread(author=writer, category=category, title="Plans", body=f"meet at {canary}")
        start_thread(author=writer, category=category, title="Later", body="see you")
        report["on_disk_before"] = on_disk()
        edit_post(post=Post.objects.get(thread=thread), by=writer, body="nothing to see here, " * 8)
    report["found"] = on_disk()
    report["warnings"] = warnings
    connection.close()
    print(json.dumps(report))
""")


def _run(scenario: str, database: Path, canary: str = "-") -> dict:
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "MAJLIS_ENV"}}
    env.update(DATABASE_URL=f"sqlite:///{database}", DJANGO_SETTINGS_MODULE="config.settings")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, scenario, canary, str(database)],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1]) if scenario != "setup" else {}


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory) -> Path:
    """A migrated SQLite file with a member, two rooms and a category (once per module)."""
    database = tmp_path_factory.mktemp("template") / "db.sqlite3"
    _run("setup", database)
    return database


@pytest.fixture
def run(migrated_database, tmp_path):
    """`run(scenario)`: the scenario on a fresh copy of the database, its text carrying a
    canary word; its report, and how often the canary was in the files at its end."""
    database = tmp_path / "db.sqlite3"
    shutil.copyfile(migrated_database, database)
    canary = f"canary{uuid.uuid4().hex}"

    def scenario(name: str) -> tuple[dict, int]:
        report = _run(name, database, canary)
        return report, report["found"]

    return scenario


def test_a_deleted_room_message_is_in_neither_the_database_file_nor_its_wal(run):
    report, found = run("delete")
    assert report["on_disk_before"]  # the search would see it
    assert found == 0


def test_an_edited_room_message_keeps_its_old_text_only_in_the_revision_moderators_read(run):
    # As a post's: the revision keeps the old source and its HTML, once each; the message's
    # own row and its search entry are overwritten, and their old bytes must not linger.
    report, found = run("edit")
    assert report["on_disk_before"]
    assert found == 2


def test_a_room_message_edited_then_deleted_is_in_neither_file_nor_its_revision(run):
    report, found = run("edit-delete")
    assert report["on_disk_before"]
    assert found == 0


def test_messages_purged_by_retention_are_gone_from_the_files(run):
    report, found = run("purge")
    assert report["on_disk_before"]
    assert found == 0


def test_an_edited_post_keeps_its_old_text_only_in_the_revision_moderators_read(run):
    # The revision keeps the old source and its HTML, once each; the post's own row is
    # overwritten, and its old bytes must not linger beside them.
    report, found = run("post-edit")
    assert report["on_disk_before"]
    assert found == 2


def test_a_reader_holding_a_snapshot_delays_the_wipe_without_stalling_the_writer(run):
    # The writer's database thread serves every socket of its process: it must not wait
    # out the connection's 20-second busy timeout for another process's reader.
    report, found = run("reader")
    assert report["seconds"] < 5
    assert report["on_disk_while_read"] and report["warnings"], "the reader held the WAL; that is logged"
    assert found == 0  # the next deletion, with nobody reading, finished it


# --- PostgreSQL: dead rows are reclaimed by VACUUM, which purge_expired runs -----------

def _vacuum_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT relname, vacuum_count FROM pg_stat_user_tables")
        return dict(cursor.fetchall())


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL")
def test_purge_expired_vacuums_every_table_that_holds_members_text():
    before = _vacuum_counts()
    call_command("purge_expired", stdout=open(os.devnull, "w"))
    after = _vacuum_counts()
    for model in TEXT_MODELS:
        table = model._meta.db_table
        assert after[table] > before.get(table, 0), table
