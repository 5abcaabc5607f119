"""Admin: coalition admins manage rooms, bans and mutes; every write goes through a service.

Messages and reports are read-only here: moderators act on them in the room and in
/moderation/, where each action is recorded.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from forum.admin import ReadOnlyAdmin
from realtime import services
from forum.errors import DomainError
from realtime.models import MessageReport, Room, RoomBan, RoomMessage, RoomMute


class _ServiceErrors:
    """Show a refused service call as an admin message instead of a server error."""

    def _call(self, request, action, **kwargs) -> bool:
        try:
            action(**kwargs)
        except (DomainError, ValidationError) as error:
            text = error.detail if isinstance(error, DomainError) else " ".join(error.messages)
            self.message_user(request, text, messages.ERROR)
            return False
        return True


@admin.register(Room)
class RoomAdmin(_ServiceErrors, admin.ModelAdmin):
    list_display = ("slug", "name", "retention_days", "slow_mode_seconds", "read_only", "seq")
    search_fields = ("slug", "name")
    fields = ("slug", "name", "topic", "retention_days", "slow_mode_seconds", "read_only", "seq", "rev", "created_at")
    readonly_fields = ("seq", "rev", "created_at")
    actions = ["delete_rooms"]

    def get_readonly_fields(self, request, obj=None):
        # Grants, sockets and links point at the slug.
        return self.readonly_fields + (("slug",) if obj else ())

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deletes without the service
        return actions

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            created = services.create_room(
                by=request.user, slug=data["slug"], name=data["name"], topic=data["topic"],
                retention_days=data["retention_days"], slow_mode_seconds=data["slow_mode_seconds"],
            )
            obj.pk = created.pk
            if data["read_only"]:
                services.set_read_only(by=request.user, room=created, on=True)
            return
        room = Room.objects.get(pk=obj.pk)
        services.update_room(
            by=request.user, room=room, name=data["name"], topic=data["topic"], retention_days=data["retention_days"],
        )
        if "slow_mode_seconds" in form.changed_data:
            self._call(request, services.set_slow_mode, by=request.user, room=room, seconds=data["slow_mode_seconds"])
        if "read_only" in form.changed_data:
            services.set_read_only(by=request.user, room=room, on=data["read_only"])

    def delete_model(self, request, obj):
        services.delete_room(by=request.user, room=obj)

    @admin.action(description=_("Delete the selected rooms"), permissions=["delete"])
    def delete_rooms(self, request, queryset):
        for room in queryset:
            services.delete_room(by=request.user, room=room)


class _SanctionAdmin(_ServiceErrors, admin.ModelAdmin):
    list_display = ("room", "user", "until", "reason", "by", "created")
    list_filter = ("room",)
    list_select_related = ("room", "user", "by")
    fields = ("room", "user", "until", "reason")
    raw_id_fields = ("user",)
    impose = lift = None  # the services that put the sanction on and take it off

    def get_readonly_fields(self, request, obj=None):
        return ("room", "user") if obj else ()

    def save_model(self, request, obj, form, change):
        self._call(
            request, type(self).impose, by=request.user, room=obj.room, member=obj.user,
            until=obj.until, reason=obj.reason,
        )

    def delete_model(self, request, obj):
        self._call(request, type(self).lift, by=request.user, room=obj.room, member=obj.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(RoomBan)
class RoomBanAdmin(_SanctionAdmin):
    impose, lift = staticmethod(services.ban_member), staticmethod(services.unban_member)


@admin.register(RoomMute)
class RoomMuteAdmin(_SanctionAdmin):
    impose, lift = staticmethod(services.mute_member), staticmethod(services.unmute_member)


@admin.register(RoomMessage)
class RoomMessageAdmin(ReadOnlyAdmin):
    list_display = ("room", "seq", "author", "created", "edited", "deleted")
    list_filter = ("room", "deleted")
    list_select_related = ("room", "author")
    search_fields = ("public_id",)


@admin.register(MessageReport)
class MessageReportAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "message", "status", "created_at", "handled_at")
    list_filter = ("status",)
    list_select_related = ("message__room",)
    # The reporter is never shown, not even here.
    exclude = ("reporter",)
