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
        response = super().form_valid(form)  # saves, and keeps this session valid
        services.sessions_changed(form.user)
        return response
