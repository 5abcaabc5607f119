"""Granting and revoking per-object permissions (categories, rooms) to groups or people."""

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from forum import permissions
from forum.models import Action
from forum.services.audit import record_moderation_event
from realtime import broadcast


def _check(by, perm: str, obj: Model) -> None:
    if by is not None and not by.is_superuser:
        raise PermissionDenied
    if permissions.verb_of(perm, type(obj)) is None:
        raise ValidationError(
            _("%(perm)s is not a permission of this kind of object.") % {"perm": perm}, code="perm"
        )


def grant_permission(*, by, perm: str, obj: Model, to) -> None:
    """Give a group or a user `perm` (e.g. `post_in_room`) on one object."""
    _check(by, perm, obj)
    with transaction.atomic():
        assign_perm(perm, to, obj)
        record_moderation_event(
            actor=by, action=Action.GRANT, scope=obj, target_kind="group" if isinstance(to, Group) else "user",
            target_id=_name_of(to), details={"perm": perm},
        )
        transaction.on_commit(lambda: broadcast.grants_changed(_groups_of(obj)))


def revoke_permission(*, by, perm: str, obj: Model, to) -> None:
    """Take `perm` back; open sockets on the object re-check their grants at once."""
    _check(by, perm, obj)
    with transaction.atomic():
        remove_perm(perm, to, obj)
        record_moderation_event(
            actor=by, action=Action.REVOKE, scope=obj, target_kind="group" if isinstance(to, Group) else "user",
            target_id=_name_of(to), details={"perm": perm},
        )
        transaction.on_commit(lambda: broadcast.grants_changed(_groups_of(obj)))


def _groups_of(obj: Model) -> list[str]:
    kind = next((k for k, model in permissions.GRANTABLE.items() if isinstance(obj, model)), None)
    if kind == "room":
        return [broadcast.room_group(obj.slug)]
    return [broadcast.category_group(obj.pk)]


def _name_of(to) -> str:
    if isinstance(to, Group):
        return to.name
    profile = getattr(to, "profile", None)
    return profile.public_id if profile else ""
