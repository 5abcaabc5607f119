from django.utils import timezone

from forum.ids import hash_token
from forum.models import Invitation


def open_invitation(token: str) -> Invitation | None:
    """The unused, unexpired invitation for a token, or None."""
    return Invitation.objects.filter(
        token_hash=hash_token(token), used_at__isnull=True, expires_at__gt=timezone.now()
    ).first()


def recent_invitations(limit: int = 50):
    return Invitation.objects.select_related(
        "organisation", "created_by__profile", "used_by__profile"
    )[:limit]
