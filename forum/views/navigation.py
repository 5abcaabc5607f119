"""Where a page sends the member next: only ever to this site."""

from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_url(request, url: str | None, default: str) -> str:
    """`url` if it stays on this host (and on HTTPS when this request came over HTTPS), else `default`."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def redirect_to_next(request, default: str) -> HttpResponseRedirect:
    """Back to the form's `next` field, the page the member came from; else to `default`."""
    return HttpResponseRedirect(safe_url(request, request.POST.get("next"), default))
