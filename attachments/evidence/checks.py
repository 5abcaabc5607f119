"""Who may read a place's originals, and where an uploader may have one kept.

`check_handle_evidence`: a grant of `handle_evidence` on that very place (to the member or
one of their groups; a coalition admin needs one too), sight of the place (a room ban
overrides the grant, as it overrides every grant), and a second factor used in this
session. Anyone else is told NotFound, the answer for a place without originals or with
no such name: the page does not exist for them, moderators and coalition admins included.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from attachments.evidence import crypto
from forum import checks as forum_checks
from forum import permissions, second_factor
from forum.errors import BadRequest, NotFound, SecondFactorRequired
from forum.models import Category


def check_view_place(user, place) -> None:
    """The place's own rule for opening it (a category's view grant; a room's, and no ban)."""
    from realtime import checks as room_checks

    (forum_checks.check_view_category if isinstance(place, Category) else room_checks.check_view_room)(user, place)


def check_handle_evidence(user, place) -> None:
    if not permissions.holds_evidence_grant(user, place):
        raise NotFound
    try:
        check_view_place(user, place)
    except (PermissionDenied, Http404):
        raise NotFound
    if not second_factor.used(user):
        raise SecondFactorRequired(_(
            "Reading originals kept as evidence needs a second factor used in this session: "
            "set one up, or confirm the one you have, on the two-factor page."
        ))


def offers_keeping(place) -> bool:
    """Does an upload form in this place offer "keep the original as evidence"?"""
    return place is not None and place.keep_evidence and crypto.configured()


def check_keep_original(place) -> None:
    """An upload asks to keep its original: only where the form would have offered it."""
    if not crypto.configured():
        raise BadRequest(_("This server keeps no originals: no evidence key is set."))
    if not place.keep_evidence:
        raise BadRequest(_("This place does not keep originals as evidence."))
