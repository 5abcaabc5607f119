"""Refuse a WebSocket whose Origin is not the page's own origin.

Browsers send cookies with a cross-site WebSocket handshake, so without this check any
page on the web could open a socket as the member who visits it. The Origin must match
the request's own scheme, host and port, and the host must be an allowed one.

Behind the TLS proxy of the README the request reaches daphne as plain `ws`, so its
scheme is the one the proxy forwards (`websocket_scheme`).
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


def _forwarded_proto_header() -> tuple[bytes, str] | None:
    # SECURE_PROXY_SSL_HEADER names a WSGI META key ("HTTP_X_FORWARDED_PROTO"); ASGI
    # carries the header itself, lower-case ("x-forwarded-proto").
    if not settings.SECURE_PROXY_SSL_HEADER:
        return None
    meta_name, secure_value = settings.SECURE_PROXY_SSL_HEADER
    if not meta_name.startswith("HTTP_"):
        return None
    return meta_name.removeprefix("HTTP_").lower().replace("_", "-").encode("latin-1"), secure_value


def websocket_scheme(scope) -> str:
    """The scheme this socket request came over, "ws" or "wss"; decided here only.

    daphne (4.2.3) puts no "scheme" in a WebSocket scope, not even with --proxy-headers,
    which it applies to HTTP only. So the proxy's forwarded protocol header decides, read
    as Django reads it for HTTP (`HttpRequest.scheme`): only when SECURE_PROXY_SSL_HEADER
    says a proxy sets it (production), its first value, "wss" only for the secure value.
    Otherwise the server's own scope decides, and a scope without a scheme is "ws".
    """
    forwarded = _forwarded_proto_header()
    if forwarded is not None:
        name, secure_value = forwarded
        value = _header(scope, name)
        if value is not None:
            return "wss" if value.split(",", 1)[0].strip() == secure_value else "ws"
    return scope.get("scheme") or "ws"


def is_same_origin(scope) -> bool:
    origin, host = _header(scope, b"origin"), _header(scope, b"host")
    if not origin or not host:
        return False
    scheme = _WEB_SCHEME.get(websocket_scheme(scope))
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
