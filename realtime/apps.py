from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RealtimeConfig(AppConfig):
    name = "realtime"
    verbose_name = _("Real-time rooms")

    def ready(self):
        from forum import permissions, reports
        from realtime.models import Room
        from realtime.reports import message_kind
        from realtime.selectors import visible_rooms

        # `manage.py grant post_in_room room:SLUG group:NAME` then works on rooms; and
        # lists of places (notifications, the log) see rooms as a banned member does.
        permissions.register_grantable("room", Room, visible=visible_rooms)
        # Reports of messages go through the forum's one moderation stack and queue.
        reports.register_report_kind(message_kind())
