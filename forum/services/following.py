"""Following threads, categories and rooms at a level: watching, normal or muted."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _

from forum import permissions
from forum.models import Follow, FollowLevel, Thread


def _scope_of(target: Model) -> Model:
    return target.category if isinstance(target, Thread) else target


def set_follow_level(*, user, target: Model, level: str) -> Follow:
    """Follow a thread, category or room at a level; 404 if the member cannot view it."""
    permissions.check_can_view(user, _scope_of(target))
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
