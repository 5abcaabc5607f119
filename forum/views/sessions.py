"""Logout and password change: Django's views, plus closing the sockets they end."""

from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.conf import settings

from forum.services import accounts as services


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        services.log_out(request)
        return HttpResponseRedirect(resolve_url(settings.LOGOUT_REDIRECT_URL))


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        old_key = self.request.session.session_key
        response = super().form_valid(form)  # saves, and keeps this session valid under a new key
        # Stored now, not when the response leaves: this session's sockets check it at once.
        self.request.session.save()
        services.password_changed(
            user=form.user, old_session_key=old_key, new_session_key=self.request.session.session_key,
        )
        return response
