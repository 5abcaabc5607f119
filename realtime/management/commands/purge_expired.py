from django.core.management.base import BaseCommand

from realtime.services import purge_expired


class Command(BaseCommand):
    help = (
        "Delete room messages older than their room's retention and wipe deleted text from the"
        " database files (PostgreSQL: VACUUM). Safe to run from cron."
    )

    def handle(self, *args, **options):
        deleted = purge_expired()
        if not deleted:
            self.stdout.write("No room has a retention period.")
        for slug, count in deleted.items():
            self.stdout.write(f"{slug}: {count} message{'' if count == 1 else 's'} deleted")
