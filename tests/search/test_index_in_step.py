"""The index follows every write in the writer's own transaction (issue 15, Build 4).

After each change the post or message is found, or not, exactly as it now reads; on
SQLite FTS5's own integrity check compares its index with the text tables, so an entry
left behind (or missing) fails here even where no search would notice.
"""


import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Q

from forum.services import moderation
from forum.services.content import edit_post, reply, start_thread
from forum.services.leaving import delete_account
from realtime.services import delete_message, delete_room, edit_message
from realtime.services.rooms import purge_expired
from search import facets
from search.models import FTS_TABLES, MessageText, PostText
from tests.forum.conftest import grant
from tests.search.conftest import backdate, find


def assert_index_consistent():
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for fts in FTS_TABLES.values():
                cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('integrity-check')")  # raises if not
    # What each row stores to narrow a search (search/facets.py) is what the post or the
    # message says now, whatever changed it since it was written.
    for text in PostText.objects.select_related("post__thread"):
        post = text.post
        stored = (text.facets, {column: getattr(text, column) for column in facets.POST_COLUMNS})
        assert stored == (facets.post_facets(post, post.thread), facets.post_columns(post, post.thread)), post.pk
    for text in MessageText.objects.select_related("message"):
        stored = (text.facets, {column: getattr(text, column) for column in facets.MESSAGE_COLUMNS})
        assert stored == (facets.message_facets(text.message), facets.message_columns(text.message))


@pytest.fixture
def place(db, members, make_member):
    from forum.services.content import do_create_category

    category = do_create_category(slug="notes", name="Notes")
    grant(category, members, "view", "post")
    return category


@pytest.fixture
def room(make_room, members):
    return make_room("lobby", retention_days=7, grants=[(members, "view", "post")])


@pytest.fixture
def people(make_member, password):
    from types import SimpleNamespace

    return SimpleNamespace(
        writer=make_member("writer", display_name="Writer"), reader=make_member("reader", display_name="Reader"),
        admin=make_member("admin", display_name="Admin", is_superuser=True), password=password,
    )


def test_an_edited_post_is_found_by_its_new_words_only(people, place):
    thread = start_thread(author=people.writer, category=place, title="Plans", body="meet at the bakery")
    post = thread.posts.get()
    assert find(people.reader, "bakery") == [post.public_id]
    edit_post(post=post, by=people.writer, body="meet at the pharmacy")
    assert find(people.reader, "bakery") == []
    assert find(people.reader, "pharmacy") == [post.public_id]
    assert find(people.reader, "plans") == [post.public_id]  # the title stays with the opening post
    assert_index_consistent()


def test_hiding_unhiding_approving_and_rejecting_are_read_from_the_post_itself(people, place, make_member):
    thread = start_thread(author=people.writer, category=place, title="Thread", body="opening")
    post = reply(author=people.writer, thread=thread, body="sensitive words")
    moderation.hide_post(post=post, by=people.admin, reason="check")
    assert find(people.reader, "sensitive") == []
    moderation.unhide_post(post=post, by=people.admin)
    assert find(people.reader, "sensitive") == [post.public_id]
    place.requires_approval = True
    place.save()
    waiting = reply(author=people.writer, thread=thread, body="awaiting approval")
    assert find(people.reader, "awaiting") == []
    moderation.approve_post(post=waiting, by=people.admin)
    assert find(people.reader, "awaiting") == [waiting.public_id]
    refused = reply(author=people.writer, thread=thread, body="refused words")
    moderation.reject_post(post=refused, by=people.admin, reason="no")
    assert find(people.writer, "refused") == [] and find(people.admin, "refused") == []
    assert_index_consistent()


def test_a_thread_s_state_and_place_reach_every_post_s_row(people, place, make_member):
    from forum.models import Thread
    from forum.services.content import do_create_category

    place.requires_approval = True
    place.save()
    thread = start_thread(author=people.writer, category=place, title="Convoy", body="the convoy waits")
    opening = thread.posts.get()
    helper = reply(author=people.admin, thread=thread, body="a convoy answer")  # a moderator's, approved
    both = sorted([helper.public_id, opening.public_id])
    assert sorted(find(people.writer, "convoy")) == both  # the thread waits, and is theirs
    assert find(people.reader, "convoy") == []
    assert_index_consistent()
    moderation.approve_post(post=opening, by=people.admin)
    assert sorted(find(people.reader, "convoy")) == both
    assert_index_consistent()
    moderation.hide_post(post=opening, by=people.admin, reason="check")  # the thread is hidden with it
    assert find(people.reader, "convoy") == [] and find(people.writer, "convoy") == []
    assert len(find(people.admin, "convoy")) == 2
    assert_index_consistent()
    moderation.unhide_post(post=opening, by=people.admin)
    assert len(find(people.reader, "convoy")) == 2
    elsewhere = do_create_category(slug="elsewhere", name="Elsewhere")
    grant(elsewhere, people.reader, "view")
    moderation.move_thread(thread=Thread.objects.get(pk=thread.pk), by=people.admin, to=elsewhere)
    assert len(find(people.reader, "convoy", place="elsewhere")) == 2
    assert_index_consistent()
    refused = start_thread(author=people.writer, category=place, title="Refused", body="convoy refused")
    moderation.reject_post(post=refused.posts.get(), by=people.admin, reason="no")
    assert len(find(people.admin, "convoy")) == 2
    assert_index_consistent()


def test_edited_and_deleted_messages(people, room, say):
    message = say(people.writer, room, "the convoy leaves at dawn")
    assert find(people.reader, "convoy") == [message.public_id]
    edit_message(by=people.writer, room=room, message_id=message.public_id, body="the trucks leave at noon")
    assert find(people.reader, "convoy") == [] and find(people.reader, "trucks") == [message.public_id]
    delete_message(by=people.writer, room=room, message_id=message.public_id)
    assert find(people.reader, "trucks") == []
    assert not MessageText.objects.filter(pk=message.pk).exists()
    assert_index_consistent()


def test_the_retention_purge_takes_messages_out_of_the_index(people, room, say):
    old = say(people.writer, room, "old rumour")
    backdate(old, days=8)
    purge_expired()
    assert not MessageText.objects.filter(pk=old.pk).exists()
    assert_index_consistent()


def test_a_deleted_room_leaves_nothing_in_the_index(people, room, say):
    say(people.writer, room, "room words")
    delete_room(by=people.admin, room=room)
    assert not MessageText.objects.exists()
    assert_index_consistent()


def test_erasing_my_account_removes_my_words_from_the_index(people, place, room, say):
    start_thread(author=people.writer, category=place, title="Mine", body="erasable testimony")
    say(people.writer, room, "erasable message")
    other = start_thread(author=people.reader, category=place, title="Theirs", body="erasable too")
    delete_account(user=people.writer, password=people.password, content="erase")
    assert find(people.reader, "erasable") == [other.posts.get().public_id]
    assert find(people.reader, "mine") == []
    assert PostText.objects.count() == 1 and not MessageText.objects.exists()
    assert_index_consistent()


def test_keeping_my_content_keeps_it_findable_as_a_former_member_s(people, place, room, say):
    thread = start_thread(author=people.writer, category=place, title="Kept", body="kept testimony")
    say(people.writer, room, "kept message")
    place.requires_approval = True
    place.save()
    waiting = start_thread(author=people.writer, category=place, title="Waiting", body="kept waiting")
    answer = reply(author=people.admin, thread=waiting, body="kept answer")  # in their waiting thread
    gone = people.writer.pk
    delete_account(user=people.writer, password=people.password, content="keep")
    assert find(people.reader, "testimony") == [thread.posts.get().public_id]
    assert len(find(people.reader, "kept")) == 2  # the approved post and the message
    assert answer.public_id in find(people.admin, "kept")  # what waited is the moderators' alone now
    # The rows keep no id of the member who left, as the posts and messages keep none.
    assert not PostText.objects.filter(Q(author=gone) | Q(owner=gone)).exists()
    assert not MessageText.objects.filter(author=gone).exists()
    for model in (PostText, MessageText):
        assert all(f"a{gone}" not in tokens.split() for tokens in model.objects.values_list("facets", flat=True))
    assert_index_consistent()


def test_a_write_rolled_back_leaves_no_index_entry(people, place):
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        start_thread(author=people.writer, category=place, title="Draft", body="never stored")
        raise Abort
    assert find(people.reader, "never") == []
    assert not PostText.objects.exists()
    assert_index_consistent()


def test_rebuild_search_index_restores_a_lost_index(people, place, room, say, capsys):
    post = start_thread(author=people.writer, category=place, title="Restored", body="restored words").posts.get()
    message = say(people.writer, room, "restored message")
    with connection.cursor() as cursor:  # as if the analyser changed: nothing matches any more
        cursor.execute(f"UPDATE {PostText._meta.db_table} SET analysed = 'x'")
    call_command("rebuild_search_index", verbosity=2)
    assert "Indexed 2 posts and messages." in capsys.readouterr().out
    assert sorted(find(people.reader, "restored")) == sorted([post.public_id, message.public_id])
    assert_index_consistent()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: SQLite writes one transaction at a time")
@pytest.mark.django_db(transaction=True)
def test_an_edit_racing_a_moderator_stores_the_state_the_moderator_committed(people, place):
    """The author saves an edit while a moderator's hiding of the same post is still
    uncommitted: the edit waits, then indexes the post as hidden, not as the page it was
    sent from showed it (search/index.py: `_committed_state`)."""
    import threading

    thread = start_thread(author=people.writer, category=place, title="Race", body="opening")
    post = reply(author=people.writer, thread=thread, body="first draft")
    hidden, edited = threading.Event(), threading.Event()

    def moderator():
        from django.db import connection as own

        try:
            with transaction.atomic():
                moderation.hide_post(post=post, by=people.admin, reason="check")
                hidden.set()
                edited.wait(timeout=2)  # the edit is now waiting for this transaction's locks
        finally:
            own.close()

    def author():
        from django.db import connection as own

        try:
            hidden.wait(timeout=10)
            threading.Timer(0.5, edited.set).start()
            edit_post(post=post, by=people.writer, body="second draft")  # `post`: read before the hiding
        finally:
            own.close()

    workers = [threading.Thread(target=moderator), threading.Thread(target=author)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert PostText.objects.get(pk=post.pk).visibility == facets.MODERATORS
    assert find(people.reader, "second") == []
    assert find(people.admin, "second") == [post.public_id]
    assert_index_consistent()
