"""Logging test members in as the site does, second factor included.

A member who moderates needs a second factor used in the session (forum/second_factor.py).
`log_in` gives the member a confirmed TOTP device and marks the session as having used it,
as `/accounts/login/verify/` does after a good code; `second_factor=False` leaves a
session that used none, for the tests of that gate.
"""

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

BACKEND = "django.contrib.auth.backends.ModelBackend"


def use_second_factor(client: Client, user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def log_in(user, *, second_factor: bool = True, client: Client | None = None) -> Client:
    client = client or Client()
    client.force_login(user, backend=BACKEND)
    if second_factor:
        use_second_factor(client, user)
    return client
