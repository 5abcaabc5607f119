from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from forum.errors import DomainError
from forum.services.recovery import make_reset_link


class Command(BaseCommand):
    help = (
        "Print a single-use password reset URL for USERNAME, valid 24 hours, made by the coalition "
        "admin --by ADMIN (recorded in the moderation record). Hand it over in person or by a trusted channel."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--by", metavar="ADMIN", required=True, help="the coalition admin making the link")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, username, by, base_url, **options):
        users = get_user_model().objects
        member = users.filter(username=username).first()
        if member is None:
            raise CommandError(f"No user named {username!r}.")
        admin = users.filter(username=by).first()
        if admin is None:
            raise CommandError(f"No user named {by!r}.")
        try:
            _link, token = make_reset_link(by=admin, user=member)
        except DomainError as error:
            raise CommandError(error.detail)
        self.stdout.write(base_url.rstrip("/") + reverse("reset_link", args=[token]))
