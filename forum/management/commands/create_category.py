from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from forum.models import Category
from forum.services.content import do_create_category


class Command(BaseCommand):
    help = "Create a forum category (grant access to it with `grant`)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--description", default="")
        parser.add_argument("--requires-approval", action="store_true")
        parser.add_argument("--keep-evidence", action="store_true",
                            help="uploaders may keep originals as evidence (needs MAJLIS_EVIDENCE_KEY)")

    def handle(self, *args, slug, name, description, requires_approval, keep_evidence, **options):
        if slugify(slug) != slug:
            raise CommandError(f"{slug!r} is not a slug (lowercase letters, digits and hyphens).")
        if Category.objects.filter(slug=slug).exists():
            raise CommandError(f"A category {slug!r} exists already.")
        try:
            do_create_category(slug=slug, name=name, description=description, requires_approval=requires_approval,
                               keep_evidence=keep_evidence)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages))
        self.stdout.write(f"Created category {slug}. Nobody can see it until you grant view_category.")
