from django.core.management.base import BaseCommand

from forum.services.digests import send_digests


class Command(BaseCommand):
    help = "E-mail each member who asked for one their daily or weekly digest (safe to run from cron)."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000",
                            help="the address members reach Majlis at, for the links")

    def handle(self, *args, base_url, **options):
        self.stdout.write(f"Sent {send_digests(base_url=base_url)} digest(s).")
