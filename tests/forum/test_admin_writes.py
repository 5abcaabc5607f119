"""Every admin write goes through a service or is not offered: nothing the admin does leaves
an account or a place answering 500, and a refusal is a message, not a crash (issue 12)."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from forum.models import Category, Invitation, ModerationEvent, Organisation, Profile
from forum.services import accounts
from forum.services.grants import do_grant_permission
from realtime import services as rooms
from realtime.models import Room, RoomBan

User = get_user_model()


@pytest.fixture
def world(category, thread, members_group, moderator, writer, make_organisation, coalition_admin):
    """A member of an organisation, a category with a thread, a room, an invitation."""
    organisation = make_organisation("taiz-voices")
    accounts.set_organisation(writer.profile, organisation)
    room = rooms.do_create_room(slug="aden", name="Aden")
    for perm in ("view_room", "post_in_room"):
        do_grant_permission(actor=None, via="tests", perm=perm, obj=room, to=members_group)
    do_grant_permission(actor=None, via="tests", perm="moderate_room", obj=room, to=moderator)
    accounts.create_invitation(by=coalition_admin, organisation=organisation)
    return {"room": room, "category": category, "thread": thread, "organisation": organisation}


def admin_url(model, suffix=""):
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/{suffix}"


def everything_still_answers(world, members, client_for):
    """Each member's own pages and every place answer, none with 500."""
    for member in members:
        client = client_for(User.objects.get(pk=member.pk))
        for url in ("/accounts/profile/", "/", "/rooms/", "/notifications/",
                    world["category"].get_absolute_url(), world["thread"].get_absolute_url(), "/rooms/aden/"):
            assert client.get(url).status_code in (200, 403, 404), (member, url)


HELD = [Profile, User, Organisation, Invitation, Group, Category]


@pytest.mark.parametrize("model", HELD, ids=lambda m: m.__name__)
def test_what_has_no_service_to_delete_it_cannot_be_deleted_in_the_admin(
    world, model, coalition_admin, writer, moderator, client_for
):
    client = client_for(coalition_admin)
    rows = list(model.objects.values_list("pk", flat=True))
    changelist = client.get(admin_url(model))
    assert changelist.status_code == 200 and "delete_selected" not in changelist.content.decode()
    client.post(admin_url(model), {"action": "delete_selected", "_selected_action": rows, "post": "yes"})
    for pk in rows:
        assert client.post(admin_url(model, f"{pk}/delete/"), {"post": "yes"}).status_code == 403
    assert sorted(model.objects.values_list("pk", flat=True)) == sorted(rows)
    everything_still_answers(world, [writer, moderator, coalition_admin], client_for)


def test_no_account_is_added_in_the_admin_without_its_profile(world, coalition_admin, client_for):
    client = client_for(coalition_admin)
    assert client.get(admin_url(User, "add/")).status_code == 403
    client.post(admin_url(User, "add/"), {"username": "ghost", "password1": "x-Long-pass-1", "password2": "x-Long-pass-1",
                                          "usable_password": "true"})
    assert not User.objects.filter(username="ghost").exists()
    assert admin.site._registry[Profile].has_add_permission(None) is False


def test_disabling_an_account_in_the_admin_goes_through_the_service(world, coalition_admin, writer, client_for):
    client = client_for(coalition_admin)
    page = client.get(admin_url(User, f"{writer.pk}/change/"))
    assert page.status_code == 200
    form = {"username": writer.username, "first_name": "", "last_name": "", "email": "",
            "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"}  # is_active left out: unticked
    response = client.post(admin_url(User, f"{writer.pk}/change/"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not User.objects.get(pk=writer.pk).is_active
    assert client_for(writer).get("/accounts/profile/").status_code in (302, 200)


def test_an_organisation_renamed_in_the_admin_keeps_its_slug_and_group(world, coalition_admin, client_for):
    organisation = world["organisation"]
    response = client_for(coalition_admin).post(admin_url(Organisation, f"{organisation.pk}/change/"), {
        "slug": "changed", "name_ar": "أصوات تعز", "name_en": "Taiz Voices", "region": organisation.region,
    })
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.slug, organisation.name_en, organisation.group.name) == ("taiz-voices", "Taiz Voices", "taiz-voices")


def test_a_refused_service_call_is_a_message_not_a_server_error(world, coalition_admin, moderator, client_for):
    client = client_for(coalition_admin)
    # A moderator of the room cannot be banned in it: the service says so, nothing is stored.
    response = client.post(admin_url(RoomBan, "add/"), {
        "room": world["room"].pk, "user": moderator.pk, "until_0": "", "until_1": "", "reason": "no",
    }, follow=True)
    assert response.status_code == 200
    assert "A moderator of this room cannot be muted or banned in it." in response.content.decode()
    assert not RoomBan.objects.exists() and not ModerationEvent.objects.filter(action="ban").exists()
    # A slow mode past its bound, changed on a room's page: refused, and the room unchanged.
    room = world["room"]
    response = client.post(admin_url(Room, f"{room.pk}/change/"), {
        "name": "Aden renamed", "topic": "", "retention_days": "", "slow_mode_seconds": "99999",
    }, follow=True)
    assert response.status_code == 200
    room.refresh_from_db()
    assert (room.name, room.slow_mode_seconds) == ("Aden", 0)


def test_rooms_are_deleted_through_the_service(world, coalition_admin, writer, client_for):
    client = client_for(coalition_admin)
    room = world["room"]
    assert client.post(admin_url(Room), {"action": "delete_rooms", "_selected_action": [room.pk], "post": "yes"}
                       ).status_code == 302
    assert not Room.objects.exists()
    assert client_for(writer).get("/rooms/aden/").status_code == 404
    everything_still_answers(world | {"room": None}, [writer], client_for)
