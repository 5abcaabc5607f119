"""Admin: coalition admins manage rooms, bans and mutes; every write goes through a service.

Messages and reports are read-only here: moderators act on them in the room and in
/moderation/, where each action is recorded. A refusal is shown as forum.admin's
`ServiceErrors` shows every one.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from attachments.evidence import places as evidence_places
from forum.admin import ReadOnlyAdmin, ReportAdmin, ServiceAdmin
from forum.models import Action
from realtime import services
from realtime.models import MessageReport, Room, RoomBan, RoomMessage, RoomMute


def _why_not_deletable(room) -> str | None:
    try:
        evidence_places.check_deletable(room)
    except ValidationError as error:
        return " ".join(error.messages)
    return None


@admin.register(Room)
class RoomAdmin(ServiceAdmin):
    list_display = ("slug", "name", "retention_days", "slow_mode_seconds", "read_only", "seq")
    search_fields = ("slug", "name")
    fields = ("slug", "name", "topic", "retention_days", "slow_mode_seconds", "read_only", "seq", "rev", "created_at")
    readonly_fields = ("seq", "rev", "created_at")
    actions = ["delete_rooms"]

    def get_readonly_fields(self, request, obj=None):
        # Grants, sockets and links point at the slug.
        return self.readonly_fields + (("slug",) if obj else ())

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
            services.set_slow_mode(by=request.user, room=room, seconds=data["slow_mode_seconds"])
        if "read_only" in form.changed_data:
            services.set_read_only(by=request.user, room=room, on=data["read_only"])

    def has_delete_permission(self, request, obj=None):
        # A room whose locker holds originals cannot be deleted: not offered, as refused.
        if obj is not None and _why_not_deletable(obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        services.delete_room(by=request.user, room=obj)

    @admin.action(description=_("Delete the selected rooms"), permissions=["delete"])
    def delete_rooms(self, request, queryset):
        rooms = list(queryset)
        # All or none: a refusal halfway would leave some deleted and a 500.
        for room in rooms:
            if (reason := _why_not_deletable(room)) is not None:
                self.message_user(request, f"{room.name}: {reason}", level=messages.ERROR)
                return
        for room in rooms:
            services.delete_room(by=request.user, room=room)


class _SanctionAdmin(ServiceAdmin):
    list_display = ("room", "user", "until", "reason", "by", "created")
    list_filter = ("room",)
    list_select_related = ("room", "user", "by")
    fields = ("room", "user", "until", "reason")
    raw_id_fields = ("user",)
    impose = lift = ""  # the actions of services.sanction that put it on and take it off

    def get_readonly_fields(self, request, obj=None):
        return ("room", "user") if obj else ()

    def save_model(self, request, obj, form, change):
        imposed = services.sanction(
            action=self.impose, by=request.user, room=obj.room, member=obj.user, until=obj.until, reason=obj.reason,
        )
        obj.pk = imposed.pk

    def delete_model(self, request, obj):
        services.sanction(action=self.lift, by=request.user, room=obj.room, member=obj.user)


@admin.register(RoomBan)
class RoomBanAdmin(_SanctionAdmin):
    impose, lift = Action.BAN, Action.UNBAN


@admin.register(RoomMute)
class RoomMuteAdmin(_SanctionAdmin):
    impose, lift = Action.MUTE, Action.UNMUTE


@admin.register(RoomMessage)
class RoomMessageAdmin(ReadOnlyAdmin):
    list_display = ("room", "seq", "author", "created", "edited", "deleted")
    list_filter = ("room", "deleted")
    list_select_related = ("room", "author")
    search_fields = ("public_id",)


@admin.register(MessageReport)
class MessageReportAdmin(ReportAdmin):
    list_select_related = ("message__room",)
