from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RealtimeConfig(AppConfig):
    name = "realtime"
    verbose_name = _("Real-time rooms")

    def ready(self):
        from forum import leaving, permissions, reports
        from realtime import leaving as room_leaving
        from realtime.models import Room
        from realtime.reports import message_kind
        from realtime.selectors import visible_rooms

        # `manage.py grant post_in_room room:SLUG group:NAME` then works on rooms; and
        # lists of places (notifications, the log) see rooms as a banned member does.
        permissions.register_grantable("room", Room, visible=visible_rooms)
        # Reports of messages go through the forum's one moderation stack and queue.
        reports.register_report_kind(message_kind())
        # A member who exports their data or leaves: their messages, through the forum's one way.
        leaving.register_holding(room_leaving.holding())
