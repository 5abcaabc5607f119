"""Nothing hidden from a member reaches them through a page that takes a post's id (issue 9, item 1).

The world: "campaigns", where every member reads and writes and Noor moderates, and
"documentation", where members' posts wait for Noor's approval. Four posts carry a canary
word that only those allowed may read:
- a reply of Layla's that Noor hid;
- a reply of Layla's waiting for approval (Sami may not see it; Layla, its author, may);
- a reply in a thread whose opening post Noor hid (the whole thread is hidden);
- that hidden opening post itself.
Sami, a member who reads and writes both categories, gets the same 404 as for an id that
does not exist on every page that takes one of these ids, and finds neither the canary
nor the id on a thread page. So does Layla for her hidden posts: once hidden, a post is
the moderators' business. Noor still reads them and acts on them. A refusal stores nothing.
"""

import re
from types import SimpleNamespace

import pytest

from forum.ids import new_public_id
from forum.models import ModerationEvent, Post, PostReport, PostRevision, Thread
from forum.services import content, moderation

CANARY = "saffron-kestrel"
HIDDEN_NOTE = "This post was hidden by a moderator."


@pytest.fixture
def world(category, premoderated, writer, other_member, moderator):
    w = SimpleNamespace(reader=other_member, author=writer, moderator=moderator)
    w.open_thread = content.start_thread(
        author=writer, category=category, title="Checkpoint reports", body="What we saw this week."
    )
    w.hidden_reply = content.reply(author=writer, thread=w.open_thread, body=f"The {CANARY} names the officer.")
    moderation.hide_post(post=w.hidden_reply, by=moderator, reason="Names an officer")

    w.premoderated_thread = content.start_thread(
        author=moderator, category=premoderated, title="Method notes", body="Read first."
    )
    w.pending_reply = content.reply(author=writer, thread=w.premoderated_thread, body=f"Unconfirmed: {CANARY}.")

    w.hidden_thread = content.start_thread(
        author=writer, category=category, title="Meeting places", body=f"The {CANARY} house is safe."
    )
    w.reply_in_hidden_thread = content.reply(author=writer, thread=w.hidden_thread, body=f"Its {CANARY} door.")
    w.hidden_opening = w.hidden_thread.posts.get(is_opening=True)
    moderation.hide_post(post=w.hidden_opening, by=moderator, reason="Exposes a house")
    return w


def cases(w, visitor):
    """(post, its thread) for every post hidden from this visitor."""
    found = [(w.hidden_reply, w.open_thread), (w.reply_in_hidden_thread, w.hidden_thread),
             (w.hidden_opening, w.hidden_thread)]
    if visitor is w.reader:
        found.append((w.pending_reply, w.premoderated_thread))
    return found


# name: (method, path, form data); {post} and {thread} are public ids.
ACTIONS = {
    "link to it": ("get", "/p/{post}/", None),
    "report form": ("get", "/p/{post}/report/", None),
    "report": ("post", "/p/{post}/report/", {"reason": "Too precise"}),
    "edit form": ("get", "/p/{post}/edit/", None),
    "edit": ("post", "/p/{post}/edit/", {"body": "Rewritten."}),
    "quote": ("get", "/t/{thread}/reply/?quote={post}", None),
    "reply to it": ("post", "/t/{thread}/reply/", {"body": "Agreed.", "reply_to": "{post}"}),
    "hide": ("post", "/p/{post}/hide/", {"reason": "Again"}),
    "unhide": ("post", "/p/{post}/unhide/", {"reason": "Fine now"}),
    "approve": ("post", "/p/{post}/approve/", {}),
    "reject": ("post", "/p/{post}/reject/", {"reason": "Unconfirmed"}),
}


def snapshot():
    """Everything a request could change, in a comparable form."""
    return (
        sorted(Thread.objects.values_list("public_id", "status", "is_hidden", "reply_count")),
        sorted(Post.objects.values_list("public_id", "status", "is_hidden", "body_source", "reply_to")),
        PostReport.objects.count(), PostRevision.objects.count(), ModerationEvent.objects.count(),
    )


def send(client, action, post_id, thread_id):
    method, path, data = ACTIONS[action]
    path = path.format(post=post_id, thread=thread_id)
    data = {key: value.format(post=post_id) for key, value in (data or {}).items()}
    response = client.get(path) if method == "get" else client.post(path, data)
    body = response.content.decode().replace(path, "PATH")  # the address is echoed (language switcher)
    return response.status_code, re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)


@pytest.mark.parametrize("visitor", ["reader", "author"])
@pytest.mark.parametrize("action", ACTIONS)
def test_every_page_that_takes_a_post_id_answers_404_for_a_post_hidden_from_the_visitor(
    world, client_for, action, visitor
):
    visitor = getattr(world, visitor)
    client = client_for(visitor)
    for post, thread in cases(world, visitor):
        before = snapshot()
        status, body = send(client, action, post.public_id, thread.public_id)
        assert (status, CANARY in body) == (404, False), (post.body_source, body[:1500])
        assert snapshot() == before, post.body_source
        # The same answer as for an id that never existed: nothing tells the two apart.
        assert (status, body) == send(client, action, new_public_id(), thread.public_id)


@pytest.mark.parametrize("visitor", ["reader", "author"])
def test_a_thread_page_shows_a_hidden_post_in_its_place_without_its_text_or_its_id(world, client_for, visitor):
    visitor = getattr(world, visitor)
    client = client_for(visitor)
    response = client.get(f"/t/{world.open_thread.public_id}/")
    html = response.content.decode()
    assert response.status_code == 200 and HIDDEN_NOTE in html
    assert CANARY not in html and world.hidden_reply.public_id not in html
    assert "Names an officer" not in html  # the moderator's reason is for moderators
    response = client.get(f"/t/{world.hidden_thread.public_id}/")
    assert response.status_code == 404 and CANARY not in response.content.decode()
    pending_page = client.get(f"/t/{world.premoderated_thread.public_id}/").content.decode()
    if visitor is world.reader:
        assert CANARY not in pending_page and world.pending_reply.public_id not in pending_page
    else:  # its author reads, edits and links to their own post while it waits
        assert CANARY in pending_page and f'id="p-{world.pending_reply.public_id}"' in pending_page
        assert client.get(f"/p/{world.pending_reply.public_id}/edit/").status_code == 200
    for post, _thread in cases(world, visitor):  # a permalink, should one be added, obeys the same rule
        response = client.get(f"/p/{post.public_id}/")
        assert response.status_code == 404 and CANARY not in response.content.decode()


def test_moderators_still_read_every_hidden_and_pending_post_in_place(world, client_for):
    client = client_for(world.moderator)
    page = client.get(f"/t/{world.open_thread.public_id}/").content.decode()
    assert CANARY in page and f"/p/{world.hidden_reply.public_id}/unhide/" in page and "Names an officer" in page
    page = client.get(f"/t/{world.premoderated_thread.public_id}/").content.decode()
    assert CANARY in page and f"/p/{world.pending_reply.public_id}/approve/" in page
    page = client.get(f"/t/{world.hidden_thread.public_id}/").content.decode()
    assert page.count(CANARY) == 2 and f"/p/{world.hidden_opening.public_id}/unhide/" in page
    report_form = client.get(f"/p/{world.hidden_reply.public_id}/report/")
    assert report_form.status_code == 200 and CANARY in report_form.content.decode()
    # And members never did.
    members_page = client_for(world.reader).get(f"/t/{world.open_thread.public_id}/").content.decode()
    assert world.hidden_reply.public_id not in members_page


def test_a_hidden_post_is_closed_to_members_until_a_moderator_unhides_it(world, client_for):
    reader, moderator = client_for(world.reader), client_for(world.moderator)
    report_form = f"/p/{world.hidden_reply.public_id}/report/"
    assert reader.get(report_form).status_code == 404
    assert reader.post(report_form, {"reason": "Names an officer"}).status_code == 404
    assert not PostReport.objects.exists()

    assert moderator.post(f"/p/{world.hidden_reply.public_id}/unhide/", {"reason": "Name removed"}).status_code == 302
    assert moderator.post(f"/p/{world.pending_reply.public_id}/approve/").status_code == 302
    for post in (world.hidden_reply, world.pending_reply):
        response = reader.get(f"/p/{post.public_id}/report/")
        assert response.status_code == 200 and CANARY in response.content.decode()
    page = reader.get(f"/t/{world.open_thread.public_id}/").content.decode()
    assert f'id="p-{world.hidden_reply.public_id}"' in page and CANARY in page
    quote = reader.get(f"/t/{world.open_thread.public_id}/reply/?quote={world.hidden_reply.public_id}")
    assert quote.status_code == 200 and CANARY in quote.content.decode()


def test_nobody_quotes_a_hidden_post_not_even_a_moderator(world, client_for):
    """A quote would publish the hidden text again, under someone else's name."""
    client = client_for(world.moderator)
    quote = client.get(f"/t/{world.open_thread.public_id}/reply/?quote={world.hidden_reply.public_id}")
    assert quote.status_code == 404 and CANARY not in quote.content.decode()
    before = snapshot()
    response = client.post(f"/t/{world.open_thread.public_id}/reply/",
                           {"body": "Agreed.", "reply_to": world.hidden_reply.public_id})
    assert response.status_code == 404 and snapshot() == before
