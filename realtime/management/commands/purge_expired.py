from django.conf import settings
from django.core.management.base import BaseCommand

from attachments.services import purge_attachments

from forum.services.security_data import purge_security_data
from forum.services.leaving import forget_retired_usernames
from forum.services.member_sessions import forget_ended
from forum.services.recovery import forget_old_reset_requests
from realtime.services import purge_expired


class Command(BaseCommand):
    help = (
        "Delete room messages older than their room's retention, login-attempt records older"
        " than MAJLIS_SECURITY_DATA_HOURS, records of ended sessions, old password-reset records"
        " and username holds that ended, room files never sent and files left without a message;"
        " wipe deleted text from the database files (PostgreSQL: VACUUM). Safe to run from cron."
    )

    def handle(self, *args, **options):
        deleted = purge_expired()
        if not deleted:
            self.stdout.write("No room has a retention period.")
        for slug, count in deleted.items():
            self.stdout.write(f"{slug}: {count} message{'' if count == 1 else 's'} deleted")
        # Room files never sent within a day, and files whose post or message is gone.
        waiting, orphans = purge_attachments()
        if waiting or orphans:
            self.stdout.write(f"{waiting} unsent file(s) and {orphans} file(s) without a message deleted")
        # Usernames given up 90 days ago are free again; old reset asks and links go (said only when any did).
        if freed := forget_retired_usernames():
            self.stdout.write(f"{freed} retired username(s) freed")
        if forgotten := forget_old_reset_requests():
            self.stdout.write(f"{forgotten} old password reset record(s) deleted")
        if ended := forget_ended():  # the sessions page lists only sessions still alive
            self.stdout.write(f"{ended} record(s) of ended sessions deleted")
        # django-axes' login records are kept MAJLIS_SECURITY_DATA_HOURS (forum.services.security_data).
        if attempts := purge_security_data():
            hours = settings.MAJLIS_SECURITY_DATA_HOURS
            self.stdout.write(f"{attempts} login attempt record(s) older than {hours} h deleted")
