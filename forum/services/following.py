"""Following threads, categories and rooms at a level: watching, normal or muted."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _

from forum import checks, permissions
from forum.models import Category, Follow, FollowLevel, Thread

# Threads and categories are followed under the forum's rules (forum.checks); anything
# else (a room) under the grant to view it.
_FOLLOW_CHECKS = {Thread: checks.check_follow_thread, Category: checks.check_follow_category}


def set_follow_level(*, user, target: Model, level: str) -> Follow:
    """Follow a thread, category or room at a level; 404 if the member cannot view it."""
    _FOLLOW_CHECKS.get(type(target), permissions.check_can_view)(user, target)
    if level not in FollowLevel.values:
        raise ValidationError(_("Choose watching, normal or muted."), code="level")
    follow, _created = Follow.objects.update_or_create(
        user=user, target_type=ContentType.objects.get_for_model(target), target_id=target.pk,
        defaults={"level": level},
    )
    return follow


def watch_what_i_write(*, user, thread: Thread) -> None:
    """Writers watch their threads, unless they chose otherwise (a setting, or a level)."""
    profile = getattr(user, "profile", None)
    if profile is None or not profile.watch_what_i_write:
        return
    Follow.objects.get_or_create(
        user=user, target_type=ContentType.objects.get_for_model(Thread), target_id=thread.pk,
        defaults={"level": FollowLevel.WATCHING},
    )
