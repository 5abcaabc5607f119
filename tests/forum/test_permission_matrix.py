"""Every forum page and action, for every kind of visitor, with the answer each must get.

The world: a pre-moderated category, "Aden Documentation Circle", that the members of one
organisation read and write (Layla is one), that Dina may only read, and that Noor
moderates; a coalition admin (Hadi); Omar, a member of another organisation, who has no
grant on it; and an anonymous visitor. Whatever Omar asks about the circle answers 404,
and no 404 names anything in it. Whatever is refused changes nothing.
"""

import re

import pytest
from django.test import Client

from forum.models import ModerationEvent, Post, PostReport, PostRevision, Thread
from forum.models.people import Location, Region
from forum.services import content, moderation
from forum.services.accounts import create_member, create_organisation
from forum.services.content import do_create_category
from tests.forum.conftest import grant, kept_for_the_module

ROLES = ["admin", "moderator", "writer", "reader", "outsider"]

# Nothing of the circle may appear in what Omar (or any visitor without the grant) receives.
SECRETS = [
    "Aden Documentation Circle", "aden-circle", "Aden Archive", "Detention site near Aden port",
    "Meeting schedule", "blue mosque", "three trucks", "fourth truck", "guard at the gate",
    "Names the witness street", "Shows a face", "Noor",
]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with kept_for_the_module(django_db_blocker):
        yield build_world()


@pytest.fixture(autouse=True)
def _each_test_in_a_savepoint(db):
    """Every test here rolls back to the module's world (see `kept_for_the_module`)."""


def person(username, name, organisation=None, is_superuser=False):
    return create_member(
        username=username, password="not-used-here", display_name=name, location=Location.IN_COUNTRY,
        organisation=organisation, language="en", is_superuser=is_superuser,
    )


def organisation(slug):
    return create_organisation(slug=slug, name_ar=slug, name_en=slug.title(), region=Region.ADEN)


def build_world():
    w = type("World", (), {})()
    aden = organisation("aden-documentation")
    w.admin = person("hadi", "Hadi", is_superuser=True)
    w.moderator = person("noor", "Noor")
    w.writer = person("layla", "Layla", organisation=aden)
    w.reader = person("dina", "Dina", organisation=organisation("taiz-advocacy"))
    w.outsider = person("omar", "Omar", organisation=organisation("marib-voices"))
    w.circle = do_create_category(slug="aden-circle", name="Aden Documentation Circle", requires_approval=True)
    grant(w.circle, aden.group, "view", "post")
    grant(w.circle, w.moderator, "moderate")
    grant(w.circle, w.reader, "view")
    w.archive = do_create_category(slug="aden-archive", name="Aden Archive")
    grant(w.archive, w.moderator, "moderate")

    w.thread = content.start_thread(
        author=w.writer, category=w.circle, title="Detention site near Aden port",
        body="The witness lives behind the blue mosque.",
    )
    moderation.approve_post(post=w.thread.posts.get(), by=w.moderator)
    w.thread.refresh_from_db()
    w.reply = content.reply(author=w.writer, thread=w.thread, body="Second witness saw three trucks.")
    moderation.approve_post(post=w.reply, by=w.moderator)
    w.pending = content.reply(author=w.writer, thread=w.thread, body="Unconfirmed: a fourth truck.")
    w.hidden = content.reply(author=w.writer, thread=w.thread, body="Photo of the guard at the gate.")
    moderation.approve_post(post=w.hidden, by=w.moderator)
    moderation.hide_post(post=w.hidden, by=w.moderator, reason="Shows a face")
    w.report = moderation.report_post(post=w.reply, by=w.reader, reason="Names the witness street")
    w.locked = content.start_thread(author=w.moderator, category=w.circle, title="Meeting schedule", body="Thursdays.")
    moderation.lock_thread(thread=w.locked, by=w.moderator)
    moderation.pin_thread(thread=w.locked, by=w.moderator)
    return w


def snapshot():
    """Everything a request could change, in a comparable form."""
    return (
        sorted(Thread.objects.values_list(
            "public_id", "category_id", "status", "is_locked", "is_pinned", "is_hidden", "reply_count")),
        sorted(Post.objects.values_list("public_id", "status", "is_hidden", "body_source")),
        sorted(PostReport.objects.values_list("public_id", "status")),
        PostRevision.objects.count(),
        ModerationEvent.objects.count(),
    )


# name: (method, path, form data, expected answer for admin, moderator, writer, reader, outsider)
ACTIONS = {
    "category page": ("get", "/c/aden-circle/", None, (200, 200, 200, 200, 404)),
    "new thread form": ("get", "/c/aden-circle/new/", None, (200, 200, 200, 403, 404)),
    "new thread": ("post", "/c/aden-circle/new/", {"title": "Curfew", "body": "From tonight."},
                   (302, 302, 302, 403, 404)),
    "thread page": ("get", "/t/{thread}/", None, (200, 200, 200, 200, 404)),
    "reply form": ("get", "/t/{thread}/reply/", None, (200, 200, 200, 403, 404)),
    "reply": ("post", "/t/{thread}/reply/", {"body": "Confirmed by a second source."}, (302, 302, 302, 403, 404)),
    "quote form": ("get", "/t/{thread}/reply/?quote={reply}", None, (200, 200, 200, 403, 404)),
    "edit form": ("get", "/p/{reply}/edit/", None, (403, 403, 200, 403, 404)),
    "edit": ("post", "/p/{reply}/edit/", {"body": "Second witness saw two trucks."}, (403, 403, 302, 403, 404)),
    "report form": ("get", "/p/{reply}/report/", None, (200, 200, 200, 200, 404)),
    "report": ("post", "/p/{reply}/report/", {"reason": "Too precise"}, (200, 200, 200, 200, 404)),
    "hide": ("post", "/p/{reply}/hide/", {"reason": "Names a street"}, (302, 302, 403, 403, 404)),
    # A hidden post does not exist for anyone but its category's moderators (its author included).
    "unhide": ("post", "/p/{hidden}/unhide/", {"reason": "Face blurred"}, (302, 302, 404, 404, 404)),
    # Dina cannot see a pending post at all; Layla, its author, can, but may not judge it.
    "approve": ("post", "/p/{pending}/approve/", {}, (302, 302, 403, 404, 404)),
    "reject": ("post", "/p/{pending}/reject/", {"reason": "Unconfirmed"}, (302, 302, 403, 404, 404)),
    "lock": ("post", "/t/{thread}/lock/", {"reason": "Heated"}, (302, 302, 403, 403, 404)),
    "unlock": ("post", "/t/{locked}/unlock/", {}, (302, 302, 403, 403, 404)),
    "pin": ("post", "/t/{thread}/pin/", {}, (302, 302, 403, 403, 404)),
    "unpin": ("post", "/t/{locked}/unpin/", {}, (302, 302, 403, 403, 404)),
    "move form": ("get", "/t/{thread}/move/", None, (200, 200, 403, 403, 404)),
    "move": ("post", "/t/{thread}/move/", {"category": "aden-archive", "reason": "Archived"},
             (302, 302, 403, 403, 404)),
    # A report's existence is the moderators' business only: everyone else gets 404.
    "resolve report": ("post", "/moderation/reports/{report}/resolve/", {}, (302, 302, 404, 404, 404)),
    "dismiss report": ("post", "/moderation/reports/{report}/dismiss/", {}, (302, 302, 404, 404, 404)),
    "moderation queue": ("get", "/moderation/", None, (200, 200, 200, 200, 200)),
    "transparency log": ("get", "/moderation/log/", None, (200, 200, 200, 200, 200)),
    "home": ("get", "/", None, (200, 200, 200, 200, 200)),
}


def path_of(template, w):
    return template.format(
        thread=w.thread.public_id, reply=w.reply.public_id, pending=w.pending.public_id,
        hidden=w.hidden.public_id, locked=w.locked.public_id, report=w.report.public_id,
    )


def send(client, method, path, data):
    return client.get(path) if method == "get" else client.post(path, data)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_each_visitor_gets_the_expected_answer_and_a_refusal_changes_nothing(world, client_for, action, role):
    method, template, data, expected = ACTIONS[action]
    expected = expected[ROLES.index(role)]
    before = snapshot()
    response = send(client_for(getattr(world, role)), method, path_of(template, world), data)
    assert response.status_code == expected, response.content.decode()[:2000]
    if expected in (403, 404):
        assert snapshot() == before
    elif method == "post" and not (action == "report" and role == "reader"):  # Dina reported it already
        assert snapshot() != before


@pytest.mark.parametrize("action", ACTIONS)
def test_an_anonymous_visitor_is_sent_to_log_in_and_changes_nothing(world, action):
    method, template, data, _expected = ACTIONS[action]
    before = snapshot()
    response = send(Client(), method, path_of(template, world), data)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    assert snapshot() == before


@pytest.mark.parametrize("action", [a for a, spec in ACTIONS.items() if spec[3][4] == 404])
def test_a_404_names_nothing_of_the_forbidden_category(world, client_for, action):
    method, template, data, _expected = ACTIONS[action]
    path = path_of(template, world)
    body = send(client_for(world.outsider), method, path, data).content.decode()
    body = body.replace(path, "")  # the address Omar typed is echoed back (language switcher)
    for secret in SECRETS:
        assert secret not in body


@pytest.mark.parametrize("action", ["approve", "reject", "resolve report", "dismiss report"])
def test_a_404_for_a_member_who_can_read_the_category_names_nothing_hidden_from_them(world, client_for, action):
    method, template, data, _expected = ACTIONS[action]
    path = path_of(template, world)
    body = send(client_for(world.reader), method, path, data).content.decode()
    assert "fourth truck" not in body and "Names the witness street" not in body


def normalised(response, path):
    body = response.content.decode().replace(path, "PATH")
    return response.status_code, re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)


@pytest.mark.parametrize("action", [a for a, spec in ACTIONS.items() if spec[3][4] == 404])
def test_a_forbidden_object_answers_exactly_like_a_missing_one(world, client_for, action):
    method, template, data, _expected = ACTIONS[action]
    forbidden = path_of(template, world)
    missing = (forbidden.replace("aden-circle", "no-such-place")
               .replace(world.thread.public_id, "AAAAAAAAAAAA").replace(world.reply.public_id, "BBBBBBBBBBBB")
               .replace(world.pending.public_id, "CCCCCCCCCCCC").replace(world.hidden.public_id, "DDDDDDDDDDDD")
               .replace(world.locked.public_id, "EEEEEEEEEEEE").replace(world.report.public_id, "FFFFFFFFFFFF"))
    assert missing != forbidden
    client = client_for(world.outsider)
    assert normalised(send(client, method, forbidden, data), forbidden) == \
        normalised(send(client, method, missing, data), missing)


@pytest.mark.parametrize("path", ["/", "/moderation/", "/moderation/log/", "/following/", "/notifications/"])
def test_the_forbidden_category_appears_nowhere_in_an_outsiders_pages(world, client_for, path):
    body = client_for(world.outsider).get(path).content.decode()
    for secret in SECRETS:
        assert secret not in body


@pytest.mark.parametrize("path", ["/", "/moderation/log/"])
def test_the_same_pages_show_the_category_to_its_members(world, client_for, path):
    body = client_for(world.writer).get(path).content.decode()
    assert "Aden Documentation Circle" in body


def test_a_revoked_grant_closes_every_door_at_once(world, client_for):
    from forum.services.grants import do_revoke_permission

    client = client_for(world.reader)
    assert client.get(f"/t/{world.thread.public_id}/").status_code == 200
    do_revoke_permission(actor=None, via="tests", perm="view_category", obj=world.circle, to=world.reader)
    for path in ("/c/aden-circle/", f"/t/{world.thread.public_id}/", f"/p/{world.reply.public_id}/report/"):
        assert client.get(path).status_code == 404
    assert "Aden Documentation Circle" not in client.get("/").content.decode()
