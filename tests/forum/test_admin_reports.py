"""Reports are read in the moderation queue only: the admin never shows who reported (issue 12)."""

import pytest

from forum.models import PostReport
from forum.services import content
from forum.services import moderation as forum_moderation
from forum.services.grants import do_grant_permission
from realtime import services as rooms
from realtime.models import MessageReport

CANARY = "canary-reporter-7q"


@pytest.fixture
def canary(make_person):
    return make_person(CANARY, display_name="Whistle Canary")


@pytest.fixture
def reports_by_canary(thread, other_member, members_group, canary):
    reply = content.reply(author=other_member, thread=thread, body="Names the officer in charge.")
    room = rooms.do_create_room(slug="aden", name="Aden")
    for perm in ("view_room", "post_in_room"):
        do_grant_permission(actor=None, via="tests", perm=perm, obj=room, to=members_group)
    message, _ = rooms.post_message(author=other_member, room=room, body="Meet at the checkpoint", client_id="m")
    return [
        forum_moderation.report_post(post=reply, by=canary, reason="Names an officer"),
        rooms.report_message(by=canary, room=room, message_id=message.public_id, reason="Reveals a place"),
    ]


@pytest.mark.parametrize("model", [PostReport, MessageReport])
def test_a_reports_admin_pages_never_name_the_reporter(reports_by_canary, coalition_admin, client_for, model):
    report = model.objects.get()
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    client = client_for(coalition_admin)
    for url in (base, f"{base}{report.pk}/change/", f"{base}?status__exact=open", f"{base}{report.pk}/history/"):
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 200, url
        assert CANARY not in page and "Whistle Canary" not in page, url
    assert report.reason in client.get(f"{base}{report.pk}/change/").content.decode()  # the page works


@pytest.mark.parametrize("model", [PostReport, MessageReport])
def test_reports_are_neither_changed_nor_deleted_in_the_admin(reports_by_canary, coalition_admin, client_for, model):
    report = model.objects.get()
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    client = client_for(coalition_admin)
    assert client.post(f"{base}{report.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(base, {"action": "delete_selected", "_selected_action": [report.pk], "post": "yes"})
    assert client.post(f"{base}{report.pk}/change/", {"status": "dismissed"}).status_code == 403
    assert model.objects.get().status == "open"
