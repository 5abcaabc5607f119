"""Hooks the account libraries call into."""


def no_client_address(request) -> None:
    """django-axes stores whatever address it is given; it is given none.

    Lockouts key on the account name alone (AXES_LOCKOUT_PARAMETERS), so the client's
    address is never needed, and never persisted or logged.
    """
    return None
