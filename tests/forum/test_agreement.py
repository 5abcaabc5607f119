"""A page and its service ask the same question (issue 12): every forum action, in every
state of its object, for every kind of member.

For each (action, state, role) the test renders the page that offers the control and calls
the service (in a savepoint rolled back at once): the control is in the HTML exactly when
the service accepts, and a member for whom the page is a 404 gets NotFound (Http404) from
the service too. The check of forum.checks says the same (`permissions.can`).

Two of these cases failed before the rules were written once (forum/checks.py):
- ("reply", "t_pending", "author"): the author of a thread waiting for approval saw a reply
  form, and posting it answered 403 (the page asked "may post in the category and the
  thread is not locked", the service also "is the thread approved");
- ("edit", "r_locked", "author"): a member saw "Edit" on their post in a locked thread, the
  form opened, and saving answered 403 with "only moderators can reply" (the page asked
  "is it yours", the service also "is the thread locked").
`test_the_decided_rules` pins those two and the other rules decided once, with the reason
a refused member reads.

The world: "campaigns" (open) and "documentation" (pre-moderated), where the members of
one organisation (Layla the author, Sami the other member) read and write, Dina may only
read, and Noor moderates both and "archive" (where threads move to); Hadi is a coalition
admin; Omar has no grant. Karim wrote a post and then his account was disabled.
"""

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import translation

from forum import checks
from forum.models import Category, Post, Thread
from forum.models.people import Location, Region
from forum.permissions import can, refusal
from forum.selectors import content as selectors
from forum.services import content, following, moderation
from forum.services.accounts import create_member, create_organisation, set_account_active
from tests.forum.conftest import grant, kept_for_the_module

ROLES = ["author", "other", "reader", "moderator", "admin", "outsider", "disabled"]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with kept_for_the_module(django_db_blocker):
        yield build_world()


@pytest.fixture(autouse=True)
def _each_test_in_a_savepoint(db):
    """Every test rolls back to the module's world (see `kept_for_the_module`)."""


def person(username, name, organisation=None, is_superuser=False):
    return create_member(
        username=username, password="not-used-here", display_name=name, location=Location.IN_COUNTRY,
        organisation=organisation, language="en", is_superuser=is_superuser,
    )


def build_world():
    w = SimpleNamespace()
    writers = create_organisation(slug="aden-documentation", name_ar="عدن", name_en="Aden", region=Region.ADEN)
    others = create_organisation(slug="marib-voices", name_ar="مأرب", name_en="Marib", region=Region.MARIB)
    w.author, w.other = person("layla", "Layla", writers), person("sami", "Sami", writers)
    w.gone = person("karim", "Karim", writers)
    w.reader, w.outsider = person("dina", "Dina", others), person("omar", "Omar", others)
    w.moderator, w.admin = person("noor", "Noor"), person("hadi", "Hadi", is_superuser=True)
    w.disabled = w.gone

    w.camp = content.do_create_category(slug="campaigns", name="Campaigns")
    w.premod = content.do_create_category(slug="documentation", name="Documentation", requires_approval=True)
    w.archive = content.do_create_category(slug="archive", name="Archive")
    for category in (w.camp, w.premod):
        grant(category, writers.group, "view", "post")
        grant(category, w.reader, "view")
    for category in (w.camp, w.premod, w.archive):
        grant(category, w.moderator, "moderate")

    def thread(category, title, author=w.author):
        return content.start_thread(author=author, category=category, title=title, body=f"{title}: opening")

    def said(thread, text, author=w.author):
        return content.reply(author=author, thread=thread, body=text)

    w.t_open = thread(w.camp, "Open thread")
    w.r_open = said(w.t_open, "An open reply")
    w.r_hidden = said(w.t_open, "A reply a moderator hid")
    moderation.hide_post(post=w.r_hidden, by=w.moderator, reason="Names a street")
    w.r_gone = said(w.t_open, "Karim's reply", author=w.gone)

    w.t_locked = thread(w.camp, "Locked thread")
    w.r_locked = said(w.t_locked, "A reply before the lock")
    w.r_mod_locked = said(w.t_locked, "The moderator's reply", author=w.moderator)
    moderation.lock_thread(thread=w.t_locked, by=w.moderator)
    moderation.pin_thread(thread=w.t_locked, by=w.moderator)

    w.t_hidden = thread(w.camp, "Hidden thread")
    w.r_in_hidden = said(w.t_hidden, "A reply in a thread a moderator hid")
    w.o_hidden = w.t_hidden.posts.get(is_opening=True)
    moderation.hide_post(post=w.o_hidden, by=w.moderator, reason="Exposes a house")

    w.t_pending = thread(w.premod, "Pending thread")
    w.o_pending = w.t_pending.posts.get(is_opening=True)
    w.t_premod = thread(w.premod, "Pre-moderated thread", author=w.moderator)
    w.r_pending = said(w.t_premod, "A reply waiting for approval")
    w.r_rejected = said(w.t_premod, "A reply a moderator rejected")
    moderation.reject_post(post=w.r_rejected, by=w.moderator, reason="Unconfirmed")
    w.t_rejected = thread(w.premod, "Rejected thread")
    moderation.reject_post(post=w.t_rejected.posts.get(), by=w.moderator, reason="Unconfirmed")

    set_account_active(user=w.gone, active=False, by=w.admin)
    return w


# Reading the world afresh: a service may have changed the objects it was given.

def fresh(w, name):
    obj = getattr(w, name)
    if isinstance(obj, Category):
        return Category.objects.get(pk=obj.pk)
    if isinstance(obj, Thread):
        return Thread.objects.select_related("category", "author__profile").get(pk=obj.pk)
    return Post.objects.select_related("thread__category", "author__profile").get(pk=obj.pk)


def user_of(w, role):
    return get_user_model().objects.get(pk=getattr(w, role).pk)


# Each action: where its control lives (path), how the page shows it (marker; None when the
# page itself is the control), its service, its check, and the states it is tried in.
def _thread_page(post):
    return f"/t/{post.thread.public_id}/"


ACTIONS = {
    "view category": SimpleNamespace(
        path=lambda c: f"/c/{c.slug}/", marker=None, check=checks.check_view_category,
        service=lambda user, c, w: selectors.get_visible_category(user, c.slug), states=["camp", "premod"]),
    "start thread": SimpleNamespace(
        path=lambda c: f"/c/{c.slug}/", marker=lambda c, w: f'href="/c/{c.slug}/new/"', check=checks.check_start_thread,
        service=lambda user, c, w: content.start_thread(author=user, category=c, title="Matrix", body="Matrix body"),
        states=["camp", "premod"]),
    "follow category": SimpleNamespace(
        path=lambda c: f"/c/{c.slug}/", marker=lambda c, w: f'action="/c/{c.slug}/follow/"',
        check=checks.check_follow_category,
        service=lambda user, c, w: following.set_follow_level(user=user, target=c, level="watching"),
        states=["camp", "premod"]),
    "moderate": SimpleNamespace(  # the queue offers the category's waiting posts to its moderators
        path=lambda c: "/moderation/", marker=lambda c, w: f"/p/{w.r_pending.public_id}/approve/",
        check=checks.check_moderate,
        service=lambda user, c, w: moderation.approve_post(post=fresh(w, "r_pending"), by=user), states=["premod"]),
    "view thread": SimpleNamespace(
        path=lambda t: f"/t/{t.public_id}/", marker=None, check=checks.check_view_thread,
        service=lambda user, t, w: selectors.get_visible_thread(user, t.public_id),
        states=["t_open", "t_locked", "t_hidden", "t_pending", "t_premod", "t_rejected"]),
    "reply": SimpleNamespace(
        path=lambda t: f"/t/{t.public_id}/", marker=lambda t, w: f'action="/t/{t.public_id}/reply/"',
        check=checks.check_reply,
        service=lambda user, t, w: content.reply(author=user, thread=t, body="Matrix reply"),
        states=["t_open", "t_locked", "t_hidden", "t_pending", "t_premod", "t_rejected"]),
    "follow thread": SimpleNamespace(
        path=lambda t: f"/t/{t.public_id}/", marker=lambda t, w: f'action="/t/{t.public_id}/follow/"',
        check=checks.check_follow_thread,
        service=lambda user, t, w: following.set_follow_level(user=user, target=t, level="watching"),
        states=["t_open", "t_locked", "t_hidden", "t_pending", "t_premod", "t_rejected"]),
    "move": SimpleNamespace(
        path=lambda t: f"/t/{t.public_id}/", marker=lambda t, w: f"/t/{t.public_id}/move/", check=checks.check_move,
        service=lambda user, t, w: moderation.move_thread(thread=t, by=user, to=fresh(w, "archive"), reason="m"),
        states=["t_open", "t_locked", "t_hidden", "t_pending", "t_rejected"]),
    "view post": SimpleNamespace(
        path=_thread_page, marker=lambda p, w: f'id="p-{p.public_id}"', check=checks.check_view_post,
        service=lambda user, p, w: selectors.get_visible_post(user, p.public_id), states=[]),
    "quote": SimpleNamespace(
        path=_thread_page, marker=lambda p, w: f"?quote={p.public_id}", check=checks.check_quote,
        service=lambda user, p, w: content.reply(author=user, thread=p.thread, body="Quoting", reply_to=p),
        states=[]),
    "edit": SimpleNamespace(
        path=_thread_page, marker=lambda p, w: f"/p/{p.public_id}/edit/", check=checks.check_edit,
        service=lambda user, p, w: content.edit_post(post=p, by=user, body="Rewritten in the matrix"), states=[]),
    "report": SimpleNamespace(
        path=_thread_page, marker=lambda p, w: f"/p/{p.public_id}/report/", check=checks.check_report,
        service=lambda user, p, w: moderation.report_post(post=p, by=user, reason="Matrix"), states=[]),
    # Toggles: each pair in the states where it changes something (forum/checks.py).
    "hide": SimpleNamespace(
        path=_thread_page, marker=lambda p, w: f"/p/{p.public_id}/hide/", check=checks.check_hide,
        service=lambda user, p, w: moderation.hide_post(post=p, by=user, reason="m"),
        states=["r_open", "r_locked", "r_mod_locked", "r_in_hidden", "r_gone", "r_rejected"]),
    "unhide": SimpleNamespace(
        path=_thread_page, marker=lambda p, w: f"/p/{p.public_id}/unhide/", check=checks.check_unhide,
        service=lambda user, p, w: moderation.unhide_post(post=p, by=user, reason="m"),
        states=["r_hidden", "o_hidden"]),
    "approve": SimpleNamespace(
        path=_thread_page, marker=lambda p, w: f"/p/{p.public_id}/approve/", check=checks.check_approve,
        service=lambda user, p, w: moderation.approve_post(post=p, by=user),
        states=["r_pending", "o_pending", "r_rejected"]),
    "reject": SimpleNamespace(
        path=_thread_page, marker=lambda p, w: f"/p/{p.public_id}/reject/", check=checks.check_reject,
        service=lambda user, p, w: moderation.reject_post(post=p, by=user, reason="m"),
        states=["r_pending", "o_pending", "r_rejected"]),
    "lock": SimpleNamespace(
        path=lambda t: f"/t/{t.public_id}/", marker=lambda t, w: f"/t/{t.public_id}/lock/", check=checks.check_lock,
        service=lambda user, t, w: moderation.lock_thread(thread=t, by=user),
        states=["t_open", "t_hidden", "t_pending", "t_rejected"]),
    "unlock": SimpleNamespace(
        path=lambda t: f"/t/{t.public_id}/", marker=lambda t, w: f"/t/{t.public_id}/unlock/", check=checks.check_unlock,
        service=lambda user, t, w: moderation.unlock_thread(thread=t, by=user), states=["t_locked"]),
    "pin": SimpleNamespace(
        path=lambda t: f"/t/{t.public_id}/", marker=lambda t, w: f"/t/{t.public_id}/pin/", check=checks.check_pin,
        service=lambda user, t, w: moderation.pin_thread(thread=t, by=user),
        states=["t_open", "t_hidden", "t_pending", "t_rejected"]),
    "unpin": SimpleNamespace(
        path=lambda t: f"/t/{t.public_id}/", marker=lambda t, w: f"/t/{t.public_id}/unpin/", check=checks.check_unpin,
        service=lambda user, t, w: moderation.unpin_thread(thread=t, by=user), states=["t_locked"]),
}
EVERY_POST = ["r_open", "r_locked", "r_mod_locked", "r_hidden", "r_in_hidden", "o_hidden", "r_gone",
              "r_pending", "o_pending", "r_rejected"]
for _name in ("view post", "quote", "edit", "report"):
    ACTIONS[_name].states = EVERY_POST

CASES = [(action, state, role) for action, spec in ACTIONS.items() for state in spec.states for role in ROLES]


def outcome(call) -> str:
    """What a service answers, with whatever it wrote rolled back at once."""
    try:
        with transaction.atomic():
            call()
            transaction.set_rollback(True)
    except Http404:
        return "not found"
    except PermissionDenied:
        return "forbidden"
    return "accepted"


@pytest.mark.parametrize("action,state,role", CASES)
def test_the_page_offers_the_control_exactly_when_the_service_accepts(world, client_for, action, state, role):
    spec, user = ACTIONS[action], user_of(world, role)
    obj = fresh(world, state)
    response = client_for(user).get(spec.path(obj))
    answer = outcome(lambda: spec.service(user, fresh(world, state), world))
    assert (answer == "accepted") == can(spec.check, user, fresh(world, state)), "the check and its service differ"
    if role == "disabled":  # a disabled account is logged out, and nothing exists for it
        assert response.status_code == 302 and answer == "not found"
        return
    if response.status_code == 404:
        assert answer == "not found", "a page that does not exist for a member, a service that does"
        return
    assert response.status_code == 200
    if spec.marker is None:  # the page is the thing
        assert answer == "accepted"
        return
    shown = spec.marker(obj, world) in response.content.decode()
    assert shown == (answer == "accepted"), f"control shown: {shown}, service: {answer}"


@pytest.mark.parametrize("action,state", [(a, s) for a, spec in ACTIONS.items() for s in spec.states
                                          if a not in ("view category", "view thread")])
def test_what_a_member_cannot_see_is_not_found_never_forbidden(world, action, state):
    """A post missing from its thread page for a member, or a thread or category that is a
    404, answers NotFound from the service: the same as an id that does not exist."""
    spec, obj = ACTIONS[action], fresh(world, state)
    view = {Category: checks.check_view_category, Thread: checks.check_view_thread, Post: checks.check_view_post}
    for role in ROLES:
        user = user_of(world, role)
        if not can(view[type(obj)], user, obj):
            assert outcome(lambda: spec.service(user, fresh(world, state), world)) == "not found", role


def test_the_matrix_holds_both_answers_for_every_action(world):
    """Each action is accepted for someone and refused for someone: the matrix proves something."""
    for action, spec in ACTIONS.items():
        answers = {can(spec.check, user_of(world, role), fresh(world, state))
                   for state in spec.states for role in ROLES}
        assert answers == {True, False}, action


# The rules decided once, with what a refused member reads: (action, state, role) → the
# reason, or None for "accepted".
DECIDED = {
    ("reply", "t_pending", "author"): "This thread is waiting for a moderator's approval.",
    ("quote", "o_pending", "author"): "No such thing here.",  # waiting text is not quoted
    ("edit", "o_pending", "author"): None,  # one's own waiting post may be corrected
    ("reply", "t_locked", "author"): "This thread is locked: only moderators can reply.",
    ("reply", "t_locked", "moderator"): None,
    ("edit", "r_locked", "author"): "This thread is locked: its posts can no longer be edited.",
    ("edit", "r_mod_locked", "moderator"): None,  # a moderator's own post stays theirs to correct
    ("edit", "r_open", "other"): "You can only edit your own posts.",
    ("edit", "r_open", "moderator"): "You can only edit your own posts.",
    ("reply", "t_open", "reader"): "You can read this category but not write in it.",
    ("start thread", "camp", "reader"): "You can read this category but not write in it.",
    ("hide", "r_open", "author"): "Only this category's moderators can do this.",
    ("report", "r_open", "author"): None,  # an author may ask for their own words to be taken down
    ("report", "r_hidden", "moderator"): None,
    ("quote", "r_hidden", "moderator"): "No such thing here.",  # a quote would publish it again
    ("reply", "t_hidden", "other"): "No such thing here.",
    ("edit", "r_hidden", "author"): "No such thing here.",  # hidden: the moderators' business now
    ("quote", "r_gone", "other"): None,  # a disabled author's words stay
}


@pytest.mark.parametrize("case", DECIDED, ids=lambda case: "-".join(case))
def test_the_decided_rules(world, case):
    action, state, role = case
    with translation.override("en"):
        assert refusal(ACTIONS[action].check, user_of(world, role), fresh(world, state)) == DECIDED[case]


# The reason a page shows is the check's own text, in the member's language ---------------

REFUSED_PAGES = [
    # (path of the refused form, state, role, check)
    ("/t/{id}/reply/", "t_pending", "author", checks.check_reply),
    ("/t/{id}/reply/", "t_locked", "other", checks.check_reply),
    ("/t/{id}/reply/", "t_open", "reader", checks.check_reply),
    ("/p/{id}/edit/", "r_locked", "author", checks.check_edit),
    ("/p/{id}/edit/", "r_open", "other", checks.check_edit),
    ("/p/{id}/hide/", "r_open", "author", checks.check_hide),
    ("/t/{id}/move/", "t_open", "other", checks.check_move),
    ("/c/{id}/new/", "camp", "reader", checks.check_start_thread),
]


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("path,state,role,check", REFUSED_PAGES, ids=lambda v: getattr(v, "__name__", str(v)))
def test_a_refused_page_shows_the_checks_reason(world, client_for, language, path, state, role, check):
    from html import unescape

    from forum.services.accounts import set_language

    user = user_of(world, role)
    set_language(user.profile, language)
    obj = fresh(world, state)
    key = obj.slug if isinstance(obj, Category) else obj.public_id
    client = client_for(user)
    response = client.post(path.format(id=key), {"reason": "m"}) if "/hide/" in path else client.get(path.format(id=key))
    with translation.override(language):
        reason = refusal(check, user, obj)
    assert response.status_code == 403 and reason
    assert reason in unescape(response.content.decode())
    if language == "ar":
        with translation.override("en"):
            assert reason != refusal(check, user, obj), "the reason is translated"


@pytest.mark.parametrize("state", ["t_pending", "t_locked"])
def test_the_thread_page_says_why_it_offers_no_reply_form(world, client_for, state):
    from html import unescape

    user = user_of(world, "author" if state == "t_pending" else "other")
    thread = fresh(world, state)
    html = unescape(client_for(user).get(f"/t/{thread.public_id}/").content.decode())
    with translation.override("en"):
        assert refusal(checks.check_reply, user, thread) in html and 'name="body"' not in html
