"""forum/permissions.py: who may view, post in and moderate a category."""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from forum import permissions
from forum.models import Category
from forum.services.grants import do_revoke_permission
from tests.forum.conftest import grant

ALL = frozenset({"view", "post", "moderate"})


@pytest.fixture
def bare(make_category):
    """A category nobody has been granted anything on."""
    return make_category("bare", name="Bare")


def test_a_member_without_any_grant_may_do_nothing(bare, writer):
    assert permissions.perms_for(writer, bare) == frozenset()
    assert not permissions.can_view(writer, bare)
    assert not permissions.can_post(writer, bare)
    assert not permissions.can_moderate(writer, bare)


def test_a_view_grant_lets_a_member_read_but_not_post_or_moderate(bare, writer):
    grant(bare, writer, "view")
    assert permissions.perms_for(writer, bare) == {"view"}


def test_a_post_grant_without_a_view_grant_gives_nothing(bare, writer):
    grant(bare, writer, "post")
    assert permissions.perms_for(writer, bare) == frozenset()
    with pytest.raises(Http404):
        permissions.check_can_post(writer, bare)


def test_view_and_post_grants_let_a_member_post_but_not_moderate(bare, writer):
    grant(bare, writer, "view", "post")
    assert permissions.perms_for(writer, bare) == {"view", "post"}
    permissions.check_can_post(writer, bare)
    with pytest.raises(PermissionDenied):
        permissions.check_can_moderate(writer, bare)


def test_a_moderate_grant_implies_view_and_post(bare, moderator):
    grant(bare, moderator, "moderate")
    assert permissions.perms_for(moderator, bare) == ALL
    permissions.check_can_view(moderator, bare)
    permissions.check_can_post(moderator, bare)
    permissions.check_can_moderate(moderator, bare)


def test_a_grant_to_the_members_group_reaches_every_member(bare, members_group, writer, other_member):
    grant(bare, members_group, "view", "post")
    assert permissions.perms_for(writer, bare) == {"view", "post"}
    assert permissions.perms_for(other_member, bare) == {"view", "post"}


def test_a_grant_to_an_organisation_reaches_only_its_members(bare, make_organisation, make_person):
    organisation = make_organisation("taiz-advocacy")
    inside = make_person(organisation=organisation)
    outside = make_person(organisation=make_organisation("aden-youth"))
    grant(bare, organisation.group, "view")
    assert permissions.can_view(inside, bare)
    assert not permissions.can_view(outside, bare)


def test_coalition_admins_may_do_everything_without_a_grant(bare, coalition_admin):
    assert permissions.perms_for(coalition_admin, bare) == ALL
    assert list(permissions.objects_for(coalition_admin, Category.objects.all())) == [bare]
    assert list(permissions.objects_for(coalition_admin, Category.objects.all(), permissions.MODERATE)) == [bare]


def test_an_anonymous_visitor_may_do_nothing(bare, members_group):
    grant(bare, members_group, "view", "post")
    visitor = AnonymousUser()
    assert permissions.perms_for(visitor, bare) == frozenset()
    assert permissions.perms_for(None, bare) == frozenset()
    assert not permissions.objects_for(visitor, Category.objects.all()).exists()
    with pytest.raises(Http404):
        permissions.check_can_view(visitor, bare)


def test_a_disabled_account_loses_its_grants(bare, moderator):
    grant(bare, moderator, "moderate")
    moderator.is_active = False
    assert permissions.perms_for(moderator, bare) == frozenset()
    assert not permissions.objects_for(moderator, Category.objects.all()).exists()


def test_a_model_wide_permission_reveals_no_category(bare, writer):
    writer.user_permissions.add(*Permission.objects.filter(
        codename__in=["view_category", "post_in_category", "moderate_category"]
    ))
    writer = type(writer).objects.get(pk=writer.pk)  # drop Django's permission cache
    assert writer.has_perm("forum.view_category")  # the global grant is real…
    assert permissions.perms_for(writer, bare) == frozenset()  # …and counts for nothing
    assert not permissions.objects_for(writer, Category.objects.all()).exists()
    assert not permissions.objects_for(writer, Category.objects.all(), permissions.MODERATE).exists()


def test_objects_for_lists_viewable_or_moderated_categories_in_one_query(
    make_category, members_group, moderator, writer
):
    open_ = make_category("open", grants=[(members_group, "view")])
    moderated = make_category("moderated", grants=[(moderator, "moderate")])
    make_category("closed")
    with CaptureQueriesContext(connection) as queries:
        seen = set(permissions.objects_for(writer, Category.objects.all()))
    assert seen == {open_} and len(queries) == 1
    assert set(permissions.objects_for(moderator, Category.objects.all())) == {open_, moderated}
    assert set(permissions.objects_for(moderator, Category.objects.all(), permissions.MODERATE)) == {moderated}
    assert not permissions.objects_for(writer, Category.objects.all(), permissions.MODERATE).exists()


def test_a_view_only_member_is_told_403_on_posting_but_404_without_view(bare, writer, other_member):
    grant(bare, writer, "view")
    with pytest.raises(PermissionDenied):
        permissions.check_can_post(writer, bare)
    with pytest.raises(PermissionDenied):
        permissions.check_can_moderate(writer, bare)
    for check in (permissions.check_can_view, permissions.check_can_post, permissions.check_can_moderate):
        with pytest.raises(Http404):
            check(other_member, bare)


def test_get_visible_answers_404_alike_for_a_missing_and_a_forbidden_category(bare, writer, coalition_admin):
    with pytest.raises(Http404):
        permissions.get_visible(writer, Category.objects.all(), slug="bare")
    with pytest.raises(Http404):
        permissions.get_visible(writer, Category.objects.all(), slug="no-such-slug")
    assert permissions.get_visible(coalition_admin, Category.objects.all(), slug="bare") == bare


def test_a_revoked_grant_counts_no_more_on_the_next_check(bare, writer):
    grant(bare, writer, "view")
    assert permissions.can_view(writer, bare)
    do_revoke_permission(actor=None, via="tests", perm="view_category", obj=bare, to=writer)
    assert not permissions.can_view(writer, bare)
    assert not permissions.objects_for(writer, Category.objects.all()).exists()


def test_codenames_name_the_permissions_of_a_model():
    assert permissions.codename("view", Category) == "view_category"
    assert permissions.codename("post", Category) == "post_in_category"
    assert permissions.codename("moderate", Category) == "moderate_category"
    assert permissions.verb_of("post_in_category", Category) == "post"
    assert permissions.verb_of("delete_category", Category) is None
    assert permissions.verb_of("post_in_room", Category) is None


def test_categories_are_registered_as_grantable():
    assert permissions.GRANTABLE["category"] is Category
