from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from realtime.services import do_create_room


class Command(BaseCommand):
    help = "Create a room, visible to nobody until you grant view_room (manage.py grant view_room room:SLUG …)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--topic", default="")
        parser.add_argument("--retention-days", type=int, default=None, help="delete messages older than this")
        parser.add_argument("--slow-mode", type=int, default=0, help="seconds between two messages of a member")
        parser.add_argument("--keep-evidence", action="store_true",
                            help="uploaders may keep originals as evidence (needs MAJLIS_EVIDENCE_KEY)")

    def handle(self, *args, slug, name, topic, retention_days, slow_mode, keep_evidence, **options):
        try:
            room = do_create_room(
                slug=slug, name=name, topic=topic, retention_days=retention_days, slow_mode_seconds=slow_mode,
                keep_evidence=keep_evidence,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages))
        self.stdout.write(f"Created room {room.slug}. Grant view_room on room:{room.slug} to open it to someone.")
