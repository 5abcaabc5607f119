"""Joining by invitation: single use, expiring, only a hash stored, nothing half-made."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from forum.models import Invitation, Profile
from forum.services.accounts import create_invitation

User = get_user_model()


def join_data(**overrides):
    data = {
        "username": "newcomer",
        "display_name": "Amal",
        "location": "in_country",
        "password1": "a-long-passphrase-42",
        "password2": "a-long-passphrase-42",
    }
    data.update(overrides)
    return data


@pytest.fixture
def invitation(admin_user, make_organisation):
    organisation = make_organisation("taiz-advocacy")
    return create_invitation(by=admin_user, organisation=organisation, days=7)


def test_joining_creates_member_profile_groups_and_records_who_vouched(client, invitation, admin_user):
    invite, token = invitation
    response = client.post(f"/accounts/join/{token}/", join_data())
    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(username="newcomer")
    assert user.profile.display_name == "Amal"
    assert user.profile.invited_by == admin_user
    assert user.profile.organisation.slug == "taiz-advocacy"
    assert set(user.groups.values_list("name", flat=True)) == {"members", "in-country", "taiz-advocacy"}
    invite.refresh_from_db()
    assert invite.used_by == user and invite.used_at is not None
    assert client.get("/").status_code == 200  # logged in at once


def test_only_a_hash_of_the_token_is_stored(invitation):
    invite, token = invitation
    assert token not in invite.token_hash
    assert not Invitation.objects.filter(token_hash=token).exists()


def test_an_invitation_works_once(client, invitation):
    _invite, token = invitation
    client.post(f"/accounts/join/{token}/", join_data())
    other = client.__class__()
    response = other.post(f"/accounts/join/{token}/", join_data(username="second", display_name="Second"))
    assert response.status_code == 404
    assert not User.objects.filter(username="second").exists()


def _invalid_pages(client, admin_user):
    used_invite, used = create_invitation(by=admin_user)
    client.post(f"/accounts/join/{used}/", join_data(username="first", display_name="First"))
    client.logout()
    expired_invite, expired = create_invitation(by=admin_user)
    Invitation.objects.filter(pk=expired_invite.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    return {"used": used, "expired": expired, "unknown": "not-a-real-token-at-all"}


def test_expired_used_and_unknown_tokens_get_the_same_answer_and_create_nothing(client, admin_user):
    tokens = _invalid_pages(client, admin_user)
    before = User.objects.count()
    bodies = set()
    for token in tokens.values():
        for method in (client.get, client.post):
            response = method(f"/accounts/join/{token}/", join_data(username="x", display_name="X"))
            assert response.status_code == 404
            bodies.add(response.content.replace(response.wsgi_request.META.get("CSRF_COOKIE", "").encode(), b""))
    assert User.objects.count() == before
    assert len({b.split(b'csrfmiddlewaretoken" value="')[0] for b in bodies}) == 1


@pytest.mark.parametrize("overrides, field", [
    ({"username": "MEMBER1"}, "username"),  # taken, in another case
    ({"display_name": "LAYLA"}, "display_name"),  # taken, in another case
    ({"display_name": "Ｌａｙｌａ"}, "display_name"),  # taken, in full-width letters
    ({"password1": "12345678", "password2": "12345678"}, "password2"),
    ({"password1": "password", "password2": "password"}, "password2"),
    ({"password2": "a-different-passphrase"}, "password2"),
    ({"display_name": "x" * 41}, "display_name"),
    ({"display_name": "   "}, "display_name"),
    ({"display_name": "\u202e\u200b\u2066"}, "display_name"),
    ({"display_name": "Lаyla"}, "display_name"),  # Cyrillic а
    ({"username": "u" * 151}, "username"),
    ({"location": "mars"}, "location"),
])
def test_bad_join_forms_rerender_with_an_error_and_store_nothing(client, invitation, member, overrides, field):
    invite, token = invitation
    users, profiles = User.objects.count(), Profile.objects.count()
    response = client.post(f"/accounts/join/{token}/", join_data(**overrides))
    assert response.status_code == 400
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert (User.objects.count(), Profile.objects.count()) == (users, profiles)
    invite.refresh_from_db()
    assert invite.used_at is None


def test_join_form_errors_are_translated_into_arabic(client, invitation, member):
    _invite, token = invitation
    response = client.post(
        f"/accounts/join/{token}/", join_data(display_name="layla"), HTTP_ACCEPT_LANGUAGE="ar"
    )
    assert "هذا الاسم مستخدم" in response.content.decode()


def test_invite_command_prints_a_working_single_use_url(db, make_organisation, capsys, client):
    make_organisation("aden-youth")
    call_command("invite", "--org", "aden-youth", "--days", "3")
    url = capsys.readouterr().out.strip()
    path = url.split("8000", 1)[1]
    assert path.startswith("/accounts/join/")
    invite = Invitation.objects.get()
    assert invite.organisation.slug == "aden-youth"
    assert timedelta(days=2, hours=23) < invite.expires_at - timezone.now() <= timedelta(days=3)
    assert client.get(path).status_code == 200


def test_the_invitations_page_makes_an_invitation_and_members_cannot_see_it(client_for, admin_user, member):
    response = client_for(admin_user).post("/accounts/invitations/", {"days": 7})
    assert response.status_code == 200
    url = response.context["new_url"]
    assert "/accounts/join/" in url
    assert Invitation.objects.get().created_by == admin_user
    assert client_for(member).get("/accounts/invitations/").status_code == 404  # only leads and coalition admins
    assert Invitation.objects.count() == 1


def test_moving_a_member_keeps_their_groups_in_step(member, make_organisation):
    from forum.services.accounts import set_location, set_organisation

    organisation = make_organisation("marib-voices")
    set_location(member.profile, "diaspora")
    set_organisation(member.profile, organisation)
    assert set(member.groups.values_list("name", flat=True)) == {"members", "diaspora", "marib-voices"}
    set_location(member.profile, "in_country")
    set_organisation(member.profile, None)
    assert set(member.groups.values_list("name", flat=True)) == {"members", "in-country"}
