"""Which places keep evidence (issue 17, item 6): coalition admins switch `keep_evidence` on
a place's page in /manage/ or when creating it on the command line (`--keep-evidence`),
only with MAJLIS_EVIDENCE_KEY set; every change is in the moderation record."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from forum.models import Action, Category, ModerationEvent
from realtime.models import Room


@pytest.fixture
def room(make_room):
    return make_room("aden", name="Aden")


@pytest.mark.parametrize("kind", ["category", "room"])
def test_a_coalition_admin_switches_keeping_on_the_places_page_and_it_is_recorded(
    kind, category, room, admin_user, client_for, evidence_key,
):
    place = category if kind == "category" else room
    url = f"/manage/places/{kind}:{place.slug}/"
    client = client_for(admin_user)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="keep_evidence"' in page and f'href="/evidence/{kind}/{place.slug}/"' in page
    fields = {"name": place.name, "keep_evidence": "on"}
    fields.update({"slow_mode_seconds": 0} if kind == "room" else {})
    assert client.post(url, fields).status_code == 302
    place.refresh_from_db()
    assert place.keep_evidence
    event = ModerationEvent.objects.get(action=Action.KEEP_EVIDENCE)
    assert (event.actor, event.scope_id, event.details) == (admin_user, place.pk, {"keep_evidence": True})
    client.post(url, fields)  # unchanged: not recorded again
    fields.pop("keep_evidence")
    client.post(url, fields)
    place.refresh_from_db()
    assert not place.keep_evidence and ModerationEvent.objects.filter(action=Action.KEEP_EVIDENCE).count() == 2


def test_without_the_key_the_places_page_refuses_to_turn_it_on(category, admin_user, client_for):
    response = client_for(admin_user).post(f"/manage/places/category:{category.slug}/", {
        "name": category.name, "keep_evidence": "on"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "Set MAJLIS_EVIDENCE_KEY first" in response.content.decode()
    category.refresh_from_db()
    assert not category.keep_evidence


def test_the_command_line_makes_places_that_keep_evidence(db, evidence_key, settings):
    call_command("create_category", "documentation", "--name", "Documentation", "--keep-evidence")
    call_command("create_room", "witnesses", "--name", "Witnesses", "--keep-evidence")
    assert Category.objects.get(slug="documentation").keep_evidence and Room.objects.get(slug="witnesses").keep_evidence
    settings.MAJLIS_EVIDENCE_KEY = ""
    for command, slug in (("create_category", "c2"), ("create_room", "r2")):
        with pytest.raises(CommandError, match="MAJLIS_EVIDENCE_KEY"):
            call_command(command, slug, "--name", slug, "--keep-evidence")
    assert not Category.objects.filter(slug="c2").exists() and not Room.objects.filter(slug="r2").exists()


def test_the_grants_form_offers_handle_evidence(admin_user, client_for):
    page = client_for(admin_user).get("/manage/").content.decode()
    assert '<option value="handle_evidence">' in page
