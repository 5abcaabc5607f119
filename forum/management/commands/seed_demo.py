from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from forum import demo
from forum.models import Organisation
from forum.services.accounts import create_member, create_organisation


class Command(BaseCommand):
    help = "Create the demo coalition, its people and places (idempotent; never in production)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo refuses to run with MAJLIS_ENV=production.")
        User = get_user_model()
        with transaction.atomic():
            organisations = {}
            for slug, name_ar, name_en, region in demo.ORGANISATIONS:
                organisation = Organisation.objects.filter(slug=slug).first()
                if organisation is None:
                    organisation = create_organisation(
                        slug=slug, name_ar=name_ar, name_en=name_en, region=region
                    )
                organisations[slug] = organisation
            admin = None
            for username, name, location, org, language, role in demo.PEOPLE:
                user = User.objects.filter(username=username).first()
                if user is None:
                    user = create_member(
                        username=username, password=demo.DEMO_PASSWORD, display_name=name,
                        location=location, organisation=organisations[org], language=language,
                        is_superuser=role == "admin", invited_by=admin,
                    )
                if role == "admin":
                    admin = user
            self.extend(organisations=organisations, people={u: User.objects.get(username=u) for u, *_ in demo.PEOPLE})
        self.stdout.write("Demo logins (password for all: %s):" % demo.DEMO_PASSWORD)
        for username, name, location, org, language, role in demo.PEOPLE:
            self.stdout.write(f"  {username:<10} {role:<10} {location}")

    def extend(self, *, organisations, people):
        """Later parts of Majlis (categories, rooms) add their demo data here."""
