"""The errors of the room protocol, raised by services and mapped to frames by the consumer.

Each carries the wire `code` of DESIGN.md (Wire protocol) and a human `detail`. The ones
that mean "not allowed" and "no such thing" also subclass Django's PermissionDenied and
Http404, so an HTTP view that lets them through answers 403 or 404 as it should.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404


class RoomError(Exception):
    code = "bad_request"
    default_detail = "This frame cannot be understood."

    def __init__(self, detail: str | None = None):
        self.detail = detail or self.default_detail
        super().__init__(self.detail)


class BadRequest(RoomError):
    code = "bad_request"


class TooLong(RoomError):
    code = "too_long"
    default_detail = "Too long."


class Forbidden(RoomError, PermissionDenied):
    code = "forbidden"
    default_detail = "You may not do this here."


class NotFound(RoomError, Http404):
    code = "not_found"
    default_detail = "No such thing here."


class RoomGone(NotFound):
    """The member may not view the room (any more): a socket closes with 4404."""

    default_detail = "No such room."


class Muted(RoomError):
    code = "muted"
    default_detail = "You are muted in this room."


class ReadOnly(RoomError):
    code = "read_only"
    default_detail = "This room is read-only."


class RateLimited(RoomError):
    code = "rate_limited"
    default_detail = "Slow down."

    def __init__(self, retry_after: int, detail: str | None = None):
        self.retry_after = max(1, int(retry_after))
        super().__init__(detail)
