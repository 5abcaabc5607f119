"""Where HTTP translates the domain errors of forum.errors, for every page of both apps.

A form page that wants to keep what the member typed catches `DomainError` and renders
itself with `status_of(error)` and `retry_headers(error)`; anything else that escapes a
view is rendered here by the middleware: 429 with `Retry-After` for flood control, 403 with
the translated reason for a refusal, 404 alike for a missing or invisible thing, 400 for
the rest. Nothing else in the code maps an error to a status.
"""

from urllib.parse import urlsplit

from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from forum import second_factor
from forum.errors import DomainError, NotFound, RateLimited, SecondFactorRequired
from forum.views.navigation import safe_url

_STATUS = {"forbidden": 403, "muted": 403, "read_only": 403, "rate_limited": 429, "not_found": 404}


def status_of(error: DomainError) -> int:
    return _STATUS.get(error.code, 400)


def retry_headers(error: DomainError) -> dict[str, str]:
    return {"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else {}


def _same_site_path(request) -> str:
    """The page a refused form was sent from, as a path on this site (else the home page)."""
    referer = safe_url(request, request.headers.get("referer"), "/")
    parts = urlsplit(referer)
    return parts.path + (f"?{parts.query}" if parts.query else "") if parts.path else "/"


def error_response(request, error: DomainError) -> HttpResponse:
    """The page for a refused request that has no form of its own to show again."""
    if isinstance(error, NotFound):  # the same page as any missing URL
        return render(request, "404.html", status=404)
    if isinstance(error, SecondFactorRequired):  # first the factor, then back here
        back = request.get_full_path() if request.method == "GET" else _same_site_path(request)
        return HttpResponseRedirect(second_factor.next_step_url(request.user, back))
    template = "403.html" if status_of(error) == 403 else "refused.html"
    response = render(request, template, {"exception": error.detail}, status=status_of(error))
    for header, value in retry_headers(error).items():
        response[header] = value
    return response


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError):
            return error_response(request, exception)
        return None
