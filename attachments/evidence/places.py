"""Whether a place keeps evidence (`keep_evidence` on a category or a room): coalition admins
switch it, on the place's page in /manage/ or with `create_category`/`create_room
--keep-evidence`; every change is in the moderation record. It can be turned on only with
MAJLIS_EVIDENCE_KEY set. Turning it off offers no more keeping; the originals kept stay.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from attachments.evidence import crypto
from forum import permissions
from forum.models import Action
from forum.services.audit import record_moderation_event


def check_key_for(on: bool) -> None:
    if on and not crypto.configured():
        raise ValidationError({"keep_evidence": ValidationError(
            _("Set MAJLIS_EVIDENCE_KEY first: without it no original can be kept."), code="no_key")})


def set_keep_evidence(*, by, place, on: bool) -> None:
    permissions.check_coalition_admin(by, _("Only coalition admins can change whether a place keeps evidence."))
    do_set_keep_evidence(actor=by, place=place, on=on)


def do_set_keep_evidence(*, actor, place, on: bool) -> None:
    """`set_keep_evidence` without the admin check."""
    rows = type(place).objects.filter(pk=place.pk)
    place.keep_evidence = on
    # The stored value decides (an admin form has set the attribute already).
    if rows.filter(keep_evidence=on).exists():
        return
    check_key_for(on)
    with transaction.atomic():
        rows.update(keep_evidence=on)
        record_moderation_event(actor=actor, action=Action.KEEP_EVIDENCE, scope=place, target_kind="place",
                                details={"keep_evidence": on})


def check_deletable(place) -> None:
    """A place whose locker ever held an original keeps it and its custody log: it cannot
    be deleted (its grants can be revoked)."""
    from attachments.evidence.custody import in_place
    from attachments.evidence.models import CustodyEntry, Original

    if Original.objects.filter(in_place(place)).exists() or CustodyEntry.objects.filter(in_place(place)).exists():
        raise ValidationError(_(
            "This place keeps originals as evidence, with their custody log: it cannot be deleted. "
            "Revoke its grants to close it."
        ), code="keeps_evidence")
