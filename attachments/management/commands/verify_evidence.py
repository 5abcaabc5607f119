from django.core.management.base import BaseCommand, CommandError

from attachments.evidence import crypto
from attachments.evidence.models import Original
from attachments.evidence.verify import verify_all


class Command(BaseCommand):
    help = (
        "Decrypt and re-hash every original kept as evidence, compare it with the SHA-256 recorded"
        " at upload, log a custody entry `verified` for each, print every mismatch and exit"
        " with status 1 if there is any (for cron)."
    )

    def handle(self, *args, **options):
        if not crypto.configured():
            count = Original.objects.count()
            if count:
                raise CommandError(f"MAJLIS_EVIDENCE_KEY is not set: {count} original(s) cannot be checked.")
            self.stdout.write("No original is kept.")
            return
        checked, failed = verify_all()
        for original, outcome in failed:
            place = original.category or original.room
            kind = "category" if original.category_id else "room"
            self.stderr.write(
                f"{outcome.upper()}: original {original.public_id} ({original.name}) in {kind}:{place.slug},"
                f" kept {original.uploaded_at:%Y-%m-%d %H:%M} UTC, recorded SHA-256 {original.sha256}"
            )
        self.stdout.write(f"{checked} original(s) checked, {len(failed)} failed.")
        if failed:
            raise CommandError(f"{len(failed)} original(s) do not match their recorded SHA-256.")
