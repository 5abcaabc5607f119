"""Sessions: logout, password change, the sessions page and the quick exit."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from forum.middleware import EXIT_COOKIE
from forum.services import accounts as services
from forum.services import member_sessions
from forum.user_agents import describe


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        services.log_out(request)
        response = HttpResponseRedirect(resolve_url(settings.LOGOUT_REDIRECT_URL))
        # What the member wrote and the server never confirmed (a room's outbox, kept in the
        # tab) must not outlive the session on a shared or seized phone. static/js/exit.js
        # empties it too, for browsers that ignore this header (it needs a secure origin).
        response["Clear-Site-Data"] = '"storage"'
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        old_key = self.request.session.session_key
        response = super().form_valid(form)  # saves, and keeps this session valid under a new key
        # Stored now, not when the response leaves: this session's sockets check it at once.
        self.request.session.save()
        services.password_changed(
            user=form.user, old_session_key=old_key, new_session_key=self.request.session.session_key,
        )
        messages.success(self.request, _("Your password is changed. Your other sessions have ended."))
        return response


@never_cache
@login_required
def sessions_page(request):
    """Every session of mine, and a button to end each, or all but this one."""
    if request.method == "POST":
        target = request.POST.get("end", "")
        if target == "others":
            ended = member_sessions.end_other_sessions(user=request.user, keep_session_key=request.session.session_key)
            messages.success(request, ngettext("%(count)d other session ended.", "%(count)d other sessions ended.",
                                               ended) % {"count": ended})
        else:
            member_sessions.end_session(user=request.user, public_id=target)  # 404 for anyone else's
            messages.success(request, _("That session has ended."))
        return HttpResponseRedirect(reverse("sessions"))
    records = member_sessions.listed(request.user)
    for record in records:
        record.device_name = describe(record.device)
        record.is_this = record.session_key == request.session.session_key
    return render(request, "registration/sessions.html", {"records": records})


@require_POST
def quick_exit(request):
    """End this session at once and land on the neutral page (DESIGN.md: POST /accounts/exit/,
    CSRF's field and no other). The browser is told to drop what Majlis stored, and, for a
    few minutes, to see the neutral page instead of any Majlis page
    (forum.middleware.QuickExitMiddleware)."""
    services.log_out(request)
    response = HttpResponseRedirect(settings.MAJLIS_QUICK_EXIT_URL)
    response.status_code = 303  # "see other": the page that follows is fetched with GET
    response["Clear-Site-Data"] = '"cache", "storage"'
    response["Cache-Control"] = "no-store"
    response.set_cookie(EXIT_COOKIE, "1", max_age=settings.MAJLIS_QUICK_EXIT_HIDE_SECONDS, httponly=True,
                        samesite="Lax", secure=request.is_secure())
    return response


def neutral(request):
    """A plain weather page with nothing of Majlis in it: where a quick exit lands."""
    response = render(request, "neutral.html")
    response["Cache-Control"] = "no-store"
    return response
