from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from forum.management.commands._targets import parse_holder, parse_object
from forum.services.grants import COMMAND_LINE, do_grant_permission, grant_permission


class Command(BaseCommand):
    help = (
        "Grant PERM on KIND:SLUG to group:NAME or user:USERNAME, as the coalition admin --by "
        "USERNAME (or --system, recorded as the command line). "
        "E.g. grant post_in_room room:aden group:members --by hadi"
    )
    checked, unchecked = staticmethod(grant_permission), staticmethod(do_grant_permission)
    done, preposition = "Granted", "to"

    def add_arguments(self, parser):
        parser.add_argument("perm")
        parser.add_argument("target", help="KIND:SLUG, e.g. category:campaigns or room:aden")
        parser.add_argument("holder", help="group:NAME or user:USERNAME")
        actor = parser.add_mutually_exclusive_group()
        actor.add_argument("--by", metavar="USERNAME", help="the coalition admin making the change (audit log)")
        actor.add_argument("--system", action="store_true",
                           help="no admin: the audit log records the command line as the actor")

    def handle(self, *args, perm, target, holder, by, system, **options):
        if not by and not system:
            raise CommandError("Say who makes this change: --by USERNAME (a coalition admin), or --system.")
        obj, to = parse_object(target), parse_holder(holder)
        try:
            if system:
                self.unchecked(actor=None, perm=perm, obj=obj, to=to, via=COMMAND_LINE)
            else:
                self.checked(by=_admin(by), perm=perm, obj=obj, to=to)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages))
        actor = "the command line" if system else by
        self.stdout.write(f"{self.done} {perm} on {target} {self.preposition} {holder} (by {actor}).")


def _admin(username: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user named {username!r}.")
    if not user.is_superuser or not user.is_active:
        raise CommandError(f"{username} is not an active coalition admin; only they can change permissions.")
    return user
