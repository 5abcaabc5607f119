"""Granting and revoking per-object permissions (categories, rooms) to groups or people.

One general function, `set_grant` (checked: coalition admins only), with the named
shortcuts `grant_permission` and `revoke_permission`; `do_set_grant` and its shortcuts
`do_grant_permission`/`do_revoke_permission` trust their caller (seeding, and the command
line's `--system`) and say so in their names. Every change is recorded once (who did it)
and announced to open sockets (forum.services.standing).
"""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from forum import permissions
from forum.models import Action, Organisation, StandingScope
from forum.services.audit import record_moderation_event
from forum.services.standing import standing_changed

# An organisation's leads invite people into it (forum/checks.py, check_invite).
LEAD = "lead_organisation"
# What the audit log shows for a change made with `--system` instead of `--by ADMIN`.
COMMAND_LINE = "command line"


def check_manage_grants(user) -> None:
    """Only coalition admins change who may see what."""
    permissions.check_coalition_admin(user, _("Only coalition admins can change permissions."))


def set_grant(*, by, perm: str, obj: Model, to, granted: bool) -> None:
    """Give a group or a user `perm` (e.g. `post_in_room`) on one object, or take it back;
    open sockets on the object re-check their grants at once."""
    check_manage_grants(by)
    do_set_grant(actor=by, perm=perm, obj=obj, to=to, granted=granted)


def grant_permission(*, by, perm: str, obj: Model, to) -> None:
    set_grant(by=by, perm=perm, obj=obj, to=to, granted=True)


def revoke_permission(*, by, perm: str, obj: Model, to) -> None:
    set_grant(by=by, perm=perm, obj=obj, to=to, granted=False)


def do_set_grant(*, actor, perm: str, obj: Model, to, granted: bool, via: str = "") -> None:
    """`set_grant` without the admin check. `actor` None needs `via` (who, then)."""
    if actor is None and not via:
        raise ValueError("A grant or revoke without an actor must say who made it (via).")
    if not permissions.is_place_grant(perm, type(obj)) and (perm, type(obj)) != (LEAD, Organisation):
        raise ValidationError(
            _("%(perm)s is not a permission of this kind of object.") % {"perm": perm}, code="perm"
        )
    if perm == permissions.EVIDENCE and actor is None:
        # Whoever may read the originals is named by a coalition admin who answers for it.
        raise ValidationError(
            _("handle_evidence is granted and revoked by a coalition admin by name (--by), never by the system."),
            code="perm",
        )
    details = {"perm": perm, **({"via": via} if via else {})}
    with transaction.atomic():
        (assign_perm if granted else remove_perm)(perm, to, obj)
        record_moderation_event(
            actor=actor, action=Action.GRANT if granted else Action.REVOKE, scope=obj,
            target_kind="group" if isinstance(to, Group) else "user", target_id=_name_of(to), details=details,
        )
        scope, key = _scope_of(obj)
        standing_changed(scope, key)
        permissions.forget_grants()  # a check later in this request reads the change


def do_grant_permission(*, actor, perm: str, obj: Model, to, via: str = "") -> None:
    do_set_grant(actor=actor, perm=perm, obj=obj, to=to, granted=True, via=via)


def do_revoke_permission(*, actor, perm: str, obj: Model, to, via: str = "") -> None:
    do_set_grant(actor=actor, perm=perm, obj=obj, to=to, granted=False, via=via)


def _scope_of(obj: Model) -> tuple[StandingScope, object]:
    kind = next((k for k, model in permissions.GRANTABLE.items() if isinstance(obj, model)), None)
    if kind == "room":
        return StandingScope.ROOM, obj.slug
    if kind == "category":
        return StandingScope.CATEGORY, obj.pk
    return StandingScope.EVERYONE, ""


def _name_of(to) -> str:
    if isinstance(to, Group):
        return to.name
    profile = getattr(to, "profile", None)
    return profile.public_id if profile else ""
