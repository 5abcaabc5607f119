"""The moderation record: one append-only row per moderator or admin action, written by
`record_moderation_event` and nothing else; and the one rule for the reason a moderator
or a reporter gives (`clean_reason`)."""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _

from forum.models import ModerationEvent
from forum.models.moderation import REASON_MAX


def clean_reason(reason: str, *, required: bool = True) -> str:
    """A reason on one line, at most REASON_MAX characters, never cut short: a refusal
    says why (a ValidationError on `reason`, code `empty` or `too_long`)."""
    reason = " ".join((reason or "").split())
    if required and not reason:
        raise ValidationError({"reason": ValidationError(_("Please give a reason."), code="empty")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": ValidationError(
            _("A reason can have at most %(max)d characters.") % {"max": REASON_MAX}, code="too_long"
        )})
    return reason


def record_moderation_event(
    *, actor, action: str, scope: Model, target: Model | None = None, target_kind: str = "",
    target_id: str = "", reason: str = "", subject=None, details: dict | None = None,
) -> ModerationEvent:
    """Write one event. Call it inside the transaction of the action it records.

    `scope` is the category or room it happened in. What it was done to is `target` (a
    post, thread, message or member: its kind, public id and the member concerned
    are read from it) or, for anything else, `target_kind` and `target_id` as given.
    """
    if target is not None:
        target_kind, target_id, subject = _describe(target)
    return ModerationEvent.objects.create(
        actor=actor, action=action, reason=reason[:REASON_MAX],
        scope_type=ContentType.objects.get_for_model(scope), scope_id=scope.pk,
        target_kind=target_kind, target_id=target_id, subject=subject, details=details or {},
    )


def _describe(target: Model) -> tuple[str, str, object]:
    """(kind, public id, member concerned) of what an action was done to. Never a reporter."""
    if isinstance(target, get_user_model()):
        return "member", target.profile.public_id, target
    # Text (posts, threads, room messages) names its author; a model may name its kind.
    kind = getattr(type(target), "moderation_kind", None) or target._meta.model_name
    return kind, target.public_id, target.author
