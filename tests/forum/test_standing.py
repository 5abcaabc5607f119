"""The standing log (forum/models/standing.py): every change of who may see or do what
writes a row, read by every process; `purge_expired` forgets rows older than an hour."""

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from forum.models import StandingChange, StandingScope
from forum.selectors.standing import POLL_LIMIT, latest_standing_change, standing_changes_after
from forum.services.accounts import set_account_active
from forum.services.grants import revoke_permission
from forum.services.moderation import hide_post, move_thread


def logged(after: int = 0) -> list[tuple[str, str]]:
    return standing_changes_after(after)[1]


def test_a_revoked_grant_on_a_category_is_logged_for_that_category(category, members_group, admin_user):
    cursor = latest_standing_change()
    revoke_permission(by=admin_user, perm="view_category", obj=category, to=members_group)
    assert logged(cursor) == [(StandingScope.CATEGORY, str(category.pk))]


def test_a_disabled_account_is_logged_for_that_member(writer, admin_user):
    cursor = latest_standing_change()
    set_account_active(user=writer, active=False, by=admin_user)
    assert logged(cursor) == [(StandingScope.USER, str(writer.pk))]


def test_hiding_an_opening_post_and_moving_a_thread_are_logged_for_the_thread(
    category, make_category, moderator, writer, make_thread,
):
    thread = make_thread(category, writer, title="Plans")
    elsewhere = make_category("elsewhere", grants=[(moderator, "moderate")])
    cursor = latest_standing_change()
    move_thread(thread=thread, by=moderator, to=elsewhere)
    hide_post(post=thread.posts.get(), by=moderator, reason="Names a witness")
    assert logged(cursor) == [(StandingScope.THREAD, thread.public_id)] * 2


def test_past_the_poll_limit_a_process_rechecks_everything(db):
    StandingChange.objects.bulk_create([StandingChange(scope=StandingScope.USER, key="1")] * (POLL_LIMIT + 1))
    cursor, changes = standing_changes_after(0)
    assert changes is None and cursor == latest_standing_change()


def test_purge_expired_forgets_rows_older_than_an_hour(db):
    old = StandingChange.objects.create(scope=StandingScope.USER, key="1")
    StandingChange.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=2))
    recent = StandingChange.objects.create(scope=StandingScope.USER, key="2")
    call_command("purge_expired")
    assert list(StandingChange.objects.values_list("pk", flat=True)) == [recent.pk]
