from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumConfig(AppConfig):
    name = "forum"
    verbose_name = _("Forum")

    def ready(self):
        from forum import permissions, reports
        from forum.models import Category

        permissions.register_grantable("category", Category)
        reports.register_report_kind(reports.post_kind())
