"""Hooks the account libraries call into."""


def no_client_address(request) -> None:
    """django-axes stores whatever address it is given; it is given none.

    Lockouts key on the account name alone (AXES_LOCKOUT_PARAMETERS), so the client's
    address is never needed, and never persisted or logged.
    """
    return None


def password_confirmed(request, password: str) -> bool:
    """Is `password` the logged-in member's? Asked through `authenticate`, so django-axes
    counts a wrong one as it counts a failed login and, past the limit, refuses every try
    for a while: a session in someone else's hands cannot be used to guess the password
    on the pages that ask for it again (export, delete, factors)."""
    from django.contrib.auth import authenticate

    user = request.user
    confirmed = authenticate(request, username=user.get_username(), password=password or "")
    return confirmed is not None and confirmed.pk == user.pk
