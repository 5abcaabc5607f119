"""Sockets know their session by its cookie; `selectors.socket_user_pk` says whose it is.

Channels' AuthMiddlewareStack loads the session and the user at the handshake, and wraps
the socket's `send` to save a changed session: a check run on every frame the server
sends, so on every delivery of every broadcast. Our sockets never write a session, and
they read it afresh on every client frame anyway (DESIGN.md, Revocation, through
`selectors.session_user`): all they need from the handshake is the session's key.
"""

from django.conf import settings
from django.http.cookie import parse_cookie


class SessionKeyMiddleware:
    """Put the session cookie's value in `scope["session_key"]` (None without one)."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        cookies = {}
        for name, value in scope.get("headers", ()):
            if name == b"cookie":  # as Channels' CookieMiddleware: the first header
                cookies = parse_cookie(value.decode("latin1"))
                break
        session_key = cookies.get(settings.SESSION_COOKIE_NAME) or None
        return await self.inner({**scope, "session_key": session_key}, receive, send)
