"""forum/services/moderation.py: moderators' actions, members' reports, and the record of both."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from forum.models import Action, ModerationEvent, Post, PostReport, ReportStatus, Status, Thread
from forum.services import content
from forum.services import moderation as services
from realtime import broadcast


def events(action=None):
    queryset = ModerationEvent.objects.exclude(action__in=[Action.GRANT, Action.REVOKE])
    return list(queryset.filter(action=action) if action else queryset)


def assert_recorded(event, *, actor, action, scope, target, reason=""):
    assert event.actor == actor and event.action == action and event.reason == reason
    assert event.scope_type == ContentType.objects.get_for_model(scope) and event.scope_id == scope.pk
    assert (event.target_kind, event.target_id) == (
        "thread" if isinstance(target, Thread) else "post", target.public_id
    )
    assert event.subject == target.author


@pytest.fixture
def a_reply(thread, other_member):
    return content.reply(author=other_member, thread=thread, body="Names the officer in charge.")


@pytest.fixture
def pending_thread(premoderated, writer):
    return content.start_thread(author=writer, category=premoderated, title="Case 14", body="Details of case 14")


@pytest.fixture
def pending_reply(premoderated, moderator, writer):
    thread = content.start_thread(author=moderator, category=premoderated, title="Method", body="Read this")
    return content.reply(author=writer, thread=thread, body="What about photos?")


# Approving and rejecting -----------------------------------------------------------------

def test_approving_a_pending_reply_publishes_and_counts_it(pending_reply, moderator):
    services.approve_post(post=pending_reply, by=moderator)
    pending_reply.refresh_from_db()
    thread = Thread.objects.get(pk=pending_reply.thread_id)
    assert pending_reply.status == Status.APPROVED
    assert thread.reply_count == 1 and thread.last_post == pending_reply
    [event] = events()
    assert_recorded(event, actor=moderator, action=Action.APPROVE, scope=thread.category, target=pending_reply)


def test_approving_a_pending_thread_publishes_the_thread(pending_thread, moderator):
    services.approve_post(post=pending_thread.posts.get(), by=moderator)
    pending_thread.refresh_from_db()
    assert pending_thread.status == Status.APPROVED and pending_thread.reply_count == 0


def test_approving_twice_counts_and_records_once(pending_reply, moderator, coalition_admin):
    services.approve_post(post=pending_reply, by=moderator)
    services.approve_post(post=pending_reply, by=coalition_admin)
    assert Thread.objects.get(pk=pending_reply.thread_id).reply_count == 1
    assert len(events(Action.APPROVE)) == 1


def test_rejecting_a_pending_reply_keeps_it_out_of_sight_with_the_reason(pending_reply, moderator):
    services.reject_post(post=pending_reply, by=moderator, reason="Identifies a survivor")
    pending_reply.refresh_from_db()
    assert pending_reply.status == Status.REJECTED
    assert Thread.objects.get(pk=pending_reply.thread_id).reply_count == 0
    [event] = events()
    assert_recorded(event, actor=moderator, action=Action.REJECT, scope=pending_reply.thread.category,
                    target=pending_reply, reason="Identifies a survivor")


def test_rejecting_the_opening_post_rejects_the_thread(pending_thread, moderator):
    services.reject_post(post=pending_thread.posts.get(), by=moderator)
    pending_thread.refresh_from_db()
    assert pending_thread.status == Status.REJECTED


@pytest.mark.parametrize("action", [services.approve_post, services.reject_post])
def test_a_member_cannot_approve_or_reject_even_their_own_post(pending_reply, writer, other_member, action):
    with pytest.raises(PermissionDenied):  # Layla sees her waiting post but may not judge it
        action(post=pending_reply, by=writer)
    with pytest.raises(Http404):  # to Sami it does not exist (issue 12: a page and its service agree)
        action(post=pending_reply, by=other_member)
    assert Post.objects.get(pk=pending_reply.pk).status == Status.PENDING and not events()


def test_a_moderator_of_another_category_cannot_approve(pending_reply, secret_category):
    with pytest.raises(Http404):  # Warda reads the category as a member: a waiting post is not hers to see
        services.approve_post(post=pending_reply, by=secret_category.keeper)
    assert Post.objects.get(pk=pending_reply.pk).status == Status.PENDING and not events()


# Hiding ----------------------------------------------------------------------------------

@pytest.mark.parametrize("reason", ["", "   ", None])
def test_hiding_a_post_needs_a_reason(a_reply, moderator, reason):
    with pytest.raises(ValidationError) as error:
        services.hide_post(post=a_reply, by=moderator, reason=reason)
    assert "reason" in error.value.error_dict
    assert not Post.objects.get(pk=a_reply.pk).is_hidden and not events()


def test_a_reason_has_at_most_500_characters(a_reply, moderator):
    with pytest.raises(ValidationError):
        services.hide_post(post=a_reply, by=moderator, reason="r" * 501)
    services.hide_post(post=a_reply, by=moderator, reason="r" * 500)
    assert events(Action.HIDE)[0].reason == "r" * 500


def test_hiding_a_post_keeps_it_with_its_reason_and_records_it(a_reply, moderator):
    services.hide_post(post=a_reply, by=moderator, reason="Names an officer")
    a_reply.refresh_from_db()
    assert a_reply.is_hidden and a_reply.hidden_reason == "Names an officer"
    assert not Thread.objects.get(pk=a_reply.thread_id).is_hidden  # a reply hides only itself
    [event] = events()
    assert_recorded(event, actor=moderator, action=Action.HIDE, scope=a_reply.thread.category,
                    target=a_reply, reason="Names an officer")


def test_hiding_the_opening_post_hides_the_thread_and_unhiding_shows_it(thread, moderator):
    opening = thread.posts.get()
    services.hide_post(post=opening, by=moderator, reason="Doxxing")
    assert Thread.objects.get(pk=thread.pk).is_hidden
    services.unhide_post(post=opening, by=moderator, reason="Names removed")
    assert not Thread.objects.get(pk=thread.pk).is_hidden and not Post.objects.get(pk=opening.pk).is_hidden
    assert [e.action for e in events()] == [Action.UNHIDE, Action.HIDE]
    assert events(Action.UNHIDE)[0].reason == "Names removed"


def test_hiding_twice_records_once(a_reply, moderator):
    services.hide_post(post=a_reply, by=moderator, reason="one")
    services.hide_post(post=a_reply, by=moderator, reason="two")
    assert [e.reason for e in events()] == ["one"]


def test_hiding_a_post_tells_open_thread_pages_after_commit(
    a_reply, moderator, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(broadcast, "publish_frame", lambda group, frame: sent.append((group, frame)))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.hide_post(post=a_reply, by=moderator, reason="Names an officer")
    assert sent == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    hidden = (broadcast.thread_group(a_reply.thread.public_id), {"type": "post.hidden", "id": a_reply.public_id})
    assert hidden in sent


@pytest.mark.parametrize("action", ["hide_post", "unhide_post"])
def test_a_member_cannot_hide_or_unhide(a_reply, writer, action):
    with pytest.raises(PermissionDenied):
        getattr(services, action)(post=a_reply, by=writer, reason="I dislike it")
    assert not events()


# Threads: lock, pin, move ----------------------------------------------------------------

@pytest.mark.parametrize("action,field,value", [
    ("lock_thread", "is_locked", True), ("pin_thread", "is_pinned", True),
])
def test_locking_and_pinning_set_the_flag_and_are_recorded_once(thread, moderator, action, field, value):
    getattr(services, action)(thread=thread, by=moderator, reason="Heated")
    getattr(services, action)(thread=thread, by=moderator, reason="Again")
    assert getattr(Thread.objects.get(pk=thread.pk), field) is value
    [event] = events()
    assert_recorded(event, actor=moderator, action=action.split("_")[0], scope=thread.category,
                    target=thread, reason="Heated")


@pytest.mark.parametrize("on,off,field", [
    ("lock_thread", "unlock_thread", "is_locked"), ("pin_thread", "unpin_thread", "is_pinned"),
])
def test_unlocking_and_unpinning_undo_and_are_recorded(thread, moderator, on, off, field):
    getattr(services, on)(thread=thread, by=moderator)
    getattr(services, off)(thread=thread, by=moderator)
    assert getattr(Thread.objects.get(pk=thread.pk), field) is False
    assert [e.action for e in events()] == [off.split("_")[0], on.split("_")[0]]


@pytest.mark.parametrize("action", ["lock_thread", "unlock_thread", "pin_thread", "unpin_thread"])
def test_a_member_cannot_lock_or_pin(thread, writer, action):
    with pytest.raises(PermissionDenied):
        getattr(services, action)(thread=thread, by=writer)
    assert not events()


def test_a_thread_moves_to_a_category_its_moderator_moderates_and_both_places_record_it(
    thread, moderator, make_category
):
    origin = thread.category
    target = make_category("peace", name="Peace and dialogue", grants=[(moderator, "moderate")])
    services.move_thread(thread=thread, by=moderator, to=target, reason="Fits better there")
    assert Thread.objects.get(pk=thread.pk).category == target
    moves = events(Action.MOVE)
    assert {e.scope_id for e in moves} == {origin.pk, target.pk}
    for event in moves:
        assert event.actor == moderator and event.reason == "Fits better there"
        assert event.target_id == thread.public_id and event.details == {"from": "campaigns", "to": "peace"}


def test_a_thread_cannot_move_to_a_category_its_moderator_does_not_moderate(
    thread, moderator, make_category, members_group
):
    elsewhere = make_category("elsewhere", grants=[(members_group, "view", "post")])
    with pytest.raises(PermissionDenied):
        services.move_thread(thread=thread, by=moderator, to=elsewhere)
    assert Thread.objects.get(pk=thread.pk).category == thread.category and not events()


def test_a_moderator_of_the_target_only_cannot_pull_a_thread_in(thread, make_category, make_person):
    other = make_person(display_name="Other moderator")
    target = make_category("target", grants=[(other, "moderate")])
    with pytest.raises(PermissionDenied):
        services.move_thread(thread=thread, by=other, to=target)
    assert Thread.objects.get(pk=thread.pk).category == thread.category


# Reports ---------------------------------------------------------------------------------

def test_any_member_who_sees_a_post_may_report_it_once_while_open(a_reply, writer):
    first = services.report_post(post=a_reply, by=writer, reason="Names an officer")
    again = services.report_post(post=a_reply, by=writer, reason="Really, please look")
    assert first == again and PostReport.objects.count() == 1
    assert first.status == ReportStatus.OPEN and first.reason == "Names an officer"


def test_two_members_report_the_same_post_separately(a_reply, writer, coalition_admin):
    services.report_post(post=a_reply, by=writer, reason="r")
    services.report_post(post=a_reply, by=coalition_admin, reason="r")
    assert PostReport.objects.count() == 2


def test_a_member_may_report_again_after_a_report_was_handled(a_reply, writer, moderator):
    report = services.report_post(post=a_reply, by=writer, reason="first")
    services.handle_report(report=report, by=moderator, resolve=False)
    services.report_post(post=a_reply, by=writer, reason="it happened again")
    assert PostReport.objects.filter(status=ReportStatus.OPEN).count() == 1


def test_a_report_needs_a_reason(a_reply, writer):
    with pytest.raises(ValidationError):
        services.report_post(post=a_reply, by=writer, reason="  ")
    assert not PostReport.objects.exists()


def test_a_member_cannot_report_a_post_they_cannot_see(secret_category, writer, pending_reply, other_member):
    with pytest.raises(Http404):  # what you cannot see does not exist (issue 12)
        services.report_post(post=secret_category.thread.posts.get(), by=writer, reason="r")
    with pytest.raises(Http404):  # a pending post is its author's and the moderators' only
        services.report_post(post=pending_reply, by=other_member, reason="r")
    assert not PostReport.objects.exists()


@pytest.mark.parametrize("resolve,status,action", [
    (True, ReportStatus.RESOLVED, Action.RESOLVE), (False, ReportStatus.DISMISSED, Action.DISMISS),
])
def test_handling_a_report_records_the_moderator_but_never_the_reporter(
    a_reply, writer, moderator, resolve, status, action
):
    report = services.report_post(post=a_reply, by=writer, reason="Names an officer")
    services.handle_report(report=report, by=moderator, resolve=resolve, reason="Checked")
    report.refresh_from_db()
    assert report.status == status and report.handled_by == moderator and report.handled_at
    [event] = events()
    assert_recorded(event, actor=moderator, action=action, scope=a_reply.thread.category,
                    target=a_reply, reason="Checked")
    assert writer.pk not in (event.actor_id, event.subject_id)
    assert str(writer.pk) not in str(event.details) and writer.profile.public_id not in str(event.details)


def test_handling_a_report_twice_records_once(a_reply, writer, moderator):
    report = services.report_post(post=a_reply, by=writer, reason="r")
    services.handle_report(report=report, by=moderator, resolve=True)
    services.handle_report(report=report, by=moderator, resolve=False)
    assert PostReport.objects.get().status == ReportStatus.RESOLVED and len(events()) == 1


def test_only_the_categorys_moderators_handle_its_reports(a_reply, writer, secret_category):
    report = services.report_post(post=a_reply, by=writer, reason="r")
    for somebody in (writer, secret_category.keeper):
        with pytest.raises((PermissionDenied, Http404)):
            services.handle_report(report=report, by=somebody, resolve=True)
    assert PostReport.objects.get().status == ReportStatus.OPEN and not events()


# The record ------------------------------------------------------------------------------

def test_every_moderator_action_writes_one_event(premoderated, thread, moderator, writer, other_member, make_category):
    pending = content.reply(
        author=writer, thread=content.start_thread(author=moderator, category=premoderated, title="t", body="b"),
        body="p1",
    )
    pending_too = content.reply(author=writer, thread=pending.thread, body="p2")
    reply = content.reply(author=other_member, thread=thread, body="r")
    report = services.report_post(post=reply, by=writer, reason="r")
    target = make_category("target", grants=[(moderator, "moderate")])
    services.approve_post(post=pending, by=moderator)
    services.reject_post(post=pending_too, by=moderator, reason="no")
    services.hide_post(post=reply, by=moderator, reason="why")
    services.unhide_post(post=reply, by=moderator)
    services.lock_thread(thread=thread, by=moderator)
    services.unlock_thread(thread=thread, by=moderator)
    services.pin_thread(thread=thread, by=moderator)
    services.unpin_thread(thread=thread, by=moderator)
    services.handle_report(report=report, by=moderator, resolve=True)
    services.move_thread(thread=thread, by=moderator, to=target)
    recorded = sorted(e.action for e in events())
    assert recorded == sorted(["approve", "reject", "hide", "unhide", "lock", "unlock", "pin", "unpin",
                               "resolve", "move", "move"])
    assert all(e.actor == moderator and e.target_id for e in events())

