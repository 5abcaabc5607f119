"""A notification speaks its reader's language, whoever wrote (issue 16, item 3).

What is stored is the sentence's key and its arguments (names and titles as written);
the sentence is said when shown, in the reader's profile language: on the page, in the
socket's frame and in the digest. Rows stored before are read back by the migration.
"""

from datetime import timedelta
from importlib import import_module

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django.utils.translation import ngettext, override

from forum.models import Notification
from forum.models.following import render_notification
from forum.models.people import MEMBERS_GROUP, Location
from forum.services import moderation
from forum.services.content import do_create_category, reply, start_thread
from forum.services.digests import send_digests
from forum.services.following import set_follow_level
from forum.services.grants import do_grant_permission
from realtime.services import do_create_room, post_message
from tests.realtime.conftest import isolate_socket_tests  # noqa: F401 (autouse: a fresh layer per socket test)
from tests.realtime.conftest import Socket, logged_in_client, open_communicator

migration = import_module("forum.migrations.0012_notification_args")

TITLE = "Joint statement on detentions"
ARABIC_TITLE = "بيان مشترك حول الاعتقالات"


def plain(text: str) -> str:
    return text.replace("\u2068", "").replace("\u2069", "")


def page_of(client) -> str:
    # The browser asks for the other language: the profile's wins.
    return plain(client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="fr").content.decode())


@pytest.fixture
def arabic_reader(make_person):
    return make_person("amal", display_name="أمل", language="ar")


@pytest.fixture
def english_reader(make_person):
    return make_person("john", display_name="John", location=Location.DIASPORA, language="en")


# The page ---------------------------------------------------------------------------------

@pytest.mark.parametrize("reader,writer,title,expected,foreign", [
    ("arabic_reader", "english_reader", TITLE, f"كتب John في «{TITLE}»", "posted in"),
    ("english_reader", "arabic_reader", ARABIC_TITLE, f"أمل posted in “{ARABIC_TITLE}”", "كتب"),
])
def test_the_page_says_a_notification_in_the_readers_language_whoever_wrote(
    request, committed, client_for, category, reader, writer, title, expected, foreign,
):
    reader, writer = request.getfixturevalue(reader), request.getfixturevalue(writer)
    thread = start_thread(author=writer, category=category, title=title, body="Draft / مسودة")
    set_follow_level(user=reader, target=thread, level="watching")
    with committed():
        reply(author=writer, thread=thread, body="Names added / أضفت الأسماء")
    page = page_of(client_for(reader))
    assert expected in page
    assert foreign not in page


def test_one_post_is_said_to_each_reader_in_their_own_language(
    committed, thread, arabic_reader, english_reader, other_member,
):
    for reader in (arabic_reader, english_reader):
        set_follow_level(user=reader, target=thread, level="watching")
    with committed():
        reply(author=other_member, thread=thread, body="Who signs?")
    texts = {note.user.username: plain(note.text) for note in Notification.objects.select_related("user__profile")
             .filter(user__in=[arabic_reader, english_reader])}
    assert texts == {"amal": f"كتب Sami في «{TITLE}»", "john": f"Sami posted in “{TITLE}”"}


def test_a_folded_count_is_said_with_the_readers_plural(committed, thread, arabic_reader, english_reader):
    set_follow_level(user=arabic_reader, target=thread, level="watching")
    for n in range(3):
        with committed():
            reply(author=english_reader, thread=thread, body=f"Update {n}")
    note = Notification.objects.get(user=arabic_reader)
    assert plain(note.text) == f"3 مشاركات جديدة في «{TITLE}»"
    assert plain(note.text_in("en")) == f"3 new posts in “{TITLE}”"


def test_a_moderation_notice_is_said_in_the_authors_language(committed, thread, arabic_reader, moderator):
    post = reply(author=arabic_reader, thread=thread, body="الاسم الكامل للشاهد")
    with committed():
        moderation.hide_post(post=post, by=moderator, reason="Names a witness")
    note = Notification.objects.get(user=arabic_reader)
    assert plain(note.text) == f"أخفى أحد المشرفين مشاركتك في «{TITLE}». السبب: Names a witness"


def test_room_notifications_speak_the_watchers_language(committed, make_person, arabic_reader, english_reader):
    room = do_create_room(slug="aden", name="Aden")
    for perm in ("view_room", "post_in_room"):
        do_grant_permission(actor=None, via="tests", perm=perm, obj=room, to=Group.objects.get(name=MEMBERS_GROUP))
    set_follow_level(user=arabic_reader, target=room, level="watching")
    set_follow_level(user=english_reader, target=room, level="watching")
    with committed():
        post_message(author=english_reader, room=room, body="Meeting at five", client_id="m1")
        post_message(author=english_reader, room=room, body="@أمل are you coming?", client_id="m2")
    with committed():
        post_message(author=arabic_reader, room=room, body="نعم", client_id="m3")
    amal = {note.kind: plain(note.text) for note in Notification.objects.filter(user=arabic_reader)}
    john = {note.kind: plain(note.text) for note in Notification.objects.filter(user=english_reader)}
    assert amal == {"room": "رسالة جديدة في «Aden»", "mention": "أشار إليك John في «Aden»"}
    assert john == {"room": "1 new message in “Aden”"}


def test_the_digest_is_in_the_readers_language(committed, thread, arabic_reader, english_reader):
    arabic_reader.profile.email, arabic_reader.profile.digest = "amal@example.org", "daily"
    arabic_reader.profile.save()
    set_follow_level(user=arabic_reader, target=thread, level="watching")
    for n in range(2):
        with committed():
            reply(author=english_reader, thread=thread, body=f"Update {n}")
    Notification.objects.filter(user=arabic_reader).update(created_at=timezone.now() - timedelta(days=1))
    assert send_digests(base_url="https://majlis.example", now=timezone.now()) == 1
    [message] = mail.outbox
    with override("ar"):
        line = ngettext("%(n)d new post where you watch", "%(n)d new posts where you watch", 2) % {"n": 2}
    assert line in message.body and "posts where you watch" not in message.body


# The socket's frame -------------------------------------------------------------------------

def _watched_thread(make_person, reader_language: str, writer_language: str):
    writer = make_person("writer", display_name="Layla" if writer_language == "en" else "ليلى",
                         language=writer_language)
    reader = make_person("reader", display_name="Sami", language=reader_language)
    category = do_create_category(slug="campaigns", name="Campaigns")
    for perm in ("view_category", "post_in_category"):
        do_grant_permission(actor=None, via="tests", perm=perm, obj=category, to=Group.objects.get(name=MEMBERS_GROUP))
    thread = start_thread(author=writer, category=category, title="Sixteen days", body="Let us plan.")
    set_follow_level(user=reader, target=thread, level="watching")
    return writer, reader, thread


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("reader_language,writer_language,expected", [
    ("ar", "en", "كتب Layla في «Sixteen days»"),
    ("en", "ar", "ليلى posted in “Sixteen days”"),
])
async def test_the_socket_frame_is_in_the_readers_language(make_person, reader_language, writer_language, expected):
    writer, reader, thread = await database_sync_to_async(_watched_thread)(make_person, reader_language,
                                                                           writer_language)
    client = await database_sync_to_async(logged_in_client)(reader)
    socket = Socket(await open_communicator("/ws/notifications/", client), client)
    assert await socket.expect("unread") == {"type": "unread", "count": 0}
    await database_sync_to_async(reply)(author=writer, thread=thread, body="The first meeting is Thursday.")
    note = (await socket.expect("notification"))["notification"]
    assert plain(note["text"]) == expected
    assert await socket.expect("unread") == {"type": "unread", "count": 1}
    await socket.close()


# The migration: the rows stored before -----------------------------------------------------

FSI, PDI = "\u2068", "\u2069"


@pytest.mark.parametrize("kind,text,url,args", [
    ("post", f"{FSI}Rami{PDI} posted in “{FSI}{TITLE}{PDI}”", "/t/th1/#p-po1",
     {"t": "post", "name": "Rami", "title": TITLE, "thread": "th1"}),
    ("post", f"كتب {FSI}رامي{PDI} في «{FSI}{ARABIC_TITLE}{PDI}»", "/t/th1/#p-po1",
     {"t": "post", "name": "رامي", "title": ARABIC_TITLE, "thread": "th1"}),
    ("reply", f"ردّ عليك {FSI}Rami{PDI} في «{FSI}{TITLE}{PDI}»", "/t/th1/#p-po1",
     {"t": "reply", "name": "Rami", "title": TITLE, "thread": "th1"}),
    ("mention", f"{FSI}Rami{PDI} mentioned you in “{FSI}Aden{PDI}”", "/rooms/aden/",
     {"t": "mention", "name": "Rami", "title": "Aden"}),
    ("post", f"{FSI}Rami{PDI}'s post in “{FSI}{TITLE}{PDI}” awaits approval", "/t/th1/#p-po1",
     {"t": "pending", "name": "Rami", "title": TITLE, "thread": "th1"}),
    ("room", f"رسائل جديدة في «{FSI}Aden{PDI}»", "/rooms/aden/", {"t": "room", "title": "Aden"}),
    ("moderation", f"A moderator hid your post in “{FSI}{TITLE}{PDI}”. Reason: Names a witness", "/t/th1/",
     {"t": "hidden", "title": TITLE, "reason": "Names a witness", "thread": "th1"}),
    ("moderation", f"لم يوافق أحد المشرفين على مشاركتك في «{FSI}{TITLE}{PDI}».", "/t/th1/",
     {"t": "rejected", "title": TITLE, "thread": "th1"}),
    ("post", f"{FSI}former member{PDI} posted in “{FSI}{TITLE}{PDI}”", "/t/th1/#p-po1",
     {"t": "post", "name": None, "title": TITLE, "thread": "th1"}),
    # Unreadable (written by hand, or by a sentence since changed): kept whole.
    ("room", "New messages in Aden", "/rooms/aden/", {"t": "text", "text": "New messages in Aden"}),
    ("reply", f"{FSI}Rami{PDI} posted in “{FSI}{TITLE}{PDI}”", "/t/th1/#p-po1",
     {"t": "text", "text": f"{FSI}Rami{PDI} posted in “{FSI}{TITLE}{PDI}”"}),
])
def test_the_migration_reads_the_arguments_back_from_old_texts(kind, text, url, args):
    found, _url = migration.arguments_for(kind, text, url)
    assert found == args


def test_a_migrated_row_is_said_in_either_language():
    args, url = migration.arguments_for("post", f"كتب {FSI}رامي{PDI} في «{FSI}{ARABIC_TITLE}{PDI}»", "/t/th1/#p-po1")
    assert url == "/p/po1/"
    with override("en"):
        assert plain(render_notification(args)) == f"رامي posted in “{ARABIC_TITLE}”"
    with override("ar"):
        assert plain(render_notification(args)) == f"كتب رامي في «{ARABIC_TITLE}»"
    with override("en"):
        assert render_notification({"t": "text", "text": "as it was"}) == "as it was"


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_arguments_of_the_rows_stored_before(make_person):
    """Back to the schema before the migration, rows written as they were, then forward."""
    reader = make_person("reader", display_name="Sami", language="ar")
    executor = MigrationExecutor(connection)
    before = [("forum", "0011_reading")]
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        OldNotification = old.get_model("forum", "Notification")
        ContentType = old.get_model("contenttypes", "ContentType")
        scope = ContentType.objects.get(app_label="forum", model="category")
        for event_key, kind, text, url in [
            ("post:po1", "post", f"كتب {FSI}رامي{PDI} في «{FSI}{ARABIC_TITLE}{PDI}»", "/t/th1/#p-po1"),
            ("msg:m1:room", "room", "New messages in Aden", "/rooms/aden/"),
        ]:
            OldNotification.objects.create(user_id=reader.pk, kind=kind, scope_type=scope, scope_id=1, text=text,
                                           url=url, event_key=event_key)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    notes = {note.event_key: note for note in Notification.objects.select_related("user__profile")}
    post, room = notes["post:po1"], notes["msg:m1:room"]
    assert post.args == {"t": "post", "name": "رامي", "title": ARABIC_TITLE, "thread": "th1"}
    assert post.url == "/p/po1/"
    assert plain(post.text) == f"كتب رامي في «{ARABIC_TITLE}»"
    assert plain(post.text_in("en")) == f"رامي posted in “{ARABIC_TITLE}”"
    assert room.args == {"t": "text", "text": "New messages in Aden"} and room.text == "New messages in Aden"
