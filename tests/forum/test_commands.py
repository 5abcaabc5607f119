"""forum/management/commands: create_category, grant and revoke, as a coalition admin types them."""

import pytest
from django.core.management import CommandError, call_command

from forum import permissions
from forum.models import Action, Category, ModerationEvent


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def campaigns(db, admin_user):
    run("create_category", "campaigns", "--name", "Advocacy campaigns")
    return Category.objects.get(slug="campaigns")


# create_category -------------------------------------------------------------------------

def test_create_category_makes_a_category_nobody_can_see_yet(campaigns, writer):
    assert campaigns.name == "Advocacy campaigns" and not campaigns.requires_approval
    assert not permissions.can_view(writer, campaigns)


def test_create_category_with_requires_approval_makes_a_premoderated_category(db):
    out = run("create_category", "documentation", "--name", "Documenting violations",
              "--description", "Safe methods", "--requires-approval")
    category = Category.objects.get(slug="documentation")
    assert category.requires_approval and category.description == "Safe methods"
    assert "documentation" in out and "grant view_category" in out


@pytest.mark.parametrize("slug", ["Not A Slug", "UPPER", "with/slash", "عربي"])
def test_create_category_refuses_what_is_not_a_slug(db, slug):
    with pytest.raises(CommandError, match="not a slug"):
        run("create_category", slug, "--name", "X")
    assert not Category.objects.exists()


def test_create_category_refuses_a_slug_in_use(campaigns):
    with pytest.raises(CommandError, match="exists already"):
        run("create_category", "campaigns", "--name", "Again")
    assert Category.objects.count() == 1


def test_create_category_needs_a_name(db):
    with pytest.raises(CommandError):
        run("create_category", "nameless")


# grant and revoke ------------------------------------------------------------------------

def test_grant_to_the_members_group_lets_every_member_in(campaigns, writer, other_member, client_for):
    assert client_for(writer).get("/c/campaigns/").status_code == 404
    out = run("grant", "view_category", "category:campaigns", "group:members", "--by", "boss")
    assert out.strip() == "Granted view_category on category:campaigns to group:members (by boss)."
    for member in (writer, other_member):
        assert client_for(member).get("/c/campaigns/").status_code == 200


def test_grant_to_one_user_lets_only_that_user_in(campaigns, writer, other_member):
    run("grant", "moderate_category", "category:campaigns", f"user:{writer.username}", "--by", "boss")
    assert permissions.can_moderate(writer, campaigns)
    assert not permissions.can_view(other_member, campaigns)


def test_grant_to_an_organisation_group(campaigns, make_organisation, make_person):
    organisation = make_organisation("taiz-advocacy")
    inside, outside = make_person(organisation=organisation), make_person()
    run("grant", "view_category", "category:campaigns", "group:taiz-advocacy", "--by", "boss")
    assert permissions.can_view(inside, campaigns) and not permissions.can_view(outside, campaigns)


def test_a_grant_and_a_revocation_are_recorded_but_kept_out_of_the_transparency_log(
    campaigns, writer, client_for, admin_user,
):
    run("grant", "view_category", "category:campaigns", "group:members", "--by", "boss")
    run("revoke", "view_category", "category:campaigns", "group:members", "--by", "boss")
    run("grant", "view_category", "category:campaigns", "group:members", "--by", "boss")
    actions = list(ModerationEvent.objects.order_by("created_at", "id").values_list("action", "target_id", "details"))
    assert set(ModerationEvent.objects.values_list("actor", flat=True)) == {admin_user.pk}
    assert actions == [
        (Action.GRANT, "members", {"perm": "view_category"}),
        (Action.REVOKE, "members", {"perm": "view_category"}),
        (Action.GRANT, "members", {"perm": "view_category"}),
    ]
    assert "granted a permission" not in client_for(writer).get("/moderation/log/").content.decode()


def test_revocation_takes_effect_at_once(campaigns, writer, client_for, make_thread):
    run("grant", "view_category", "category:campaigns", "group:members", "--by", "boss")
    run("grant", "post_in_category", "category:campaigns", "group:members", "--by", "boss")
    thread = make_thread(campaigns, writer, title="Planning")
    client = client_for(writer)
    assert client.get("/c/campaigns/").status_code == 200
    out = run("revoke", "view_category", "category:campaigns", "group:members", "--by", "boss")
    assert out.strip() == "Revoked view_category on category:campaigns from group:members (by boss)."
    assert client.get("/c/campaigns/").status_code == 404
    assert client.get(f"/t/{thread.public_id}/").status_code == 404
    assert client.post(f"/t/{thread.public_id}/reply/", {"body": "still?"}).status_code == 404
    assert "Advocacy campaigns" not in client.get("/").content.decode()


def test_revoking_a_users_moderation_makes_them_a_member_again(campaigns, writer):
    run("grant", "view_category", "category:campaigns", "group:members", "--by", "boss")
    run("grant", "moderate_category", "category:campaigns", f"user:{writer.username}", "--by", "boss")
    run("revoke", "moderate_category", "category:campaigns", f"user:{writer.username}", "--by", "boss")
    assert permissions.perms_for(writer, campaigns) == {"view"}


@pytest.mark.parametrize("args,message", [
    (("delete_category", "category:campaigns", "group:members"), "not a permission"),
    (("view_room", "category:campaigns", "group:members"), "not a permission"),
    (("view_category", "forum:campaigns", "group:members"), "KIND:SLUG"),
    (("view_category", "campaigns", "group:members"), "KIND:SLUG"),
    (("view_category", "category:", "group:members"), "KIND:SLUG"),
    (("view_category", "category:nowhere", "group:members"), "No category"),
    (("view_category", "category:campaigns", "group:nobody"), "No group"),
    (("view_category", "category:campaigns", "user:nobody"), "No user"),
    (("view_category", "category:campaigns", "team:members"), "group:NAME or user:USERNAME"),
    (("view_category", "category:campaigns", "members"), "group:NAME or user:USERNAME"),
])
@pytest.mark.parametrize("command", ["grant", "revoke"])
def test_grant_and_revoke_refuse_bad_arguments_and_change_nothing(campaigns, members_group, command, args, message):
    with pytest.raises(CommandError, match=message):
        run(command, *args, "--by", "boss")
    assert not ModerationEvent.objects.exists()
    assert not campaigns.categorygroupobjectpermission_set.exists()
    assert not campaigns.categoryuserobjectpermission_set.exists()


# who changed the grants ----------------------------------------------------------------

@pytest.mark.parametrize("command", ["grant", "revoke"])
def test_grant_and_revoke_refuse_to_run_without_an_actor(campaigns, members_group, command):
    with pytest.raises(CommandError, match="--by USERNAME"):
        run(command, "view_category", "category:campaigns", "group:members")
    assert not ModerationEvent.objects.exists()
    assert not campaigns.categorygroupobjectpermission_set.exists()


@pytest.mark.parametrize("command", ["grant", "revoke"])
def test_grant_and_revoke_refuse_an_actor_who_is_not_a_coalition_admin(campaigns, members_group, writer, command):
    with pytest.raises(CommandError, match="not an active coalition admin"):
        run(command, "view_category", "category:campaigns", "group:members", "--by", writer.username)
    with pytest.raises(CommandError, match="No user named"):
        run(command, "view_category", "category:campaigns", "group:members", "--by", "nobody")
    assert not ModerationEvent.objects.exists()
    assert not campaigns.categorygroupobjectpermission_set.exists()


def test_grant_and_revoke_refuse_both_an_actor_and_system(campaigns, members_group):
    with pytest.raises(CommandError):
        run("grant", "view_category", "category:campaigns", "group:members", "--by", "boss", "--system")
    assert not ModerationEvent.objects.exists()


def test_the_audit_log_names_the_admin_who_granted(campaigns, members_group, admin_user, client_for):
    run("grant", "view_category", "category:campaigns", "group:members", "--by", "boss")
    event = ModerationEvent.objects.get()
    assert event.actor == admin_user and event.details == {"perm": "view_category"}
    page = client_for(admin_user).get("/admin/forum/moderationevent/").content.decode()
    assert "Hadi" in page or "boss" in page


def test_a_system_grant_is_recorded_as_made_from_the_command_line(campaigns, members_group, admin_user, client_for):
    out = run("grant", "view_category", "category:campaigns", "group:members", "--system")
    assert "(by the command line)" in out
    event = ModerationEvent.objects.get()
    assert event.actor is None and event.details == {"perm": "view_category", "via": "command line"}
    page = client_for(admin_user).get("/admin/forum/moderationevent/").content.decode()
    assert "command line" in page
