from forum.management.commands.grant import Command as GrantCommand
from forum.services.grants import do_revoke_permission, revoke_permission


class Command(GrantCommand):
    help = (
        "Revoke PERM on KIND:SLUG from group:NAME or user:USERNAME, as the coalition admin --by "
        "USERNAME (or --system)."
    )
    checked, unchecked = staticmethod(revoke_permission), staticmethod(do_revoke_permission)
    done, preposition = "Revoked", "from"
