"""The admin site: for staff whose session used a second factor (forum/second_factor.py).

Django's admin answers a staff member it will not serve with its own login form; a staff
member whose session used no factor is sent to use one instead, then back.
"""

from django.contrib import admin
from django.http import HttpResponseRedirect

from forum import second_factor


class MajlisAdminSite(admin.AdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and second_factor.used(request.user)

    def login(self, request, extra_context=None):
        user = request.user
        if user.is_active and user.is_staff and not second_factor.used(user):
            return HttpResponseRedirect(second_factor.next_step_url(user, request.GET.get("next") or request.path))
        return super().login(request, extra_context)

