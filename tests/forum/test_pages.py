"""The forum's pages (forum/views, config/views): what each shows, to whom, and what a form refuses."""

import re
from html import unescape

import pytest
from django.contrib import admin

from forum.models import Action, ModerationEvent, Post, PostReport, ReportStatus, Status, Thread
from forum.services import content, moderation
from tests.forum.conftest import grant

HIDDEN_NOTE = "This post was hidden by a moderator."
LOCKED_NOTE = "This thread is locked: only moderators can reply."


def stored():
    return Thread.objects.count(), Post.objects.count()


def html_of(response) -> str:
    return response.content.decode()


def token_in(response) -> str:
    return re.search(r'name="submit_token" value="([^"]+)"', html_of(response)).group(1)


def article(html: str, post) -> str:
    """The part of a thread page that shows one post."""
    return re.search(rf'<article[^>]*id="p-{post.public_id}".*?</article>', html, re.S).group(0)


def textarea_of(response, name="body") -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html_of(response), re.S)
    return unescape(match.group(1))


@pytest.fixture
def reporter(make_person):
    return make_person("zainab", display_name="Zainab")


# The category page -----------------------------------------------------------------------

def test_the_category_page_lists_pinned_threads_first_then_by_last_activity(
    category, make_thread, writer, other_member, moderator, client_for
):
    oldest = make_thread(category, writer, title="Oldest thread")
    quiet = make_thread(category, writer, title="Quiet thread")
    make_thread(category, writer, title="Newest thread")
    content.reply(author=other_member, thread=oldest, body="Bump")
    moderation.pin_thread(thread=quiet, by=moderator)
    html = html_of(client_for(writer).get("/c/campaigns/"))
    positions = [html.index(title) for title in ("Quiet thread", "Oldest thread", "Newest thread")]
    assert positions == sorted(positions)


def test_the_category_page_shows_reply_counts_and_the_last_poster(category, thread, other_member, client_for, writer):
    content.reply(author=other_member, thread=thread, body="One")
    content.reply(author=other_member, thread=thread, body="Two")
    html = html_of(client_for(writer).get("/c/campaigns/"))
    assert "2 replies" in html and "Sami" in html


def test_the_category_page_shows_25_threads_a_page(category, make_thread, writer, client_for):
    for n in range(26):
        make_thread(category, writer, title=f"Numbered thread {n:02}")
    client = client_for(writer)
    first, second = client.get("/c/campaigns/"), client.get("/c/campaigns/?page=2")
    assert len(first.context["page"]) == 25 and len(second.context["page"]) == 1
    assert "Numbered thread 00" in html_of(second) and "Numbered thread 00" not in html_of(first)


def test_the_thread_page_shows_20_posts_a_page(thread, other_member, client_for):
    for n in range(21):
        content.reply(author=other_member, thread=thread, body=f"Numbered post {n:02}")
    client = client_for(other_member)
    first, second = client.get(f"/t/{thread.public_id}/"), client.get(f"/t/{thread.public_id}/?page=2")
    assert len(first.context["page"]) == 20 and len(second.context["page"]) == 2
    assert "Numbered post 20" in html_of(second) and "Numbered post 20" not in html_of(first)


# Starting a thread -----------------------------------------------------------------------

def test_a_new_thread_redirects_to_its_own_page(category, writer, client_for):
    client = client_for(writer)
    response = client.post("/c/campaigns/new/", {"title": "Curfew in Aden", "body": "From **tonight**."})
    thread = Thread.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/t/{thread.public_id}/"
    html = html_of(client.get(response["Location"]))
    assert "Curfew in Aden" in html and "<strong>tonight</strong>" in html


@pytest.mark.parametrize("title,body,field", [
    ("", "A body", "title"), ("   \t ", "A body", "title"), ("t" * 201, "A body", "title"),
    ("A title", "", "body"), ("A title", " \n\n  ", "body"), ("A title", "b" * 20_001, "body"),
])
def test_a_bad_new_thread_is_refused_with_the_error_on_its_field_and_nothing_stored(
    category, writer, client_for, title, body, field
):
    response = client_for(writer).post("/c/campaigns/new/", {"title": title, "body": body})
    assert response.status_code == 400
    assert field in response.context["form"].errors and 'role="alert"' in html_of(response)
    assert stored() == (0, 0)


def test_a_title_of_200_and_a_body_of_20000_characters_after_trimming_are_accepted(category, writer, client_for):
    response = client_for(writer).post(
        "/c/campaigns/new/", {"title": "t" * 200, "body": "\n  " + "b" * 20_000 + "  \n"}
    )
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.thread.title == "t" * 200 and post.body_source == "b" * 20_000


def test_a_double_submitted_new_thread_form_starts_one_thread(category, writer, client_for):
    client = client_for(writer)
    data = {"title": "Curfew", "body": "From tonight.", "submit_token": token_in(client.get("/c/campaigns/new/"))}
    first, second = client.post("/c/campaigns/new/", data), client.post("/c/campaigns/new/", data)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert stored() == (1, 1)


def test_a_double_submitted_new_thread_without_a_token_starts_one_thread(category, writer, client_for):
    client = client_for(writer)
    data = {"title": "Curfew", "body": "From tonight."}
    first, second = client.post("/c/campaigns/new/", data), client.post("/c/campaigns/new/", data)
    assert first["Location"] == second["Location"] and stored() == (1, 1)


# Replying --------------------------------------------------------------------------------

def test_a_reply_redirects_to_itself_on_the_thread_page(thread, other_member, client_for):
    response = client_for(other_member).post(f"/t/{thread.public_id}/reply/", {"body": "Count me in."})
    post = Post.objects.get(is_opening=False)
    # The page is always named (tests/forum/test_post_links.py: a reply on page 3 lands there).
    assert response.status_code == 302 and response["Location"] == f"/t/{thread.public_id}/?page=1#p-{post.public_id}"
    assert Thread.objects.get(pk=thread.pk).reply_count == 1


@pytest.mark.parametrize("body", ["", "  \n ", "b" * 20_001])
def test_a_bad_reply_is_refused_and_nothing_stored(thread, other_member, client_for, body):
    response = client_for(other_member).post(f"/t/{thread.public_id}/reply/", {"body": body})
    assert response.status_code == 400 and "body" in response.context["form"].errors
    assert stored() == (1, 1)


def test_a_double_submitted_reply_is_stored_once(thread, other_member, client_for):
    client = client_for(other_member)
    data = {"body": "Count me in.", "submit_token": token_in(client.get(f"/t/{thread.public_id}/"))}
    first, second = client.post(f"/t/{thread.public_id}/reply/", data), client.post(f"/t/{thread.public_id}/reply/", data)
    assert first["Location"] == second["Location"] and stored() == (1, 2)
    assert Thread.objects.get(pk=thread.pk).reply_count == 1


def test_a_double_submitted_reply_without_a_token_is_stored_once(thread, other_member, client_for):
    client = client_for(other_member)
    for _ in range(2):
        client.post(f"/t/{thread.public_id}/reply/", {"body": "Count me in."})
    assert stored() == (1, 2)


def test_a_locked_thread_refuses_a_members_reply_with_a_clear_message(thread, moderator, other_member, client_for):
    moderation.lock_thread(thread=thread, by=moderator)
    client = client_for(other_member)
    page = html_of(client.get(f"/t/{thread.public_id}/"))
    assert LOCKED_NOTE in page and 'name="body"' not in page
    response = client.post(f"/t/{thread.public_id}/reply/", {"body": "Still here?"})
    assert response.status_code == 403 and LOCKED_NOTE in html_of(response)
    assert stored() == (1, 1)


def test_a_moderator_still_replies_in_a_locked_thread(thread, moderator, client_for):
    moderation.lock_thread(thread=thread, by=moderator)
    client = client_for(moderator)
    assert 'name="body"' in html_of(client.get(f"/t/{thread.public_id}/"))
    assert client.post(f"/t/{thread.public_id}/reply/", {"body": "Locked for now."}).status_code == 302
    assert stored() == (1, 2)


def test_a_hidden_thread_is_a_404_for_members_and_refuses_their_replies(thread, moderator, other_member, client_for):
    moderation.hide_post(post=thread.posts.get(), by=moderator, reason="Names a witness")
    client = client_for(other_member)
    assert client.get(f"/t/{thread.public_id}/").status_code == 404
    assert client.post(f"/t/{thread.public_id}/reply/", {"body": "Hello?"}).status_code == 404
    assert "Joint statement on detentions" not in html_of(client.get("/c/campaigns/"))
    assert stored() == (1, 1)
    moderator_view = client_for(moderator)
    assert moderator_view.get(f"/t/{thread.public_id}/").status_code == 200
    assert "Joint statement on detentions" in html_of(moderator_view.get("/c/campaigns/"))


def test_a_reply_without_post_in_category_is_403_and_stores_nothing(
    make_category, members_group, moderator, writer, client_for
):
    category = make_category("announcements", grants=[(members_group, "view"), (moderator, "moderate")])
    thread = content.start_thread(author=moderator, category=category, title="Notice", body="Read me")
    response = client_for(writer).post(f"/t/{thread.public_id}/reply/", {"body": "Can I?"})
    assert response.status_code == 403 and stored() == (1, 1)
    assert client_for(writer).post("/c/announcements/new/", {"title": "t", "body": "b"}).status_code == 403
    assert stored() == (1, 1)


def test_a_reply_to_a_thread_one_cannot_see_is_a_404_and_stores_nothing(secret_category, writer, client_for):
    before = stored()
    response = client_for(writer).post(f"/t/{secret_category.thread.public_id}/reply/", {"body": "Let me in"})
    assert response.status_code == 404 and stored() == before


# Pre-moderation --------------------------------------------------------------------------

@pytest.fixture
def pending_thread(premoderated, writer):
    return content.start_thread(author=writer, category=premoderated, title="Case 14 in Taiz", body="Details of case 14")


def test_a_pending_thread_is_shown_to_its_author_marked_pending(pending_thread, writer, client_for):
    client = client_for(writer)
    page = client.get(f"/t/{pending_thread.public_id}/")
    assert page.status_code == 200 and "pending approval" in html_of(page) and "Details of case 14" in html_of(page)
    listing = html_of(client.get("/c/documentation/"))
    assert "Case 14 in Taiz" in listing and "pending approval" in listing


def test_a_pending_thread_is_a_404_for_other_members_and_absent_from_the_list(pending_thread, other_member, client_for):
    client = client_for(other_member)
    response = client.get(f"/t/{pending_thread.public_id}/")
    assert response.status_code == 404 and "Case 14" not in html_of(response)
    assert "Case 14 in Taiz" not in html_of(client.get("/c/documentation/"))


def test_moderators_see_a_pending_thread_with_approve_and_reject(pending_thread, moderator, client_for):
    client = client_for(moderator)
    html = html_of(client.get(f"/t/{pending_thread.public_id}/"))
    post = pending_thread.posts.get()
    assert "Details of case 14" in html
    assert f"/p/{post.public_id}/approve/" in html and f"/p/{post.public_id}/reject/" in html
    queue = html_of(client.get("/moderation/"))
    assert "Case 14 in Taiz" in queue and "Details of case 14" in queue


def test_approving_a_pending_thread_shows_it_to_everyone(pending_thread, moderator, other_member, client_for):
    post = pending_thread.posts.get()
    response = client_for(moderator).post(f"/p/{post.public_id}/approve/")
    assert response.status_code == 302
    client = client_for(other_member)
    assert client.get(f"/t/{pending_thread.public_id}/").status_code == 200
    assert "Case 14 in Taiz" in html_of(client.get("/c/documentation/"))
    assert "Case 14 in Taiz" not in html_of(client_for(moderator).get("/moderation/"))


def test_rejecting_a_pending_thread_keeps_it_from_everyone_but_moderators(
    pending_thread, moderator, writer, other_member, client_for
):
    post = pending_thread.posts.get()
    assert client_for(moderator).post(f"/p/{post.public_id}/reject/", {"reason": "Identifies a survivor"}).status_code == 302
    for member in (writer, other_member):
        assert client_for(member).get(f"/t/{pending_thread.public_id}/").status_code == 404
    assert "Case 14 in Taiz" not in html_of(client_for(other_member).get("/c/documentation/"))


@pytest.fixture
def open_thread(premoderated, moderator):
    return content.start_thread(author=moderator, category=premoderated, title="Method notes", body="Read first")


def test_a_pending_reply_is_seen_by_its_author_and_moderators_only(open_thread, writer, other_member, moderator, client_for):
    content.reply(author=writer, thread=open_thread, body="My pending question")
    path = f"/t/{open_thread.public_id}/"
    author_view = html_of(client_for(writer).get(path))
    assert "My pending question" in author_view and "pending approval" in author_view
    assert "My pending question" in html_of(client_for(moderator).get(path))
    assert "My pending question" not in html_of(client_for(other_member).get(path))
    assert "0 replies" in html_of(client_for(other_member).get("/c/documentation/"))


def test_approving_a_pending_reply_shows_it_and_counts_it(open_thread, writer, other_member, moderator, client_for):
    post = content.reply(author=writer, thread=open_thread, body="My pending question")
    client_for(moderator).post(f"/p/{post.public_id}/approve/")
    client = client_for(other_member)
    assert "My pending question" in html_of(client.get(f"/t/{open_thread.public_id}/"))
    listing = html_of(client.get("/c/documentation/"))
    assert "1 reply" in listing and "Layla" in listing


def test_rejecting_a_pending_reply_hides_it_from_its_author_too(open_thread, writer, moderator, client_for):
    post = content.reply(author=writer, thread=open_thread, body="My pending question")
    client_for(moderator).post(f"/p/{post.public_id}/reject/", {"reason": "Off topic"})
    assert "My pending question" not in html_of(client_for(writer).get(f"/t/{open_thread.public_id}/"))
    assert Post.objects.get(pk=post.pk).status == Status.REJECTED


def test_a_moderators_thread_in_a_premoderated_category_is_public_at_once(open_thread, other_member, client_for):
    assert client_for(other_member).get(f"/t/{open_thread.public_id}/").status_code == 200


# Hiding ----------------------------------------------------------------------------------

@pytest.fixture
def a_reply(thread, other_member):
    return content.reply(author=other_member, thread=thread, body="The officer in charge is Captain X.")


def test_a_hidden_post_shows_as_hidden_by_a_moderator_to_members(a_reply, moderator, writer, other_member, client_for):
    response = client_for(moderator).post(f"/p/{a_reply.public_id}/hide/", {"reason": "Names an officer"})
    assert response.status_code == 302
    for member in (writer, other_member):
        html = html_of(client_for(member).get(f"/t/{a_reply.thread.public_id}/"))
        # In its place, without its id: the id would open every page that takes one.
        assert HIDDEN_NOTE in html and "Captain X" not in html and a_reply.public_id not in html


def test_a_hidden_post_shows_in_full_with_its_reason_to_moderators(a_reply, moderator, coalition_admin, client_for):
    moderation.hide_post(post=a_reply, by=moderator, reason="Names an officer")
    for somebody in (moderator, coalition_admin):
        shown = article(html_of(client_for(somebody).get(f"/t/{a_reply.thread.public_id}/")), a_reply)
        assert "Captain X" in shown and "Names an officer" in shown and HIDDEN_NOTE not in shown
        assert f"/p/{a_reply.public_id}/unhide/" in shown


def test_hiding_without_a_reason_is_refused(a_reply, moderator, client_for):
    response = client_for(moderator).post(f"/p/{a_reply.public_id}/hide/", {"reason": "  "})
    assert response.status_code == 400 and "Please give a reason." in html_of(response)
    assert not Post.objects.get(pk=a_reply.pk).is_hidden and not ModerationEvent.objects.filter(action="hide").exists()


def test_unhiding_shows_the_post_again(a_reply, moderator, writer, client_for):
    moderation.hide_post(post=a_reply, by=moderator, reason="Names an officer")
    client_for(moderator).post(f"/p/{a_reply.public_id}/unhide/")
    shown = article(html_of(client_for(writer).get(f"/t/{a_reply.thread.public_id}/")), a_reply)
    assert "Captain X" in shown and HIDDEN_NOTE not in shown


# Locking, pinning, moving ----------------------------------------------------------------

def test_lock_and_unlock_from_the_thread_page(thread, moderator, other_member, client_for):
    mod = client_for(moderator)
    assert mod.post(f"/t/{thread.public_id}/lock/").status_code == 302
    assert Thread.objects.get(pk=thread.pk).is_locked
    assert LOCKED_NOTE in html_of(client_for(other_member).get(f"/t/{thread.public_id}/"))
    mod.post(f"/t/{thread.public_id}/unlock/")
    assert not Thread.objects.get(pk=thread.pk).is_locked
    assert 'name="body"' in html_of(client_for(other_member).get(f"/t/{thread.public_id}/"))


def test_pin_puts_a_thread_first_and_unpin_puts_it_back(category, make_thread, writer, moderator, client_for):
    old = make_thread(category, writer, title="Earlier discussion")
    make_thread(category, writer, title="Later discussion")
    mod = client_for(moderator)
    mod.post(f"/t/{old.public_id}/pin/")
    html = html_of(client_for(writer).get("/c/campaigns/"))
    assert html.index("Earlier discussion") < html.index("Later discussion")
    mod.post(f"/t/{old.public_id}/unpin/")
    html = html_of(client_for(writer).get("/c/campaigns/"))
    assert html.index("Later discussion") < html.index("Earlier discussion")


def test_the_move_form_offers_only_categories_the_moderator_moderates(
    thread, moderator, make_category, members_group, secret_category, client_for
):
    make_category("peace", name="Peace and dialogue", grants=[(moderator, "moderate")])
    make_category("capacity", name="Capacity building", grants=[(members_group, "view", "post")])
    html = html_of(client_for(moderator).get(f"/t/{thread.public_id}/move/"))
    assert "Peace and dialogue" in html
    assert "Capacity building" not in html and secret_category.name not in html


def test_a_moderator_moves_a_thread_to_a_category_they_moderate(thread, moderator, make_category, client_for):
    peace = make_category("peace", name="Peace and dialogue", grants=[(moderator, "moderate")])
    response = client_for(moderator).post(f"/t/{thread.public_id}/move/", {"category": "peace", "reason": "Fits"})
    assert response.status_code == 302 and Thread.objects.get(pk=thread.pk).category == peace


def test_a_moderator_cannot_move_a_thread_to_a_category_they_do_not_moderate(
    thread, moderator, make_category, members_group, client_for
):
    make_category("capacity", grants=[(members_group, "view", "post")])
    response = client_for(moderator).post(f"/t/{thread.public_id}/move/", {"category": "capacity"})
    assert response.status_code in (400, 403)
    assert Thread.objects.get(pk=thread.pk).category == thread.category
    assert not ModerationEvent.objects.filter(action=Action.MOVE).exists()


# Editing and quoting ---------------------------------------------------------------------

def test_editing_ones_post_shows_the_new_text_and_keeps_the_old_for_moderators_only(
    thread, writer, other_member, moderator, client_for
):
    post = thread.posts.get()
    response = client_for(writer).post(f"/p/{post.public_id}/edit/", {"body": "Final statement text."})
    assert response.status_code == 302
    path = f"/t/{thread.public_id}/"
    for member in (writer, other_member):
        html = html_of(client_for(member).get(path))
        assert "Final statement text." in html and "Draft of the statement" not in html
    html = html_of(client_for(moderator).get(path))
    assert "Final statement text." in html and "Draft of the statement, please comment." in html


def test_editing_someone_elses_post_is_403_and_changes_nothing(thread, other_member, moderator, client_for):
    post = thread.posts.get()
    for somebody in (other_member, moderator):
        client = client_for(somebody)
        assert client.get(f"/p/{post.public_id}/edit/").status_code == 403
        assert client.post(f"/p/{post.public_id}/edit/", {"body": "Rewritten"}).status_code == 403
    assert Post.objects.get(pk=post.pk).body_source == "Draft of the statement, please comment."


def test_an_empty_edit_is_refused(thread, writer, client_for):
    post = thread.posts.get()
    response = client_for(writer).post(f"/p/{post.public_id}/edit/", {"body": "   "})
    assert response.status_code == 400 and not post.revisions.exists()


def test_quoting_a_post_prefills_the_reply_with_a_quote(thread, writer, other_member, client_for):
    quoted = content.reply(author=writer, thread=thread, body="First line\nSecond line")
    response = client_for(other_member).get(f"/t/{thread.public_id}/reply/?quote={quoted.public_id}")
    body = textarea_of(response)
    assert response.status_code == 200
    assert "> First line\n> Second line" in body and "Layla" in body


def test_a_hidden_post_or_one_from_another_thread_cannot_be_quoted(
    thread, category, make_thread, writer, moderator, other_member, client_for
):
    hidden = content.reply(author=writer, thread=thread, body="Secret words")
    moderation.hide_post(post=hidden, by=moderator, reason="r")
    elsewhere = make_thread(category, writer, title="Other thread").posts.get()
    client = client_for(other_member)
    assert client.get(f"/t/{thread.public_id}/reply/?quote={hidden.public_id}").status_code == 404
    assert client.get(f"/t/{thread.public_id}/reply/?quote={elsewhere.public_id}").status_code == 404


def test_a_post_in_a_forbidden_category_cannot_be_quoted(thread, secret_category, other_member, client_for):
    secret = secret_category.thread.posts.get()
    response = client_for(other_member).get(f"/t/{thread.public_id}/reply/?quote={secret.public_id}")
    assert response.status_code == 404 and "old souq" not in html_of(response)


# Reports and the moderation queue --------------------------------------------------------

def test_a_member_reports_a_post_once_and_is_thanked(a_reply, reporter, client_for):
    client = client_for(reporter)
    for _ in range(2):
        response = client.post(f"/p/{a_reply.public_id}/report/", {"reason": "Names an officer"})
        assert response.status_code == 200 and "Thank you" in html_of(response)
    assert PostReport.objects.filter(reporter=reporter, status=ReportStatus.OPEN).count() == 1


def test_a_report_without_a_reason_is_refused(a_reply, reporter, client_for):
    response = client_for(reporter).post(f"/p/{a_reply.public_id}/report/", {"reason": " "})
    assert response.status_code == 400 and not PostReport.objects.exists()


def test_a_report_reaches_only_the_moderators_of_its_category(
    a_reply, reporter, moderator, coalition_admin, secret_category, writer, client_for
):
    moderation.report_post(post=a_reply, by=reporter, reason="Names an officer")
    for somebody in (moderator, coalition_admin):
        queue = html_of(client_for(somebody).get("/moderation/"))
        assert "Names an officer" in queue and "Captain X" in queue
    for somebody in (secret_category.keeper, writer, reporter):
        queue = html_of(client_for(somebody).get("/moderation/"))
        assert "Names an officer" not in queue and "Captain X" not in queue


def test_nobody_learns_who_reported(a_reply, reporter, moderator, other_member, client_for):
    report = moderation.report_post(post=a_reply, by=reporter, reason="Names an officer")
    assert "Zainab" not in html_of(client_for(moderator).get("/moderation/"))
    moderation.hide_post(post=a_reply, by=moderator, reason="Names an officer")
    moderation.handle_report(report=report, by=moderator, resolve=True, reason="Hidden")
    reported = client_for(other_member)
    for path in (f"/t/{a_reply.thread.public_id}/", "/moderation/log/", "/moderation/", "/", "/notifications/"):
        assert "Zainab" not in html_of(reported.get(path)), path
    for path in ("/moderation/log/", "/moderation/"):
        assert "Zainab" not in html_of(client_for(moderator).get(path)), path


@pytest.mark.parametrize("action,status", [("resolve", ReportStatus.RESOLVED), ("dismiss", ReportStatus.DISMISSED)])
def test_a_moderator_resolves_or_dismisses_a_report_from_the_queue(
    a_reply, reporter, moderator, client_for, action, status
):
    report = moderation.report_post(post=a_reply, by=reporter, reason="Names an officer")
    client = client_for(moderator)
    response = client.post(f"/moderation/reports/{report.public_id}/{action}/")
    assert response.status_code == 302 and response["Location"] == "/moderation/"
    assert PostReport.objects.get(pk=report.pk).status == status
    assert "Names an officer" not in html_of(client.get("/moderation/"))
    assert ModerationEvent.objects.filter(action=action, actor=moderator).count() == 1


def test_a_moderator_of_another_category_cannot_handle_a_report(a_reply, reporter, secret_category, client_for):
    report = moderation.report_post(post=a_reply, by=reporter, reason="r")
    response = client_for(secret_category.keeper).post(f"/moderation/reports/{report.public_id}/resolve/")
    assert response.status_code == 404 and PostReport.objects.get(pk=report.pk).status == ReportStatus.OPEN


# The transparency log --------------------------------------------------------------------

def test_the_log_shows_members_each_action_with_its_reason_and_moderator(a_reply, moderator, writer, client_for):
    moderation.hide_post(post=a_reply, by=moderator, reason="Names an officer")
    moderation.lock_thread(thread=a_reply.thread, by=moderator, reason="Cooling off")
    html = html_of(client_for(writer).get("/moderation/log/"))
    assert "hid a post" in html and "Names an officer" in html and "Noor" in html
    assert "locked a thread" in html and "Cooling off" in html and "Advocacy campaigns" in html
    assert "<table" not in html and html.count('class="mod-event"') == 2  # a card each, not table rows


def test_the_log_never_shows_a_category_the_member_cannot_view(secret_category, writer, client_for, category):
    post = secret_category.thread.posts.get()
    moderation.hide_post(post=post, by=secret_category.keeper, reason="Exposes the meeting place")
    html = html_of(client_for(writer).get("/moderation/log/"))
    for secret in ("Exposes the meeting place", "Warda", secret_category.name, "hid a post"):
        assert secret not in html
    assert "Exposes the meeting place" in html_of(client_for(secret_category.insider).get("/moderation/log/"))


def test_the_log_leaves_out_grants(category, writer, client_for):
    html = html_of(client_for(writer).get("/moderation/log/"))
    assert "granted a permission" not in html and "No moderator actions yet." in html


def test_the_home_page_lists_exactly_the_categories_one_can_view(category, secret_category, writer, client_for):
    html = html_of(client_for(writer).get("/"))
    assert "Advocacy campaigns" in html and secret_category.name not in html
    assert secret_category.name in html_of(client_for(secret_category.insider).get("/"))


# Sanitised output ------------------------------------------------------------------------

def test_hostile_text_renders_inert_on_the_thread_page(category, writer, other_member, client_for):
    body = (
        "<script>alert('x')</script>\n\n[click](javascript:alert(1))\n\n"
        "![pixel](https://tracker.example/p.png)\n\n<img src=x onerror=alert(2)>\n\n"
        '<a href="javascript:alert(3)">raw link</a>'
    )
    thread = content.start_thread(author=writer, category=category, title="Hostile", body=body)
    html = html_of(client_for(other_member).get(f"/t/{thread.public_id}/"))
    shown = re.search(r'<div class="post-body"[^>]*>(.*?)</div>', html, re.S).group(1)
    tags = re.findall(r"<[a-z][^>]*>", shown)
    assert {re.match(r"<([a-z0-9]+)", tag).group(1) for tag in tags} <= {"p", "a"}
    assert not [tag for tag in tags if re.search(r"\son\w+\s*=|\sstyle\s*=|\ssrc\s*=", tag)]
    assert re.findall(r'href="([^"]*)"', " ".join(tags)) == ["https://tracker.example/p.png"]
    assert 'rel="nofollow noopener noreferrer ugc"' in shown
    assert "<script>alert" not in html and "<img" not in html
    assert not re.search(r"<[a-z][^>]*(href|src)=\"?(javascript|data|vbscript):", html, re.I)


# The admin -------------------------------------------------------------------------------

def test_moderation_events_are_read_only_in_the_admin(a_reply, moderator, coalition_admin, client_for, rf):
    moderation.hide_post(post=a_reply, by=moderator, reason="Names an officer")
    event = ModerationEvent.objects.get(action="hide")
    assert ModerationEvent in admin.site._registry, "ModerationEvent is not registered in the admin"
    model_admin = admin.site._registry[ModerationEvent]
    request = rf.get("/admin/")
    request.user = coalition_admin
    assert model_admin.has_view_permission(request, event)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
    client = client_for(coalition_admin)
    base = "/admin/forum/moderationevent/"
    listing = client.get(base)
    assert listing.status_code == 200 and "Names an officer" in html_of(listing)
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(f"{base}{event.pk}/change/", {"reason": "Rewritten history", "action": "pin"})
    client.post(base, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})
    event.refresh_from_db()
    assert event.reason == "Names an officer" and event.action == "hide"


@pytest.mark.parametrize("model", ["Category", "Thread", "Post"])
def test_the_forum_is_in_the_admin(model):
    from forum import models

    assert getattr(models, model) in admin.site._registry


def test_the_admins_approve_action_goes_through_the_moderation_service(
    premoderated, moderator, writer, coalition_admin, client_for
):
    thread = content.start_thread(author=moderator, category=premoderated, title="Method", body="Read this")
    pending = content.reply(author=writer, thread=thread, body="A question")
    response = client_for(coalition_admin).post(
        "/admin/forum/post/", {"action": "approve", "_selected_action": [pending.pk]}
    )
    assert response.status_code == 302
    assert Post.objects.get(pk=pending.pk).status == Status.APPROVED
    assert Thread.objects.get(pk=thread.pk).reply_count == 1
    event = ModerationEvent.objects.get(action=Action.APPROVE)
    assert event.actor == coalition_admin and event.target_id == pending.public_id


@pytest.mark.parametrize("action", ["lock", "pin"])
def test_a_too_long_reason_is_refused_over_http_not_cut_short(client_for, moderator, thread, action):
    from forum.models import ModerationEvent

    response = client_for(moderator).post(f"/t/{thread.public_id}/{action}/", {"reason": "x" * 501})
    assert response.status_code == 400
    thread.refresh_from_db()
    assert not thread.is_locked and not thread.is_pinned
    assert not ModerationEvent.objects.filter(action=action).exists()


def test_hiding_with_a_too_long_reason_hides_nothing(client_for, moderator, thread):
    post = thread.posts.get()
    response = client_for(moderator).post(f"/p/{post.public_id}/hide/", {"reason": "y" * 501})
    assert response.status_code == 400
    post.refresh_from_db()
    assert not post.is_hidden
