"""forum/services/content.py: starting threads, replying and editing, and what they refuse."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation

from forum.models import Post, PostRevision, Status, Thread
from forum.services import content as services
from forum.services import moderation
from tests.forum.conftest import grant


def stored():
    return Thread.objects.count(), Post.objects.count()


# Titles and bodies -----------------------------------------------------------------------

def test_a_title_is_trimmed_and_its_spaces_collapsed():
    assert services.clean_title("  Joint   statement\n on detentions ") == "Joint statement on detentions"


@pytest.mark.parametrize("title", ["", "   ", "\n\t ", None])
def test_an_empty_title_is_refused_on_the_title_field(title):
    with pytest.raises(ValidationError) as error:
        services.clean_title(title)
    assert error.value.error_dict["title"][0].code == "empty"


def test_a_title_may_have_200_characters_but_not_201():
    assert services.clean_title("t" * 200) == "t" * 200
    with pytest.raises(ValidationError) as error:
        services.clean_title("t" * 201)
    assert error.value.error_dict["title"][0].code == "too_long"


def test_a_body_is_trimmed_but_keeps_its_inner_lines():
    assert services.clean_body("\n  first\n\nsecond  \n") == "first\n\nsecond"


@pytest.mark.parametrize("body", ["", "   ", "\n\n\t", None])
def test_an_empty_body_is_refused_on_the_body_field(body):
    with pytest.raises(ValidationError) as error:
        services.clean_body(body)
    assert error.value.error_dict["body"][0].code == "empty"


def test_a_body_may_have_20000_characters_after_trimming_but_not_20001():
    assert services.clean_body("  " + "b" * 20_000 + "\n\n") == "b" * 20_000
    with pytest.raises(ValidationError) as error:
        services.clean_body("b" * 20_001)
    assert error.value.error_dict["body"][0].code == "too_long"


# Categories ------------------------------------------------------------------------------

def test_only_a_coalition_admin_creates_a_category(writer, coalition_admin):
    with pytest.raises(PermissionDenied):
        services.create_category(slug="x", name="X", by=writer)
    category = services.create_category(slug="x", name="X", requires_approval=True, by=coalition_admin)
    assert category.requires_approval and category.slug == "x"


# Starting a thread -----------------------------------------------------------------------

def test_starting_a_thread_stores_it_with_its_rendered_opening_post(category, writer):
    thread = services.start_thread(author=writer, category=category, title="Hello", body="**bold** text")
    post = thread.posts.get()
    assert post.is_opening and post.author == writer and post.status == Status.APPROVED
    assert post.body_source == "**bold** text" and "<strong>bold</strong>" in post.body_html
    thread.refresh_from_db()
    assert thread.last_post == post and thread.reply_count == 0 and thread.status == Status.APPROVED
    assert len(thread.public_id) >= 12 and not thread.public_id.isdigit()


@pytest.mark.parametrize("title,body", [("", "body"), ("   ", "body"), ("t" * 201, "body"),
                                        ("title", ""), ("title", " \n "), ("title", "b" * 20_001)])
def test_a_bad_title_or_body_stores_nothing(category, writer, title, body):
    with pytest.raises(ValidationError):
        services.start_thread(author=writer, category=category, title=title, body=body)
    assert stored() == (0, 0)


def test_a_member_without_post_in_category_cannot_start_a_thread(make_category, members_group, writer):
    read_only = make_category("announcements", grants=[(members_group, "view")])
    with pytest.raises(PermissionDenied):
        services.start_thread(author=writer, category=read_only, title="t", body="b")
    assert stored() == (0, 0)


def test_a_member_who_cannot_view_a_category_gets_404_on_starting_a_thread(secret_category, writer):
    before = stored()
    with pytest.raises(Http404):
        services.start_thread(author=writer, category=secret_category, title="t", body="b")
    assert stored() == before


def test_the_same_form_sent_twice_starts_one_thread(category, writer):
    first = services.start_thread(author=writer, category=category, title="t", body="b", submit_token="tok-1")
    second = services.start_thread(author=writer, category=category, title="t", body="b", submit_token="tok-1")
    assert first == second and stored() == (1, 1)


def test_the_same_text_sent_twice_without_a_token_starts_one_thread(category, writer):
    first = services.start_thread(author=writer, category=category, title="t", body="b")
    second = services.start_thread(author=writer, category=category, title="t", body="b")
    assert first == second and stored() == (1, 1)


def test_a_new_form_with_the_same_text_starts_a_second_thread(category, writer):
    services.start_thread(author=writer, category=category, title="t", body="b", submit_token="tok-1")
    services.start_thread(author=writer, category=category, title="t", body="b", submit_token="tok-2")
    assert stored() == (2, 2)


def test_two_members_never_share_a_submission(category, writer, other_member):
    services.start_thread(author=writer, category=category, title="t", body="b", submit_token="same")
    services.start_thread(author=other_member, category=category, title="t", body="b", submit_token="same")
    services.start_thread(author=writer, category=category, title="u", body="b")
    services.start_thread(author=other_member, category=category, title="u", body="b")
    assert stored() == (4, 4)


# Replying --------------------------------------------------------------------------------

def test_a_reply_counts_and_becomes_the_threads_last_post(thread, other_member):
    post = services.reply(author=other_member, thread=thread, body="Agreed.")
    thread.refresh_from_db()
    assert thread.reply_count == 1 and thread.last_post == post
    assert thread.last_activity_at == post.created_at
    assert not post.is_opening and post.status == Status.APPROVED


def test_the_same_reply_sent_twice_is_stored_once(thread, other_member):
    first = services.reply(author=other_member, thread=thread, body="Agreed.", submit_token="r-1")
    second = services.reply(author=other_member, thread=thread, body="Agreed.", submit_token="r-1")
    thread.refresh_from_db()
    assert first == second and thread.posts.count() == 2 and thread.reply_count == 1


def test_the_same_reply_sent_twice_without_a_token_is_stored_once(thread, other_member):
    first = services.reply(author=other_member, thread=thread, body="Agreed.")
    second = services.reply(author=other_member, thread=thread, body="  Agreed.\n")
    thread.refresh_from_db()
    assert first == second and thread.posts.count() == 2 and thread.reply_count == 1


@pytest.mark.parametrize("body", ["", "  \n ", "b" * 20_001])
def test_a_bad_reply_stores_nothing(thread, other_member, body):
    with pytest.raises(ValidationError):
        services.reply(author=other_member, thread=thread, body=body)
    thread.refresh_from_db()
    assert thread.posts.count() == 1 and thread.reply_count == 0


def test_a_reply_in_a_locked_thread_is_refused_to_a_member_with_a_clear_message(thread, moderator, other_member):
    moderation.lock_thread(thread=thread, by=moderator)
    with translation.override("en"), pytest.raises(PermissionDenied, match="This thread is locked: only moderators"):
        services.reply(author=other_member, thread=thread, body="Still here?")
    assert thread.posts.count() == 1


def test_a_moderator_may_still_reply_in_a_locked_thread(thread, moderator, coalition_admin):
    moderation.lock_thread(thread=thread, by=moderator)
    services.reply(author=moderator, thread=thread, body="Locked while we check facts.")
    services.reply(author=coalition_admin, thread=thread, body="Noted.")
    assert thread.posts.count() == 3


def test_a_reply_to_a_hidden_thread_is_refused_to_a_member(thread, moderator, other_member):
    moderation.hide_post(post=thread.posts.get(), by=moderator, reason="Names a witness")
    thread.refresh_from_db()
    with pytest.raises(Http404):  # a hidden thread does not exist for members, as on its page (issue 12)
        services.reply(author=other_member, thread=thread, body="Hello?")
    assert thread.posts.count() == 1


def test_a_reply_without_post_in_category_is_refused(make_category, members_group, moderator, writer, other_member):
    announcements = make_category("announcements", grants=[(members_group, "view"), (moderator, "moderate")])
    thread = services.start_thread(author=moderator, category=announcements, title="t", body="b")
    with pytest.raises(PermissionDenied):
        services.reply(author=other_member, thread=thread, body="Can I?")
    assert thread.posts.count() == 1


def test_a_reply_to_a_thread_one_cannot_view_is_a_404(secret_category, writer):
    with pytest.raises(Http404):
        services.reply(author=writer, thread=secret_category.thread, body="Let me in")
    assert secret_category.thread.posts.count() == 1


# Pre-moderation --------------------------------------------------------------------------

def test_a_members_thread_in_a_premoderated_category_waits_for_approval(premoderated, writer):
    thread = services.start_thread(author=writer, category=premoderated, title="Case 14", body="Details")
    assert thread.status == Status.PENDING and thread.posts.get().status == Status.PENDING


def test_a_members_reply_in_a_premoderated_category_waits_and_is_not_counted(premoderated, moderator, writer):
    thread = services.start_thread(author=moderator, category=premoderated, title="Method", body="Read this")
    post = services.reply(author=writer, thread=thread, body="A question")
    thread.refresh_from_db()
    assert post.status == Status.PENDING
    assert thread.reply_count == 0 and thread.last_post.author == moderator


def test_moderators_and_admins_posts_are_never_pending(premoderated, moderator, coalition_admin):
    thread = services.start_thread(author=moderator, category=premoderated, title="Method", body="Read this")
    post = services.reply(author=coalition_admin, thread=thread, body="Thanks")
    assert thread.status == Status.APPROVED and post.status == Status.APPROVED


# Editing ---------------------------------------------------------------------------------

def test_editing_a_post_keeps_the_previous_version(thread, writer):
    post = thread.posts.get()
    services.edit_post(post=post, by=writer, body="Second draft")
    services.edit_post(post=post, by=writer, body="Third *draft*")
    post.refresh_from_db()
    assert post.body_source == "Third *draft*" and "<em>draft</em>" in post.body_html and post.edited_at
    assert [r.body_source for r in post.revisions.all()] == ["Second draft", "Draft of the statement, please comment."]


def test_an_edit_that_changes_nothing_keeps_no_version(thread, writer):
    post = thread.posts.get()
    services.edit_post(post=post, by=writer, body="  " + post.body_source + "\n")
    post.refresh_from_db()
    assert not PostRevision.objects.exists() and post.edited_at is None


@pytest.mark.parametrize("editor", ["other_member", "moderator", "coalition_admin"])
def test_nobody_edits_someone_elses_post(thread, editor, request):
    post = thread.posts.get()
    with pytest.raises(PermissionDenied):
        services.edit_post(post=post, by=request.getfixturevalue(editor), body="Rewritten")
    post.refresh_from_db()
    assert post.body_source == "Draft of the statement, please comment." and not post.revisions.exists()


def test_an_empty_edit_changes_nothing(thread, writer):
    post = thread.posts.get()
    with pytest.raises(ValidationError):
        services.edit_post(post=post, by=writer, body="   ")
    post.refresh_from_db()
    assert post.body_source == "Draft of the statement, please comment." and not post.revisions.exists()


def test_a_hidden_post_can_no_longer_be_edited(thread, writer, moderator):
    post = thread.posts.get()
    moderation.hide_post(post=post, by=moderator, reason="Names a witness")
    with pytest.raises(Http404):  # once hidden, a post is the moderators' business, its author's no more
        services.edit_post(post=Post.objects.get(pk=post.pk), by=writer, body="Sorry, fixed")
    assert Post.objects.get(pk=post.pk).body_source == "Draft of the statement, please comment."


def test_a_post_in_a_locked_thread_can_no_longer_be_edited_by_its_member(thread, writer, moderator):
    moderation.lock_thread(thread=thread, by=moderator)
    with pytest.raises(PermissionDenied):
        services.edit_post(post=thread.posts.get(), by=writer, body="Sneaky change")


def test_a_member_who_lost_the_view_grant_cannot_edit(secret_category):
    insider, thread = secret_category.insider, secret_category.thread
    insider.groups.clear()
    with pytest.raises(Http404):
        services.edit_post(post=thread.posts.get(), by=insider, body="Changed")


# Sanitising ------------------------------------------------------------------------------

def test_text_is_sanitised_when_written_and_both_forms_are_stored(category, writer):
    body = "<script>alert(1)</script> [x](javascript:alert(1)) ![map](https://evil.example/t.png)"
    thread = services.start_thread(author=writer, category=category, title="t", body=body)
    post = thread.posts.get()
    assert post.body_source == body
    html = post.body_html.lower()
    assert "<script" not in html and "<img" not in html
    assert re.findall(r'href="([^"]*)"', html) == ["https://evil.example/t.png"]  # the image, as a link


def test_an_edit_is_sanitised_too(thread, writer):
    post = services.edit_post(post=thread.posts.get(), by=writer, body='<img src=x onerror="alert(1)">')
    assert "<img" not in post.body_html and "&lt;img" in post.body_html  # shown as text, inert
