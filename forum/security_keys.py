"""Security keys and passkeys (FIDO2) as a second factor, through django-otp-webauthn.

The relying party is the host the member reached us on, as Django validated it against
ALLOWED_HOSTS, and the only origin accepted is that host on this request's scheme: a key
made on https://host answers only there. Browsers allow WebAuthn on https, and on
http://localhost for development; the settings' list (config/settings.py) only satisfies
the package's own start-up check.

Keys are never a way to log in without the password (passwordless login is off): a key
finishes the login that a password began (forum/views/login.py), or vouches for a session
that is already logged in.
"""

from django_otp_webauthn.helpers import WebAuthnHelper


def relying_party_id(request) -> str:
    return request.get_host().rsplit(":", 1)[0] if not request.get_host().endswith("]") else request.get_host()


class SecurityKeyHelper(WebAuthnHelper):
    def get_allowed_origins(self) -> list[str]:
        host = self.request.get_host()
        if self.request.scheme == "https" or relying_party_id(self.request) == "localhost":
            return [f"{self.request.scheme}://{host}"]
        return []
