"""Reports on room messages in /moderation/: for the room's moderators only, never the reporter."""

import pytest

from realtime.models import MessageReport
from realtime.services import post_message, report_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported(room, make_member):
    author = make_member("author", display_name="Karim")
    reporter = make_member("reporter", display_name="Whistle")
    message, _ = post_message(author=author, room=room, body="Meet at the checkpoint", client_id="m1")
    return report_message(by=reporter, room=room, message_id=message.public_id, reason="Reveals a place")


def test_the_rooms_moderator_sees_the_report_without_the_reporter(reported, moderator, client_for):
    page = client_for(moderator).get("/moderation/").content.decode()
    assert "Meet at the checkpoint" in page and "Reveals a place" in page
    assert "Whistle" not in page


def test_other_members_never_see_room_reports(reported, make_member, client_for):
    member = make_member("plain", display_name="Plain")
    assert "Meet at the checkpoint" not in client_for(member).get("/moderation/").content.decode()


def test_a_moderator_resolves_a_report_and_others_get_404(reported, moderator, make_member, client_for):
    url = f"/moderation/messages/{reported.public_id}/resolve/"
    member = make_member("plain", display_name="Plain")
    assert client_for(member).post(url).status_code == 404
    reported.refresh_from_db()
    assert reported.status == "open"
    response = client_for(moderator).post(url, {"reason": "Asked the author to rephrase"})
    assert response.status_code == 302
    reported.refresh_from_db()
    assert reported.status == "resolved" and reported.handled_by == moderator
    assert client_for(moderator).post(url).status_code == 404  # no longer open


def test_a_too_long_reason_is_refused_and_changes_nothing(reported, moderator, client_for):
    response = client_for(moderator).post(f"/moderation/messages/{reported.public_id}/dismiss/",
                                          {"reason": "x" * 501})
    assert response.status_code == 400
    assert MessageReport.objects.get(pk=reported.pk).status == "open"
