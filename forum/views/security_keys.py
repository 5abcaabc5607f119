"""django-otp-webauthn's four endpoints, bound to our login (forum/security_keys.py says why).

Adding a key needs a logged-in member (and, if they already have a factor, a session
that used it: the package checks that). Using a key finishes the login a password began
on this session, or vouches for a logged-in session; the member is never taken from the
key itself, so a key cannot log in whoever it belongs to.
"""

from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django_otp import login as otp_login
from django_otp_webauthn import exceptions, views

from forum.views.login import PENDING_KEY, finish_login, pending_login


def _member(request):
    if request.user.is_authenticated:
        return request.user
    return pending_login(request)[0]


class BeginAuthentication(views.BeginCredentialAuthenticationView):
    def get_user(self):
        return _member(self.request)


class CompleteAuthentication(views.CompleteCredentialAuthenticationView):
    def get_user(self):
        return _member(self.request)

    def complete_auth(self, device):
        request = self.request
        if not request.user.is_authenticated:
            user, pending = pending_login(request)
            if user is None or device.user_id != user.pk:
                raise exceptions.InvalidState()
            del request.session[PENDING_KEY]
            finish_login(request, user, backend=pending["backend"], shared=pending["shared"])
        elif device.user_id != request.user.pk:
            raise exceptions.InvalidState()
        otp_login(request, device)


app_name = "otp_webauthn"
urlpatterns = [
    path("registration/begin/", views.BeginCredentialRegistrationView.as_view(), name="credential-registration-begin"),
    path("registration/complete/", views.CompleteCredentialRegistrationView.as_view(), name="credential-registration-complete"),
    path("authentication/begin/", BeginAuthentication.as_view(), name="credential-authentication-begin"),
    path("authentication/complete/", CompleteAuthentication.as_view(), name="credential-authentication-complete"),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]), name="js-i18n-catalog"),
]
