"""The moderation record: one append-only row per moderator or admin action."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from forum.models import ModerationEvent


def record_moderation_event(
    *, actor, action: str, scope: Model, target_kind: str, target_id: str = "",
    reason: str = "", subject=None, details: dict | None = None,
) -> ModerationEvent:
    """Write one event. Call it inside the transaction of the action it records."""
    return ModerationEvent.objects.create(
        actor=actor, action=action, reason=reason[:500],
        scope_type=ContentType.objects.get_for_model(scope), scope_id=scope.pk,
        target_kind=target_kind, target_id=target_id, subject=subject, details=details or {},
    )
