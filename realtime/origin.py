"""Refuse a WebSocket whose Origin is not the page's own origin.

Browsers send cookies with a cross-site WebSocket handshake, so without this check any
page on the web could open a socket as the member who visits it. The Origin must match
the request's own scheme, host and port, and the host must be an allowed one.
"""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

_WEB_SCHEME = {"ws": "http", "wss": "https"}
_DEFAULT_PORT = {"http": 80, "https": 443}


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def is_same_origin(scope) -> bool:
    origin, host = _header(scope, b"origin"), _header(scope, b"host")
    if not origin or not host:
        return False
    scheme = _WEB_SCHEME.get(scope.get("scheme", "ws"))
    try:
        parsed = urlsplit(origin)
        origin_port = parsed.port or _DEFAULT_PORT.get(parsed.scheme)
    except ValueError:
        return False
    domain, port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    host_port = int(port) if port else _DEFAULT_PORT.get(scheme)
    return (
        parsed.scheme == scheme
        and (parsed.hostname or "").lower() == domain.lower().strip("[]")
        and origin_port == host_port
    )


class SameOriginValidator:
    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not is_same_origin(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
