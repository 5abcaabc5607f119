"""The coalition runs Majlis from its pages (issue 14): places and grants, who can see what,
organisations' leads inviting, a coalition-wide ban, and the Moderation link."""

import pytest
from django.test import Client

from forum.models import Invitation, ModerationEvent, SiteBan
from forum.services.accounts import join_with_invitation
from realtime.models import Room

pytestmark = pytest.mark.django_db

MANAGE_GETS = ["/manage/", "/manage/places/room:aden/", "/manage/members/?username=layla"]
MANAGE_POSTS = {
    "/manage/places/": {"kind": "room", "slug": "leak", "name": "Leak"},
    "/manage/grants/": {"action": "grant", "perm": "view_room", "place": "room:aden", "holder": "group:members"},
    "/manage/bans/": {"username": "layla", "reason": "x", "days": ""},
    "/manage/bans/lift/": {"username": "layla"},
}


@pytest.fixture
def organisation(make_organisation):
    return make_organisation("yemen-watch")


@pytest.fixture
def layla(make_person, organisation):
    return make_person("layla", display_name="Layla", organisation=organisation)


@pytest.fixture
def outsider(make_person):
    return make_person("omar", display_name="Omar")


def manage(client, path, data=None):
    return client.post(path, data) if data is not None else client.get(path)


@pytest.mark.parametrize("who", ["anonymous", "member", "moderator"])
def test_everyone_but_a_coalition_admin_gets_404_everywhere_and_changes_nothing(who, layla, client_for, moderator, category):
    client = {"anonymous": Client(), "member": client_for(layla), "moderator": client_for(moderator)}[who]
    Room.objects.create(slug="aden", name="Aden secret room")
    events = ModerationEvent.objects.count()
    for path in MANAGE_GETS:
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "Aden secret room" not in answer.content.decode()
    for path, data in MANAGE_POSTS.items():
        assert client.post(path, data).status_code == 404, path
        assert client.get(path).status_code == 404, path  # not 405: nothing tells that it exists
    assert not Room.objects.filter(slug="leak").exists()
    assert ModerationEvent.objects.count() == events
    assert not SiteBan.objects.exists()


def test_an_admin_without_a_second_factor_is_sent_to_use_one(coalition_admin, client_for):
    answer = client_for(coalition_admin, second_factor=False).get("/manage/")
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/two-factor/")


def test_an_admin_makes_a_room_grants_it_to_an_organisation_and_revokes(coalition_admin, client_for, layla, outsider):
    admin = client_for(coalition_admin)
    assert admin.post("/manage/places/", {"kind": "room", "slug": "watch", "name": "Watch room"}).status_code == 302
    page = admin.get("/manage/").content.decode()
    assert "room:watch" in page and "nobody can see this yet" in page
    assert client_for(layla).get("/rooms/watch/").status_code == 404

    answer = admin.post("/manage/grants/", {"action": "grant", "perm": "view_room", "place": "room:watch",
                                            "holder": "group:yemen-watch"})
    assert answer.status_code == 302
    assert client_for(layla).get("/rooms/watch/").status_code == 200
    assert client_for(outsider).get("/rooms/watch/").status_code == 404
    assert "group:yemen-watch" in admin.get("/manage/").content.decode()

    admin.post("/manage/grants/", {"action": "revoke", "perm": "view_room", "place": "room:watch",
                                   "holder": "group:yemen-watch"})
    assert client_for(layla).get("/rooms/watch/").status_code == 404
    events = ModerationEvent.objects.filter(action__in=["grant", "revoke"]).order_by("created_at", "id")
    assert [(e.action, e.actor_id, e.target_id) for e in events] == [
        ("grant", coalition_admin.pk, "yemen-watch"), ("revoke", coalition_admin.pk, "yemen-watch")]


def test_bad_input_is_refused_with_its_reason_and_stores_nothing(coalition_admin, client_for):
    admin = client_for(coalition_admin)
    answer = admin.post("/manage/grants/", {"action": "grant", "perm": "view_room", "place": "room:nowhere",
                                            "holder": "group:members"})
    assert answer.status_code == 400 and "No room with the slug nowhere." in answer.content.decode()
    answer = admin.post("/manage/places/", {"kind": "room", "slug": "Not a slug!", "name": "x"})
    assert answer.status_code == 400
    assert not Room.objects.exists() and not ModerationEvent.objects.exists()


def test_who_can_see_what(coalition_admin, client_for, layla, outsider):
    admin = client_for(coalition_admin)
    admin.post("/manage/places/", {"kind": "room", "slug": "watch", "name": "Watch room"})
    admin.post("/manage/grants/", {"action": "grant", "perm": "view_room", "place": "room:watch",
                                   "holder": "group:yemen-watch"})
    admin.post("/manage/grants/", {"action": "grant", "perm": "post_in_room", "place": "room:watch",
                                   "holder": "user:layla"})
    page = admin.get("/manage/members/?username=layla").content.decode()
    assert "Watch room" in page and "group:yemen-watch" in page and "user:layla" in page
    assert "Watch room" not in admin.get("/manage/members/?username=omar").content.decode()
    place = admin.get("/manage/places/room:watch/").content.decode()
    assert "2 members can see it." in place and "layla" not in place  # Layla and the admin; names on request
    assert "layla" in admin.get("/manage/places/room:watch/?names=1").content.decode()


def test_a_lead_invites_into_their_organisation_only(coalition_admin, client_for, layla, make_organisation, outsider):
    other = make_organisation("other-org")
    admin = client_for(coalition_admin)
    assert client_for(layla).get("/accounts/invitations/").status_code == 404  # not a lead yet
    admin.post("/manage/grants/", {"action": "grant", "perm": "lead_organisation", "place": "org:yemen-watch",
                                   "holder": "user:layla"})
    lead = client_for(layla)
    page = lead.get("/accounts/invitations/").content.decode()
    assert 'value="yemen-watch"' in page and 'value="other-org"' not in page

    refused = lead.post("/accounts/invitations/", {"org": "other-org", "days": 7})
    assert refused.status_code == 400 and not Invitation.objects.filter(organisation=other).exists()
    made = lead.post("/accounts/invitations/", {"org": "yemen-watch", "days": 7})
    token = made.context["new_url"].rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get(created_by=layla)
    assert invitation.organisation.slug == "yemen-watch"
    newcomer = join_with_invitation(token=token, username="sara", display_name="Sara", location="diaspora",
                                    password="a long enough passphrase")
    assert newcomer.profile.invited_by == layla  # the vouching chain shows the lead
    assert "Sara" in lead.get("/accounts/invitations/").content.decode()
    assert client_for(outsider).post("/accounts/invitations/", {"org": "yemen-watch", "days": 7}).status_code == 404


def test_a_lead_holds_a_limited_number_of_open_invitations_and_can_take_one_back(
        coalition_admin, client_for, layla, settings):
    settings.MAJLIS_OPEN_INVITATIONS_PER_LEAD = 2
    client_for(coalition_admin).post("/manage/grants/", {
        "action": "grant", "perm": "lead_organisation", "place": "org:yemen-watch", "holder": "user:layla"})
    lead = client_for(layla)
    for _ in range(2):
        lead.post("/accounts/invitations/", {"org": "yemen-watch", "days": 7})
    third = lead.post("/accounts/invitations/", {"org": "yemen-watch", "days": 7})
    assert third.status_code == 400 and Invitation.objects.count() == 2
    first = Invitation.objects.order_by("created_at").first()
    assert lead.post("/accounts/invitations/", {"revoke": first.public_id}).status_code == 302
    first.refresh_from_db()
    assert not first.is_open
    assert lead.post("/accounts/invitations/", {"org": "yemen-watch", "days": 7}).status_code == 200


def test_a_coalition_wide_ban_refuses_login_and_shows_in_the_log(coalition_admin, client_for, layla, password):
    admin = client_for(coalition_admin)
    member_session = client_for(layla)
    answer = admin.post("/manage/bans/", {"username": "layla", "reason": "Threatened a witness", "days": "3"})
    assert answer.status_code == 302
    assert member_session.get("/accounts/profile/").status_code == 302  # their session ended
    login = Client(HTTP_ACCEPT_LANGUAGE="en").post("/accounts/login/", {"username": "layla", "password": password})
    assert login.status_code == 200 and "banned from the coalition until" in login.content.decode()
    log = client_for(coalition_admin).get("/moderation/log/").content.decode()
    assert "Threatened a witness" in log and "every place of the coalition" in log

    admin.post("/manage/bans/lift/", {"username": "layla"})
    assert Client().post("/accounts/login/", {"username": "layla", "password": password}).status_code == 302


def test_the_moderation_link_only_for_those_who_moderate(client_for, layla, moderator, category):
    assert 'href="/moderation/"' not in client_for(layla).get("/").content.decode()
    assert 'href="/moderation/"' in client_for(moderator).get("/").content.decode()


def test_an_admin_changes_a_places_settings_through_the_services(coalition_admin, client_for, category):
    admin = client_for(coalition_admin)
    admin.post("/manage/places/", {"kind": "room", "slug": "watch", "name": "Watch room"})
    answer = admin.post("/manage/places/room:watch/", {
        "name": "Watch room", "topic": "Daily reports", "retention_days": "30", "slow_mode_seconds": "10",
        "read_only": "on"})
    assert answer.status_code == 302
    room = Room.objects.get(slug="watch")
    assert (room.topic, room.retention_days, room.slow_mode_seconds, room.read_only) == ("Daily reports", 30, 10, True)
    assert set(ModerationEvent.objects.filter(actor=coalition_admin).values_list("action", flat=True)) >= {
        "slow_mode", "read_only"}
    refused = admin.post("/manage/places/room:watch/", {"name": "", "slow_mode_seconds": "-1"})
    assert refused.status_code == 400
    assert Room.objects.get(slug="watch").name == "Watch room"

    admin.post(f"/manage/places/category:{category.slug}/", {"name": category.name, "description": "",
                                                               "requires_approval": "on"})
    category.refresh_from_db()
    assert category.requires_approval
    assert admin.get("/manage/places/room:nowhere/").status_code == 404
