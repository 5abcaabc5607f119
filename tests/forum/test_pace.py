"""Flood control of the forum (forum/pace.py, issue 12): replies and new threads, with the
real limits of settings.MAJLIS_PACE (reply 5 in 5 seconds, thread 3 in 60).

The page that refuses one more answers 429 with `Retry-After`, shows the form again with
what was typed and the reason, and stores nothing; the same form sent twice is one post,
never refused; once the window has passed the member writes again.
"""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.db.models import F
from django.utils import translation

from forum.errors import RateLimited
from forum.models import Post, Thread
from forum.services import content

REAL_PACE = {"reply": (5, 5), "thread": (3, 60)}


@pytest.fixture(autouse=True)
def real_pace(settings, seeding_pace):
    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, **REAL_PACE}


def textarea(html: str, name: str = "body") -> str:
    text = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    return unescape(text.removeprefix("\n"))  # the newline HTML drops after <textarea>


def rewind(queryset, seconds: int) -> None:
    """As if what the member wrote had been written `seconds` earlier."""
    queryset.update(created_at=F("created_at") - timedelta(seconds=seconds))


def test_the_sixth_reply_in_five_seconds_is_refused_with_429_and_retry_after_and_nothing_stored(
    thread, other_member, client_for
):
    client = client_for(other_member)
    for n in range(5):
        assert client.post(f"/t/{thread.public_id}/reply/", {"body": f"Reply {n}"}).status_code == 302
    with translation.override("en"):
        response = client.post(f"/t/{thread.public_id}/reply/", {"body": "One more, typed with care"})
    html = response.content.decode()
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 5
    assert "At most 5 replies in 5 seconds." in html and 'role="alert"' in html
    assert textarea(html) == "One more, typed with care"  # what was typed is kept
    assert Post.objects.filter(author=other_member).count() == 5
    assert Thread.objects.get(pk=thread.pk).reply_count == 5


def test_the_fourth_thread_in_a_minute_is_refused_with_429_and_retry_after_and_nothing_stored(
    category, writer, client_for
):
    client = client_for(writer)
    for n in range(3):
        assert client.post("/c/campaigns/new/", {"title": f"Thread {n}", "body": "Body"}).status_code == 302
    response = client.post("/c/campaigns/new/", {"title": "A fourth", "body": "Carefully typed"})
    html = response.content.decode()
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "At most 3 new threads in 60 seconds." in html
    assert 'value="A fourth"' in html and textarea(html) == "Carefully typed"
    assert Thread.objects.filter(author=writer).count() == 3


def test_the_same_form_sent_again_past_the_limit_is_the_stored_post_not_a_refusal(thread, other_member, client_for):
    client = client_for(other_member)
    first = client.post(f"/t/{thread.public_id}/reply/", {"body": "First", "submit_token": "form-1"})
    for n in range(4):
        client.post(f"/t/{thread.public_id}/reply/", {"body": f"Reply {n}"})
    again = client.post(f"/t/{thread.public_id}/reply/", {"body": "First", "submit_token": "form-1"})
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert Post.objects.filter(author=other_member).count() == 5


def test_the_same_new_thread_form_sent_again_past_the_limit_is_the_stored_thread(category, writer, client_for):
    client = client_for(writer)
    first = client.post("/c/campaigns/new/", {"title": "Curfew", "body": "Tonight", "submit_token": "form-1"})
    for n in range(2):
        client.post("/c/campaigns/new/", {"title": f"Thread {n}", "body": "Body"})
    again = client.post("/c/campaigns/new/", {"title": "Curfew", "body": "Tonight", "submit_token": "form-1"})
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert Thread.objects.filter(author=writer).count() == 3


def test_a_refused_reply_can_be_sent_again_once_the_window_has_passed(thread, other_member, client_for):
    client = client_for(other_member)
    for n in range(5):
        client.post(f"/t/{thread.public_id}/reply/", {"body": f"Reply {n}"})
    refused = client.post(f"/t/{thread.public_id}/reply/", {"body": "Later", "submit_token": "kept"})
    assert refused.status_code == 429 and 'value="kept"' in refused.content.decode()  # the same form token
    rewind(Post.objects.filter(author=other_member), 5)
    assert client.post(f"/t/{thread.public_id}/reply/", {"body": "Later", "submit_token": "kept"}).status_code == 302
    assert Post.objects.filter(author=other_member).count() == 6


def test_the_services_refuse_before_storing(thread, category, other_member):
    for n in range(5):
        content.reply(author=other_member, thread=thread, body=f"Reply {n}")
    with pytest.raises(RateLimited) as refused:
        content.reply(author=other_member, thread=thread, body="Sixth")
    assert 1 <= refused.value.retry_after <= 5 and Post.objects.filter(author=other_member).count() == 5
    for n in range(3):
        content.start_thread(author=other_member, category=category, title=f"T{n}", body="b")
    with pytest.raises(RateLimited):
        content.start_thread(author=other_member, category=category, title="T4", body="b")
    assert Thread.objects.filter(author=other_member).count() == 3


def test_each_member_has_their_own_pace_and_threads_do_not_count_as_replies(thread, category, writer, other_member):
    for n in range(5):
        content.reply(author=other_member, thread=thread, body=f"Reply {n}")
    content.reply(author=writer, thread=thread, body="Someone else may still write")
    content.start_thread(author=other_member, category=category, title="A thread", body="is not a reply")
    assert Post.objects.filter(thread=thread).count() == 7


def test_the_refusal_reads_in_the_members_language(thread, other_member, client_for):
    from forum.services.accounts import set_language

    set_language(other_member.profile, "ar")
    client = client_for(other_member)
    for n in range(5):
        client.post(f"/t/{thread.public_id}/reply/", {"body": f"Reply {n}"})
    response = client.post(f"/t/{thread.public_id}/reply/", {"body": "One more"})
    with translation.override("ar"):
        with pytest.raises(RateLimited) as refused:
            content.reply(author=other_member, thread=thread, body="One more")
    assert response.status_code == 429 and refused.value.detail in unescape(response.content.decode())
    assert "At most" not in refused.value.detail
