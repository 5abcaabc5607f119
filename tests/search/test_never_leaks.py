"""Search never shows, counts or orders by what the searcher cannot see now (issue 15).

A canary word is written everywhere a member must not find it: a forbidden category's
thread title and post, a private room's message, a hidden post, a pending post, a deleted
message and a message past its room's retention. Public posts carry it too, so the
canary's count, order and pages can be compared with a member who sees none of that.
"""


import pytest

from forum.services import moderation
from forum.services.content import reply, start_thread
from forum.services.grants import do_revoke_permission
from realtime.models import RoomMessage
from realtime.services import ban_member, delete_message
from tests.forum.conftest import grant
from tests.search.conftest import backdate, count, find

CANARY = "zanzibarcanary"


@pytest.fixture
def world(db, make_member, members, board, make_room, say):
    from types import SimpleNamespace

    from forum.services.content import do_create_category

    w = SimpleNamespace()
    w.author = make_member("author", display_name="Author")
    w.reader = make_member("reader", display_name="Reader")
    w.moderator = make_member("moderator", display_name="Moderator")
    w.insider = make_member("insider", display_name="Insider")
    board.user_set.add(w.insider)
    w.open = do_create_category(slug="open", name="Open")
    grant(w.open, members, "view", "post")
    grant(w.open, w.moderator, "moderate")
    w.vetted = do_create_category(slug="vetted", name="Vetted", requires_approval=True)
    grant(w.vetted, members, "view", "post")
    grant(w.vetted, w.moderator, "moderate")
    w.secret = do_create_category(slug="secret", name="Secret")
    grant(w.secret, board, "view", "post")
    w.lobby = make_room("lobby", grants=[(members, "view", "post"), (w.moderator, "moderate")])
    w.private = make_room("private", grants=[(board, "view", "post")])
    w.week = make_room("week", retention_days=7, grants=[(members, "view", "post")])

    # What everyone may find: three public posts and a public message with the canary.
    w.public = [
        start_thread(author=w.author, category=w.open, title=f"Public {CANARY}", body="first").posts.get().public_id,
    ]
    thread = start_thread(author=w.author, category=w.open, title="Notes", body="opening words")
    w.public.append(reply(author=w.author, thread=thread, body=f"a public {CANARY} reply").public_id)
    w.public.append(say(w.author, w.lobby, f"a public {CANARY} message").public_id)

    # What only some may find.
    secret = start_thread(author=w.insider, category=w.secret, title=f"Secret {CANARY}", body=f"inside {CANARY}")
    w.secret_post = secret.posts.get().public_id
    w.private_message = say(w.insider, w.private, f"private {CANARY}").public_id
    hidden = reply(author=w.author, thread=thread, body=f"hidden {CANARY} reply")
    moderation.hide_post(post=hidden, by=w.moderator, reason="test")
    w.hidden = hidden.public_id
    pending = start_thread(author=w.author, category=w.vetted, title="Waiting", body=f"pending {CANARY}")
    w.pending = pending.posts.get().public_id
    gone = say(w.author, w.lobby, f"deleted {CANARY} message")
    delete_message(by=w.author, room=w.lobby, message_id=gone.public_id)
    w.deleted = gone.public_id
    old = say(w.author, w.week, f"old {CANARY} message")
    backdate(old, days=8)
    w.expired = old.public_id
    w.recent = say(w.author, w.week, f"recent {CANARY} message").public_id
    w.public.append(w.recent)
    return w


def test_a_member_finds_the_public_canaries_and_nothing_else(world):
    found = find(world.reader, CANARY)
    assert sorted(found) == sorted(world.public)
    assert count(world.reader, CANARY) == len(world.public)


def test_the_forbidden_canaries_change_no_count_order_or_page_for_others(world, make_member):
    # A member of the board sees more; the reader's results, counts and pages are exactly
    # those of a world where the forbidden texts were never written.
    reader_all = find(world.reader, CANARY)
    for limit in (1, 2, 3):
        pages = [find(world.reader, CANARY, limit=limit, offset=offset) for offset in range(0, 6, limit)]
        assert [id_ for page in pages for id_ in page] == reader_all
    assert world.secret_post in find(world.insider, CANARY)
    assert world.private_message in find(world.insider, CANARY)
    for forbidden in (world.secret_post, world.private_message, world.hidden, world.pending, world.deleted,
                      world.expired):
        assert forbidden not in reader_all
    # Searched by the place's own slug, the forbidden places answer as missing ones do.
    assert find(world.reader, CANARY, place="secret") == find(world.reader, CANARY, place="no-such-place") == []
    assert find(world.reader, CANARY, place="private") == []


def test_the_moderator_finds_the_hidden_and_the_pending_post(world):
    found = find(world.moderator, CANARY)
    assert world.hidden in found and world.pending in found
    assert world.deleted not in found and world.expired not in found and world.secret_post not in found


def test_the_author_finds_their_pending_post_but_not_their_hidden_one(world):
    found = find(world.author, CANARY)
    assert world.pending in found
    assert world.hidden not in found  # a hidden post is the moderators' business, its author's no more


def test_a_revoked_grant_removes_results_at_the_next_query(world, board):
    assert world.secret_post in find(world.insider, CANARY)
    do_revoke_permission(actor=None, via="tests", perm="view_category", obj=world.secret, to=board)
    do_revoke_permission(actor=None, via="tests", perm="view_room", obj=world.private, to=board)
    found = find(world.insider, CANARY)
    assert world.secret_post not in found and world.private_message not in found


def test_a_room_ban_removes_the_room_s_messages_at_the_next_query(world):
    assert world.recent in find(world.reader, CANARY)
    ban_member(by=world.moderator, room=world.lobby, member=world.reader, reason="test")
    found = find(world.reader, CANARY)
    lobby_message = world.public[2]
    assert lobby_message not in found
    assert world.recent in found  # another room's messages are still theirs to find


def test_a_message_past_retention_is_not_found_even_before_the_purge(world):
    assert world.expired not in find(world.author, CANARY)
    assert RoomMessage.objects.filter(public_id=world.expired).exists()  # not purged yet


def test_a_thread_moved_out_of_sight_takes_its_posts_with_it(world, make_member):
    from forum.models import Thread

    admin = make_member("admin", display_name="Admin", is_superuser=True)
    thread = Thread.objects.get(title=f"Public {CANARY}")
    assert world.public[0] in find(world.reader, CANARY)
    moderation.move_thread(thread=thread, by=admin, to=world.secret)
    assert world.public[0] not in find(world.reader, CANARY)
    assert world.public[0] in find(world.insider, CANARY)


def test_the_ranked_newest_are_counted_among_what_the_searcher_may_see(world, monkeypatch, make_member):
    # Only the newest CANDIDATES matches of each kind are ranked. Forbidden texts newer
    # than every public one must not take those places: the reader's results stay theirs.
    from search import selectors

    before = find(world.reader, CANARY)
    for n in range(6):
        start_thread(author=world.insider, category=world.secret, title=f"More {CANARY} {n}", body="x")
    monkeypatch.setattr(selectors, "CANDIDATES", 2)
    capped = find(world.reader, CANARY)
    assert len(capped) == 4  # two posts and two messages, all of them public ones
    assert set(capped) <= set(before)
    from search.query import parse

    found = selectors.search(world.reader, parse(CANARY), selectors.Filters(), offset=0, limit=20)
    assert found.capped and found.total == 4
    monkeypatch.setattr(selectors, "CANDIDATES", 1000)
    assert find(world.reader, CANARY) == before
