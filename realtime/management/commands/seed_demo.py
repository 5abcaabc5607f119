"""`manage.py seed_demo`: it lives in the realtime app because it seeds both apps."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from forum import demo
from realtime.demo import seed_rooms


class Command(BaseCommand):
    help = "Create the demo coalition, its people, categories and rooms (idempotent; never in production)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo refuses to run with MAJLIS_ENV=production.")
        with transaction.atomic():
            organisations, people = demo.seed_people()
            demo.seed_forum(organisations, people)
            seed_rooms(organisations, people)
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for username, _name, location, _org, _language, role in demo.PEOPLE:
            self.stdout.write(f"  {username:<10} {role:<10} {location}")
        self.stdout.write(
            "Moderators and admins moderate only after setting up a second step "
            "(an authenticator app or a security key) at /accounts/two-factor/."
        )
