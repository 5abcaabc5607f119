from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from forum.models import Organisation
from forum.services.accounts import do_create_invitation


class Command(BaseCommand):
    help = "Print a single-use join URL."

    def add_arguments(self, parser):
        parser.add_argument("--org", help="organisation slug the new member will belong to")
        parser.add_argument("--days", type=int, default=settings.MAJLIS_INVITATION_DAYS)
        parser.add_argument("--by", help="username of the admin who vouches (for the audit trail)")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, org, days, by, base_url, **options):
        organisation = None
        if org:
            organisation = Organisation.objects.filter(slug=org).first()
            if organisation is None:
                raise CommandError(f"No organisation with slug {org!r}.")
        inviter = None
        if by:
            inviter = get_user_model().objects.filter(username=by, is_staff=True).first()
            if inviter is None:
                raise CommandError(f"No staff account {by!r}.")
        if not 1 <= days <= 90:
            raise CommandError("--days must be between 1 and 90.")
        _invitation, token = do_create_invitation(created_by=inviter, organisation=organisation, days=days)
        self.stdout.write(base_url.rstrip("/") + reverse("join", args=[token]))
