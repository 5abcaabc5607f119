"""Every response turns off the browser features Majlis never uses (issue 9, item 7).

A page, a redirect, every error page and a static file served by whitenoise all carry
`Permissions-Policy`, through Django's test client and through a real daphne process.
Security keys (WebAuthn) stay allowed on our own origin: they are a second factor.
"""

import http.client

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import include, path

from tests.realtime.embedded import embedded_majlis

TURNED_OFF = [
    "camera", "microphone", "geolocation", "payment", "usb", "serial", "bluetooth", "hid", "midi",
    "display-capture", "interest-cohort", "browsing-topics", "attribution-reporting", "accelerometer",
    "gyroscope", "magnetometer", "ambient-light-sensor", "autoplay", "encrypted-media", "fullscreen",
    "picture-in-picture",
]
OWN_ORIGIN_ONLY = ["publickey-credentials-get", "publickey-credentials-create"]


def _boom(request):
    raise RuntimeError("a bug")


def _refused(request):
    raise PermissionDenied


# The project's URLs, plus a view that fails and one that refuses: the 500 and 403 pages.
urlpatterns = [path("boom/", _boom), path("refused/", _refused), path("", include("config.urls"))]


def policy_of(headers) -> dict[str, str]:
    value = headers.get("Permissions-Policy")
    assert value, "no Permissions-Policy header"
    return dict(item.strip().split("=", 1) for item in value.split(","))


def assert_turns_off_what_majlis_never_uses(headers):
    policy = policy_of(headers)
    for feature in TURNED_OFF:
        assert policy.get(feature) == "()", feature
    for feature in OWN_ORIGIN_ONLY:
        assert policy.get(feature) == "(self)", feature
    assert "*" not in "".join(policy.values())


def static_file(client):
    response = client.get("/static/css/majlis.css")
    assert response.status_code == 200 and type(response).__module__.startswith("whitenoise")
    return response


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("answer", ["page", "redirect", "not found", "forbidden", "csrf failure",
                                    "server error", "static file", "healthz"])
def test_every_kind_of_response_carries_the_permissions_policy(client_for, member, answer):
    member_client = client_for(member)
    response = {
        "page": lambda: member_client.get("/"),
        "redirect": lambda: Client().get("/"),
        "not found": lambda: member_client.get("/no-such-page/"),
        "forbidden": lambda: member_client.get("/refused/"),
        "csrf failure": lambda: Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x"}),
        "server error": lambda: Client(raise_request_exception=False).get("/boom/"),
        "static file": lambda: static_file(Client()),
        "healthz": lambda: Client().get("/healthz"),
    }[answer]()
    expected = {"page": 200, "redirect": 302, "not found": 404, "forbidden": 403, "csrf failure": 403,
                "server error": 500, "static file": 200, "healthz": 200}[answer]
    assert response.status_code == expected
    assert_turns_off_what_majlis_never_uses(response.headers)


def test_a_real_daphne_process_sends_it_on_pages_errors_redirects_and_files(tmp_path):
    with embedded_majlis(tmp_path, {"members": ["layla"]}) as server:
        cookie = {"Cookie": server.cookie("layla")}
        for path_, headers, status in [
            ("/", cookie, 200), ("/", {}, 302), ("/no-such-page/", cookie, 404),
            ("/static/css/majlis.css", {}, 200), ("/static/js/no-such-file.js", {}, 404),
        ]:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            try:
                connection.request("GET", path_, headers=headers)
                response = connection.getresponse()
                response.read()
            finally:
                connection.close()
            assert response.status == status, path_
            assert_turns_off_what_majlis_never_uses(response.headers)
