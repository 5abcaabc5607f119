from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from forum.management.commands._targets import parse_holder, parse_object
from forum.services.grants import grant_permission


class Command(BaseCommand):
    help = "Grant PERM on KIND:SLUG to group:NAME or user:USERNAME (e.g. grant post_in_room room:aden group:members)."
    action = staticmethod(grant_permission)
    done, preposition = "Granted", "to"

    def add_arguments(self, parser):
        parser.add_argument("perm")
        parser.add_argument("target", help="KIND:SLUG, e.g. category:campaigns or room:aden")
        parser.add_argument("holder", help="group:NAME or user:USERNAME")

    def handle(self, *args, perm, target, holder, **options):
        obj, to = parse_object(target), parse_holder(holder)
        try:
            self.action(by=None, perm=perm, obj=obj, to=to)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages))
        self.stdout.write(f"{self.done} {perm} on {target} {self.preposition} {holder}.")
