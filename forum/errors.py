"""The one error vocabulary of Majlis: what a service refuses, for every edge to translate.

Services of both apps raise these; each edge translates them in exactly one place: HTTP
views (a 4xx page, `Retry-After` on 429), the admin (a message), the sockets (an `error`
frame with the wire `code` of DESIGN.md, Wire protocol). Each error carries that `code` and
a translated `detail` a person can read. The ones that mean "not allowed" (muted and
read-only too) and "no such thing" also subclass Django's PermissionDenied and Http404, so
an HTTP view that lets them through answers 403 or 404 as it should, and
`permissions.can` reads them as a no.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "bad_request"
    default_detail = _("This request cannot be understood.")

    def __init__(self, detail=None):
        self.detail = str(detail or self.default_detail)
        super().__init__(self.detail)


class BadRequest(DomainError):
    code = "bad_request"


class TooLong(DomainError):
    code = "too_long"
    default_detail = _("Too long.")


class Forbidden(DomainError, PermissionDenied):
    code = "forbidden"
    default_detail = _("You may not do this here.")


class SecondFactorRequired(Forbidden):
    """A moderator or coalition admin whose session used no second factor (forum/second_factor.py)."""

    default_detail = _(
        "Moderators and coalition admins must use a second factor in this session first: "
        "set one up, or confirm the one you have, on the two-factor page."
    )


class NotFound(DomainError, Http404):
    code = "not_found"
    default_detail = _("No such thing here.")


class RoomGone(NotFound):
    """The member may not view the room (any more): a socket closes with 4404."""

    default_detail = _("No such room.")


class Muted(DomainError, PermissionDenied):
    code = "muted"
    default_detail = _("You are muted in this room.")


class ReadOnly(DomainError, PermissionDenied):
    code = "read_only"
    default_detail = _("This room is read-only.")


class RateLimited(DomainError):
    code = "rate_limited"
    default_detail = _("Slow down.")

    def __init__(self, retry_after: int, detail=None):
        self.retry_after = max(1, int(retry_after))
        super().__init__(detail)
