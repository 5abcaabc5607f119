from django.utils import timezone

from forum.ids import hash_token
from guardian.shortcuts import get_objects_for_user

from forum.errors import NotFound
from forum.models import Invitation, Organisation


def open_invitation(token: str) -> Invitation | None:
    """The unused, unexpired invitation for a token, or None."""
    return Invitation.objects.filter(
        token_hash=hash_token(token), used_at__isnull=True, expires_at__gt=timezone.now()
    ).first()


def invitations_for(user, limit: int = 50):
    """A coalition admin sees the latest invitations of everyone; a lead, their own."""
    invitations = Invitation.objects.select_related("organisation", "created_by__profile", "used_by__profile")
    if not user.is_superuser:
        invitations = invitations.filter(created_by=user)
    return invitations.order_by("-created_at")[:limit]


def invitation_of(user, public_id: str) -> Invitation:
    """One of the member's own invitations (any, for a coalition admin); 404 otherwise."""
    invitation = Invitation.objects.filter(public_id=public_id).first()
    if invitation is None or not (user.is_superuser or invitation.created_by_id == user.pk):
        raise NotFound()
    return invitation


def organisations_to_invite_into(user):
    """Every organisation for a coalition admin; for anyone else, those they lead."""
    if user.is_superuser:
        return Organisation.objects.all()
    return get_objects_for_user(user, "forum.lead_organisation", klass=Organisation, with_superuser=False,
                                accept_global_perms=False)
