"""What the rest of the project reads from rooms: visible rooms, report queues."""

import pytest
from django.core.exceptions import PermissionDenied

from forum.models import ModerationEvent
from forum.services.reports import handle_report
from realtime import selectors
from realtime.models import Room
from realtime.services import ban_member, post_message, report_message


def test_the_places_a_member_can_view_leave_out_rooms_they_are_banned_from(member, make_room, admin_user):
    from forum import permissions

    make_room("general")
    make_room("abroad", grant_to="diaspora")
    banned = make_room("banned")
    ban_member(by=admin_user, room=banned, member=member)
    rooms = dict(permissions.visible_places(member))[Room]
    assert set(rooms.values_list("slug", flat=True)) == {"general"}


def test_visible_rooms_is_empty_for_anonymous(db, make_room):
    from django.contrib.auth.models import AnonymousUser

    make_room("general")
    assert list(selectors.visible_rooms(AnonymousUser())) == []


@pytest.fixture
def report(member, make_member, room):
    author = make_member(display_name="Sami")
    message, _ = post_message(author=author, room=room, body="rude", client_id="r")
    return report_message(by=member, room=room, message_id=message.public_id, reason="insulting")


def test_open_message_reports_are_for_the_rooms_a_moderator_moderates(report, moderator, member, make_room, grant,
                                                                     make_member, django_assert_max_num_queries):
    other_mod = make_member()
    grant("moderate_room", make_room("elsewhere"), other_mod)
    with django_assert_max_num_queries(2):  # the moderator's rooms are a subquery
        reports = list(selectors.open_message_reports(moderator))
    assert [r.pk for r in reports] == [report.pk]
    assert reports[0].message.room.slug == "aden" and reports[0].message.author.profile.display_name == "Sami"
    assert list(selectors.open_message_reports(other_mod)) == []
    assert list(selectors.open_message_reports(member)) == []


def test_handling_a_report_closes_it_and_records_it_without_the_reporter(report, moderator, member):
    handle_report(report=report, by=moderator, resolve=True, reason="deleted it")
    report.refresh_from_db()
    assert report.status == "resolved" and report.handled_by == moderator
    event = ModerationEvent.objects.get(action="resolve")
    assert event.subject != member and event.target_kind == "message" and event.reason == "deleted it"
    assert list(selectors.open_message_reports(moderator)) == []


def test_only_the_rooms_moderators_can_handle_its_reports(report, member):
    with pytest.raises(PermissionDenied):
        handle_report(report=report, by=member, resolve=False)
