"""Export my data (issue 13, item 4): a ZIP of the member's own words, and nobody else's."""

import io
import json
import zipfile

import pytest
from django.test import Client

from forum.models import Post
from forum.services.content import reply, start_thread
from forum.services.following import set_follow_level
from forum.services.moderation import hide_post
from realtime.services import post_message
from tests.realtime.conftest import make_room  # noqa: F401  (a fixture)

SAMI_POST = "CANARY-SAMI-POST-7f3a"
SAMI_MESSAGE = "CANARY-SAMI-MESSAGE-91bc"
SAMI_HIDDEN_TITLE = "CANARY-HIDDEN-THREAD-TITLE-2d"
MY_POST = "Layla's own reply: <b>bold</b> & \u202etricky"
MY_MESSAGE = "Layla in the room"


@pytest.fixture
def world(make_room, category, thread, writer, other_member, moderator, django_capture_on_commit_callbacks):  # noqa: F811
    room = make_room("aden", name="Aden coordination")
    with django_capture_on_commit_callbacks(execute=True):  # Layla is told of Sami's reply
        sami_post = reply(author=other_member, thread=thread, body=SAMI_POST)
    reply(author=writer, thread=thread, body=MY_POST, reply_to=sami_post)
    post_message(author=other_member, room=room, body=SAMI_MESSAGE, client_id="s1")
    post_message(author=writer, room=room, body=MY_MESSAGE, client_id="l1")
    set_follow_level(user=writer, target=room, level="watching")
    # A thread Layla once replied in, then hidden by a moderator: its title is no longer hers to see.
    hidden = start_thread(author=other_member, category=category, title=SAMI_HIDDEN_TITLE, body="opening")
    reply(author=writer, thread=hidden, body="my words in a thread that was hidden later")
    hide_post(by=moderator, post=Post.objects.get(thread=hidden, is_opening=True), reason="doxxing")
    return room


def _unzip(response) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_the_export_holds_my_words_and_nobody_elses(world, writer, password, client_for):
    client = client_for(writer)
    assert client.get("/accounts/export/").status_code == 200

    response = client.post("/accounts/export/", {"password": password})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    files = _unzip(response)
    assert set(files) == {"majlis-export.json", "majlis-export.html"}
    data = json.loads(files["majlis-export.json"])
    assert data["profile"]["username"] == writer.username
    texts = [post["text"] for post in data["posts"]]
    assert MY_POST in texts and "Draft of the statement, please comment." in texts
    mine = next(post for post in data["posts"] if post["text"] == MY_POST)
    assert mine["in_reply_to"] == "Sami"  # the author I replied to, by name only
    assert mine["thread"] == "Joint statement on detentions" and mine["category"] == "Advocacy campaigns"
    assert [m["text"] for m in data["room_messages"]] == [MY_MESSAGE]
    assert data["room_messages"][0]["room"] == "Aden coordination" and data["room_messages"][0]["created"]
    assert {"kind": "room", "place": "Aden coordination", "level": "watching"} in data["follows"]
    assert any("Sami" in note["text"] for note in data["notifications"])  # "Sami replied to you…"
    for text in files.values():
        assert SAMI_POST not in text
        assert SAMI_MESSAGE not in text
        assert SAMI_HIDDEN_TITLE not in text
    assert "my words in a thread that was hidden later" in texts


def test_the_html_file_is_readable_self_contained_and_escaped(world, writer, password, client_for):
    html = _unzip(client_for(writer).post("/accounts/export/", {"password": password}))["majlis-export.html"]

    assert "<b>bold</b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp;" in html
    assert 'dir="auto"' in html
    assert "<script" not in html and "src=" not in html and "href=" not in html
    assert MY_MESSAGE in html


def test_a_wrong_password_sends_nothing(world, writer, client_for):
    response = client_for(writer).post("/accounts/export/", {"password": "not my password"})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert MY_POST.encode() not in response.content


def test_export_needs_a_logged_in_member(client, db):
    response = client.post("/accounts/export/", {"password": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_guessing_the_password_on_the_export_page_is_stopped_like_a_login(client_for, make_member, password, settings):
    """A session in someone else's hands cannot be used to guess the password without
    limit: django-axes counts the wrong ones as failed logins."""
    settings.AXES_FAILURE_LIMIT = 3
    guessed = make_member("guessed", display_name="Guessed")
    client = client_for(guessed)
    answers = [client.post("/accounts/export/", {"password": f"wrong {n}"}).status_code for n in range(3)]
    assert answers == [400, 400, 429]  # the third reaches the limit: axes' lockout page
    locked = client.post("/accounts/export/", {"password": password})  # the right one, too late
    assert locked.status_code == 429 and locked["Content-Type"].startswith("text/html")
    assert Client().post("/accounts/login/", {"username": "guessed", "password": password}).status_code != 302
