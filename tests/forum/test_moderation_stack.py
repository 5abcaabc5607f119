"""One moderation stack for posts and room messages (issue 12): one Report base, one way to
report, one `handle_report`, one queue, one flood control for reports, one `sanction`, one
`set_grant`, and exactly one ModerationEvent per action, written by one function."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils import timezone

from forum.errors import Forbidden, NotFound, RateLimited
from forum.models import Action, ModerationEvent, PostReport, ReportStatus
from forum.models.moderation import Report
from forum.services import content, grants, reports
from forum.services import moderation as forum_moderation
from forum.services.audit import clean_reason
from forum.services.grants import do_grant_permission
from realtime import services as rooms
from realtime.models import MessageReport, RoomBan, RoomMute


@pytest.fixture
def room(members_group, moderator):
    room = rooms.do_create_room(slug="aden", name="Aden coordination")
    for perm in ("view_room", "post_in_room"):
        do_grant_permission(actor=None, via="tests", perm=perm, obj=room, to=members_group)
    do_grant_permission(actor=None, via="tests", perm="moderate_room", obj=room, to=moderator)
    return room


@pytest.fixture
def a_reply(thread, other_member):
    return content.reply(author=other_member, thread=thread, body="Names the officer in charge.")


@pytest.fixture
def a_message(room, other_member):
    message, _ = rooms.post_message(author=other_member, room=room, body="Meet at the checkpoint", client_id="m")
    return message


def events():
    return list(ModerationEvent.objects.exclude(action__in=[Action.GRANT, Action.REVOKE]).order_by("id"))


def test_both_kinds_of_report_share_one_base():
    assert issubclass(PostReport, Report) and issubclass(MessageReport, Report)
    base = {field.name for field in Report._meta.get_fields()}
    assert base >= {"public_id", "reporter", "reason", "status", "created_at", "handled_by", "handled_at"}
    for model in (PostReport, MessageReport):
        assert base < {field.name for field in model._meta.get_fields()}


def test_one_report_path_files_a_post_and_a_message_alike(a_reply, a_message, room, writer):
    on_post = reports.report(by=writer, target=a_reply, reason="  Names   an officer ")
    on_message = rooms.report_message(by=writer, room=room, message_id=a_message.public_id, reason="Reveals a place")
    assert isinstance(on_post, PostReport) and isinstance(on_message, MessageReport)
    assert on_post.reason == "Names an officer"  # the one clean_reason
    # Twice from the same member while open: the same report.
    assert reports.report(by=writer, target=a_reply, reason="again") == on_post
    assert reports.report(by=writer, target=a_message, reason="again") == on_message


@pytest.mark.parametrize("reason, code", [(" ", "empty"), ("x" * 501, "too_long")])
def test_one_rule_for_reasons_refuses_both_kinds_alike(a_reply, a_message, room, writer, reason, code):
    for report in (
        lambda: forum_moderation.report_post(post=a_reply, by=writer, reason=reason),
        lambda: rooms.report_message(by=writer, room=room, message_id=a_message.public_id, reason=reason),
    ):
        with pytest.raises(ValidationError) as refused:
            report()
        assert refused.value.error_dict["reason"][0].code == code
    with pytest.raises(ValidationError):
        clean_reason(reason)
    assert not PostReport.objects.exists() and not MessageReport.objects.exists()


def test_reports_of_every_kind_count_together_against_one_pace(a_reply, a_message, room, writer, thread, settings):
    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, "report": (2, 600)}
    forum_moderation.report_post(post=a_reply, by=writer, reason="one")
    rooms.report_message(by=writer, room=room, message_id=a_message.public_id, reason="two")
    third = content.reply(author=a_reply.author, thread=thread, body="And another thing.")
    with pytest.raises(RateLimited) as refused:
        forum_moderation.report_post(post=third, by=writer, reason="three")
    assert 1 <= refused.value.retry_after <= 600
    assert PostReport.objects.count() == MessageReport.objects.count() == 1
    # A report already open is answered, not counted.
    assert forum_moderation.report_post(post=a_reply, by=writer, reason="one").reason == "one"


def test_a_rate_limited_report_page_answers_429_with_retry_after(a_reply, writer, client_for, settings):
    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, "report": (1, 600)}
    forum_moderation.report_post(post=a_reply, by=writer, reason="one")
    other = content.reply(author=a_reply.author, thread=a_reply.thread, body="More.")
    response = client_for(writer).post(f"/p/{other.public_id}/report/", {"reason": "two"})
    assert response.status_code == 429 and 1 <= int(response["Retry-After"]) <= 600
    assert PostReport.objects.count() == 1


def test_a_member_may_not_report_their_own_room_message(a_message, room, other_member):
    with pytest.raises(Forbidden):
        rooms.report_message(by=other_member, room=room, message_id=a_message.public_id, reason="mine")


def test_one_handle_report_for_both_kinds_records_one_event_each(a_reply, a_message, room, writer, moderator):
    on_post = reports.report(by=writer, target=a_reply, reason="r")
    on_message = reports.report(by=writer, target=a_message, reason="r")
    reports.handle_report(report=on_post, by=moderator, resolve=True, reason="hidden it")
    reports.handle_report(report=on_message, by=moderator, resolve=False)
    reports.handle_report(report=on_message, by=moderator, resolve=True)  # handled already: nothing
    on_post.refresh_from_db(), on_message.refresh_from_db()
    assert (on_post.status, on_message.status) == (ReportStatus.RESOLVED, ReportStatus.DISMISSED)
    assert on_post.handled_by == on_message.handled_by == moderator
    recorded = [(e.action, e.target_kind, e.target_id, e.subject, e.reason) for e in events()]
    assert recorded == [
        (Action.RESOLVE, "post", a_reply.public_id, a_reply.author, "hidden it"),
        (Action.DISMISS, "message", a_message.public_id, a_message.author, ""),
    ]
    assert writer not in [e.subject for e in events()]  # never the reporter


def test_only_the_places_moderators_handle_its_reports(a_reply, a_message, writer, other_member, secret_category):
    on_post = reports.report(by=writer, target=a_reply, reason="r")
    on_message = reports.report(by=writer, target=a_message, reason="r")
    for report in (on_post, on_message):
        with pytest.raises(Forbidden):
            reports.handle_report(report=report, by=other_member, resolve=True)
    secret = reports.report(by=secret_category.insider, target=secret_category.thread.posts.get(), reason="r")
    with pytest.raises(NotFound):  # to Layla that category does not exist
        reports.handle_report(report=secret, by=writer, resolve=True)
    assert not events()


def test_the_queue_shows_both_kinds_in_one_list_oldest_first_without_the_reporter(
    a_reply, a_message, room, writer, moderator, client_for
):
    rooms.report_message(by=writer, room=room, message_id=a_message.public_id, reason="Reveals a place")
    reports.report(by=writer, target=a_reply, reason="Names an officer")
    page = client_for(moderator).get("/moderation/").content.decode()
    queue = page[page.index('<ul class="queue">'):page.index("Waiting for approval")]
    assert queue.index("Reveals a place") < queue.index("Names an officer")
    assert "Meet at the checkpoint" in queue and "Names the officer in charge." in queue
    assert "No open reports." not in queue and "Layla" not in page
    # Each row carries its own actions: one view resolves or dismisses either kind.
    forms = re.findall(r'action="(/moderation/[^"]+/(?:resolve|dismiss)/)"', queue)
    assert len(forms) == 4
    for url in forms[::2]:
        assert client_for(moderator).post(url).status_code == 302
    assert not MessageReport.objects.filter(status="open").exists()
    assert not PostReport.objects.filter(status="open").exists()


def test_the_queue_says_so_when_there_is_nothing(moderator, client_for):
    assert "No open reports." in client_for(moderator).get("/moderation/").content.decode()


def test_mute_and_ban_are_one_sanction_with_shortcuts(room, other_member, moderator):
    until = timezone.now() + timedelta(minutes=5)
    muted = rooms.sanction(action=Action.MUTE, by=moderator, room=room, member=other_member, until=until)
    assert isinstance(muted, RoomMute) and muted.until == until
    rooms.unmute_member(by=moderator, room=room, member=other_member)
    banned = rooms.ban_member(by=moderator, room=room, member=other_member, reason="threats")
    assert isinstance(banned, RoomBan) and banned.until is None
    rooms.sanction(action=Action.UNBAN, by=moderator, room=room, member=other_member)
    assert not RoomMute.objects.exists() and not RoomBan.objects.exists()
    assert [(e.action, e.target_kind, e.subject) for e in events()] == [
        (Action.MUTE, "member", other_member), (Action.UNMUTE, "member", other_member),
        (Action.BAN, "member", other_member), (Action.UNBAN, "member", other_member),
    ]


def test_a_moderators_deletion_and_room_settings_record_one_event_each(room, a_message, moderator):
    rooms.delete_message(by=moderator, room=room, message_id=a_message.public_id)
    rooms.set_slow_mode(by=moderator, room=room, seconds=10)
    rooms.set_read_only(by=moderator, room=room, on=True)
    assert [(e.action, e.target_kind) for e in events()] == [
        (Action.DELETE, "message"), (Action.SLOW_MODE, "room"), (Action.READ_ONLY, "room")]


def test_grant_and_revoke_are_one_set_grant_with_shortcuts(room, coalition_admin, writer, other_member):
    grants.set_grant(by=coalition_admin, perm="moderate_room", obj=room, to=writer, granted=True)
    grants.revoke_permission(by=coalition_admin, perm="moderate_room", obj=room, to=writer)
    with pytest.raises(Forbidden):  # checked: coalition admins only
        grants.grant_permission(by=other_member, perm="moderate_room", obj=room, to=other_member)
    with pytest.raises(Forbidden):  # never skipped by None
        grants.set_grant(by=None, perm="moderate_room", obj=room, to=other_member, granted=True)
    recorded = ModerationEvent.objects.filter(target_kind="user", target_id=writer.profile.public_id)
    assert list(recorded.order_by("id").values_list("action", "actor")) == [
        (Action.GRANT, coalition_admin.pk), (Action.REVOKE, coalition_admin.pk)]
    grants.do_grant_permission(actor=None, via="tests", perm="view_room", obj=room, to=Group.objects.get(name="members"))


def test_creating_a_room_is_checked_and_the_unchecked_way_says_so(coalition_admin, writer):
    for somebody in (None, writer):
        with pytest.raises(Forbidden):
            rooms.create_room(by=somebody, slug="marib", name="Marib")
    assert rooms.create_room(by=coalition_admin, slug="marib", name="Marib").slug == "marib"
    assert rooms.do_create_room(slug="taiz", name="Taiz").slug == "taiz"
    with pytest.raises(Forbidden):
        rooms.delete_room(by=None, room=rooms.do_create_room(slug="shabwa", name="Shabwa"))
