from forum.management.commands.grant import Command as GrantCommand
from forum.services.grants import revoke_permission


class Command(GrantCommand):
    help = "Revoke PERM on KIND:SLUG from group:NAME or user:USERNAME."
    action = staticmethod(revoke_permission)
    done, preposition = "Revoked", "from"
