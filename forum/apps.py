from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _


class ForumConfig(AppConfig):
    name = "forum"
    verbose_name = _("Forum")

    def ready(self):
        from forum import permissions, reports
        from forum.models import Category

        permissions.register_grantable("category", Category)
        reports.register_report_kind(reports.post_kind())
        # Every login, by whichever door (password, second step, a key, a reset link),
        # gets a record on the member's sessions page.
        user_logged_in.connect(_record_login, dispatch_uid="forum.session_record")


def _record_login(sender, request, user, **kwargs):
    from forum.services import member_sessions

    if request is not None and request.session.session_key:
        member_sessions.record_login(request, user=user)
