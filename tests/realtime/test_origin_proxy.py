"""Behind the README's TLS proxy a socket's scheme is the one the proxy forwards.

The proxy speaks plain HTTP to daphne and says `X-Forwarded-Proto: https`; the page's
own `https://` Origin must then be accepted, and an `http://` Origin for the same host
refused, as it would be refused over TLS itself. Without the header, the reverse.
"""

import asyncio
import os
import secrets

import pytest
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from realtime.origin import is_same_origin, websocket_scheme
from tests.realtime.processes import daphne_processes

HOST = "majlis.example.org"
PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # what production sets


def scope(*headers, scheme=None):
    scope = {"type": "websocket", "headers": [(name.encode(), value.encode()) for name, value in headers]}
    if scheme is not None:
        scope["scheme"] = scheme
    return scope


# --- the one function that says what scheme a socket request came over ---------------

def test_a_trusted_proxy_header_decides_the_scheme_and_nothing_else_does(settings):
    settings.SECURE_PROXY_SSL_HEADER = PROXY_SSL_HEADER
    for forwarded, scheme, expected in [
        ("https", None, "wss"),
        ("http", None, "ws"),
        ("https, http", None, "wss"),  # the first value, as Django reads it
        ("http", "wss", "ws"),  # the proxy's word wins over the connection's own
        ("HTTPS", None, "ws"),  # only the secure value itself, as Django
        (None, None, "ws"),
        (None, "wss", "wss"),
    ]:
        headers = [("x-forwarded-proto", forwarded)] if forwarded is not None else []
        assert websocket_scheme(scope(*headers, scheme=scheme)) == expected, (forwarded, scheme)

    # Where no proxy is said to set it (outside production), the header is anyone's word.
    settings.SECURE_PROXY_SSL_HEADER = None
    for scheme, expected in [(None, "ws"), ("ws", "ws"), ("wss", "wss")]:
        assert websocket_scheme(scope(("x-forwarded-proto", "https"), scheme=scheme)) == expected, scheme


def test_the_origin_must_have_the_forwarded_scheme_and_never_the_other(settings):
    settings.SECURE_PROXY_SSL_HEADER = PROXY_SSL_HEADER
    settings.ALLOWED_HOSTS = [HOST]
    for forwarded, origin, same in [
        ("https", f"https://{HOST}", True),
        ("https", f"http://{HOST}", False),
        ("https", f"https://{HOST}:8443", False),
        ("http", f"http://{HOST}", True),
        ("http", f"https://{HOST}", False),
        (None, f"http://{HOST}", True),
        (None, f"https://{HOST}", False),
    ]:
        headers = [("host", HOST), ("origin", origin)]
        if forwarded is not None:
            headers.append(("x-forwarded-proto", forwarded))
        assert is_same_origin(scope(*headers)) is same, (forwarded, origin)


# --- a production daphne, started as the README says ---------------------------------

@pytest.fixture(scope="module")
def production_port(tmp_path_factory):
    database = tmp_path_factory.mktemp("production") / "db.sqlite3"
    env = {
        key: value for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_DEBUG", "SECURE_SSL_REDIRECT"}
    }
    env.update({
        "MAJLIS_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": f"sqlite:///{database}", "DJANGO_SETTINGS_MODULE": "config.settings",
    })
    # Asked as through the proxy: a plain HTTP request would be redirected to HTTPS.
    health = {"Host": HOST, "X-Forwarded-Proto": "https"}
    with daphne_processes(1, args=["--proxy-headers"], env=env, health_headers=health) as (port,):
        yield port


SOCKETS = ["/ws/rooms/aden/", "/ws/notifications/", "/ws/threads/t0000000000/"]
ACCEPTED = 4401  # past the Origin check; then refused for want of a session
REFUSED = 403  # at the handshake, by the Origin check


async def handshake(port: int, path: str, origin: str, forwarded_proto: str | None) -> int:
    """The handshake's HTTP status when refused, else the close code that follows."""
    headers = [("X-Forwarded-Proto", forwarded_proto)] if forwarded_proto else []
    try:
        # The Host header names the site, as behind the proxy; the connection goes to daphne.
        async with ws_connect(f"ws://{HOST}{path}", host="127.0.0.1", port=port, origin=origin,
                              additional_headers=headers, proxy=None, open_timeout=10) as ws:
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 10)
            return closed.value.rcvd.code
    except InvalidStatus as refused:
        return refused.response.status_code


@pytest.mark.parametrize("path", SOCKETS)
async def test_a_socket_origin_must_have_the_scheme_the_proxy_forwarded(production_port, path):
    # Through the proxy: the page's own https:// Origin, never http:// for the same host.
    assert await handshake(production_port, path, f"https://{HOST}", "https") == ACCEPTED
    assert await handshake(production_port, path, f"http://{HOST}", "https") == REFUSED
    # Straight to daphne, without the header, the request is plain HTTP: the reverse.
    assert await handshake(production_port, path, f"http://{HOST}", None) == ACCEPTED
    assert await handshake(production_port, path, f"https://{HOST}", None) == REFUSED
