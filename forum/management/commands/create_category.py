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

    def handle(self, *args, slug, name, description, requires_approval, **options):
        if slugify(slug) != slug:
            raise CommandError(f"{slug!r} is not a slug (lowercase letters, digits and hyphens).")
        if Category.objects.filter(slug=slug).exists():
            raise CommandError(f"A category {slug!r} exists already.")
        do_create_category(slug=slug, name=name, description=description, requires_approval=requires_approval)
        self.stdout.write(f"Created category {slug}. Nobody can see it until you grant view_category.")
