from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils.cache import patch_cache_control
from django.utils import timezone, translation
from django.utils.deprecation import MiddlewareMixin

from forum import permissions, times
from forum.services import member_sessions


class ProfileLanguageMiddleware:
    """A member's profile language wins over the cookie and the browser's wish."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            profile = getattr(user, "profile", None)
            if profile is not None and profile.language:
                translation.activate(profile.language)
                request.LANGUAGE_CODE = profile.language
        return self.get_response(request)


class ProfileTimeZoneMiddleware:
    """Pages write times in the member's zone (their profile), and a visitor's in Yemen's
    (forum/times.py); what is stored, and the server's own clock, stay in UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.activate(times.zone_of(request.user))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """`{"camera": [], "publickey-credentials-get": ["self"]}` → `camera=(), publickey-credentials-get=(self)`.

    The header is a structured-field dictionary: `self` and `*` are tokens, an origin is a
    quoted string, and an empty list allows the feature to nobody.
    """
    def member(origin: str) -> str:
        return origin if origin in ("self", "*") else f'"{origin}"'

    return ", ".join(f"{feature}=({' '.join(member(o) for o in origins)})" for feature, origins in policy.items())


class PermissionsPolicyMiddleware(MiddlewareMixin):
    """Every response says which browser features its page may use (settings.MAJLIS_PERMISSIONS_POLICY).

    First in MIDDLEWARE: what answers before the views — whitenoise's static files, the
    security middleware's HTTPS redirect — and every error page carry it too.
    """

    def __init__(self, get_response):
        super().__init__(get_response)
        self.header = permissions_policy_header(settings.MAJLIS_PERMISSIONS_POLICY)

    def process_response(self, request, response):
        response["Permissions-Policy"] = self.header
        return response


class GrantCacheMiddleware:
    """A page reads each place's grants once, however many controls it checks
    (forum.permissions.grants_cached); the next request reads them afresh."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with permissions.grants_cached():
            return self.get_response(request)


class SessionSeenMiddleware:
    """A logged-in member's session is noted as in use, at most once an hour
    (forum.services.member_sessions.seen): its last-seen hour and its idle expiry."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            member_sessions.seen(request)
        return self.get_response(request)


EXIT_COOKIE = "wx"  # a name that says nothing about Majlis


class QuickExitMiddleware:
    """What makes a quick exit stick in the browser (forum/views/sessions.py, `quick_exit`).

    Pages of a logged-in member are never stored by the browser (`no-store`), so Back
    asks the server again instead of showing one from the cache; and for a few minutes
    after a quick exit, this browser's requests for pages are answered with the neutral
    page, so Back, or someone reopening the tab, finds no Majlis page, not even its login.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.neutral = settings.MAJLIS_QUICK_EXIT_URL

    def __call__(self, request):
        if (EXIT_COOKIE in request.COOKIES and request.method == "GET"
                and not request.user.is_authenticated and request.path != self.neutral):
            return HttpResponseRedirect(self.neutral)
        response = self.get_response(request)
        if request.user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response
