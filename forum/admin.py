"""Admin: coalition admins read and manage; every write goes through a service.

What has no service is not written here: no bulk "delete selected", no deleting or adding
accounts, profiles, organisations, invitations or groups (an account without its profile
would answer 500 on every page of its own). What a service refuses is shown as a message,
translated in one place (`ServiceErrors`).
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from forum.errors import DomainError
from forum.models import Category, Invitation, ModerationEvent, Organisation, Post, PostReport, Profile, Thread
from forum.services import accounts as services
from forum.services import content, moderation, recovery


class ServiceErrors:
    """Where the admin translates what a service refuses (forum.errors, or a ValidationError):
    an error message on the page it came from instead of a server error. A form's save runs
    in Django's transaction, so a refusal stores nothing of it."""

    def changeform_view(self, request, *args, **kwargs):
        return self._showing_refusals(request, super().changeform_view, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        return self._showing_refusals(request, super().delete_view, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):  # where the admin's actions run
        return self._showing_refusals(request, super().changelist_view, *args, **kwargs)

    def _showing_refusals(self, request, view, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (DomainError, ValidationError) as error:
            text = error.detail if isinstance(error, DomainError) else " ".join(error.messages)
            self.message_user(request, text, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ServiceAdmin(ServiceErrors, admin.ModelAdmin):
    """A model written only through services: no bulk deletion, which would bypass them."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class ReadOnlyAdmin(ServiceAdmin):
    """Rows shown, never written here: changes go through the services (actions, pages)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(ServiceAdmin):
    list_display = ("slug", "name_ar", "name_en", "region")
    search_fields = ("slug", "name_ar", "name_en")

    def get_readonly_fields(self, request, obj=None):
        # The slug names the organisation's group, which grants point at.
        return ("slug",) if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            services.rename_organisation(
                Organisation.objects.get(pk=obj.pk), name_ar=obj.name_ar, name_en=obj.name_en, region=obj.region
            )
        else:
            created = services.create_organisation(
                slug=obj.slug, name_ar=obj.name_ar, name_en=obj.name_en, region=obj.region
            )
            obj.pk, obj.group = created.pk, created.group

    def has_delete_permission(self, request, obj=None):
        return False  # its group holds grants and members: there is no service to undo all that


@admin.register(Profile)
class ProfileAdmin(ServiceAdmin):
    list_display = ("display_name", "organisation", "location", "invited_by_name", "created_at")
    list_filter = ("location", "organisation")
    search_fields = ("display_name",)
    list_select_related = ("organisation", "invited_by__profile")
    readonly_fields = ("user", "public_id", "invited_by", "created_at")
    fields = ("user", "public_id", "display_name", "organisation", "location", "language",
              "hide_presence", "invited_by", "created_at")

    @admin.display(description=_("invited by"))
    def invited_by_name(self, profile):
        inviter = profile.invited_by
        return getattr(getattr(inviter, "profile", None), "display_name", None) or "—"

    def has_add_permission(self, request):
        return False  # members join by invitation

    def has_delete_permission(self, request, obj=None):
        return False  # an account without its profile answers 500; accounts are disabled instead

    def save_model(self, request, obj, form, change):
        services.change_member(
            Profile.objects.get(pk=obj.pk),
            display_name=form.cleaned_data["display_name"],
            location=form.cleaned_data["location"],
            organisation=form.cleaned_data["organisation"],
            language=form.cleaned_data["language"],
            hide_presence=form.cleaned_data["hide_presence"],
        )


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    """Read-only: invitations are made on the invitations page or with `manage.py invite`."""

    list_display = ("created_at", "created_by", "organisation", "expires_at", "used_at", "used_by")
    list_select_related = ("created_by", "organisation", "used_by")


@admin.register(Category)
class CategoryAdmin(ServiceAdmin):
    """Grants are given with `manage.py grant` (recorded and announced), not here."""

    list_display = ("slug", "name", "requires_approval", "position")

    def get_readonly_fields(self, request, obj=None):
        return ("slug",) if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            content.update_category(
                category=obj, by=request.user, name=obj.name, description=obj.description,
                requires_approval=obj.requires_approval, keep_evidence=obj.keep_evidence,
            )
        else:
            created = content.create_category(
                slug=obj.slug, name=obj.name, description=obj.description,
                requires_approval=obj.requires_approval, keep_evidence=obj.keep_evidence, by=request.user,
            )
            obj.pk = created.pk

    def has_delete_permission(self, request, obj=None):
        return False  # a category's threads and history stay; hide it by revoking its grants


def _each(service, **kwargs):
    def action(modeladmin, request, queryset):
        for obj in queryset:
            service(by=request.user, **{modeladmin.service_argument: obj}, **kwargs)
    return action


@admin.register(Thread)
class ThreadAdmin(ReadOnlyAdmin):
    service_argument = "thread"
    list_display = ("title", "category", "status", "is_pinned", "is_locked", "is_hidden", "last_activity_at")
    list_filter = ("category", "status", "is_pinned", "is_locked")
    list_select_related = ("category",)
    actions = ["lock", "unlock", "pin", "unpin"]
    lock = admin.action(description=_("Lock"))(_each(moderation.lock_thread))
    unlock = admin.action(description=_("Unlock"))(_each(moderation.unlock_thread))
    pin = admin.action(description=_("Pin"))(_each(moderation.pin_thread))
    unpin = admin.action(description=_("Unpin"))(_each(moderation.unpin_thread))


@admin.register(Post)
class PostAdmin(ReadOnlyAdmin):
    """Approve, reject, hide and unhide go through the moderation services, as on the site."""

    service_argument = "post"
    list_display = ("public_id", "thread", "status", "is_hidden", "created_at")
    list_filter = ("status", "is_hidden", "thread__category")
    list_select_related = ("thread",)
    actions = ["approve", "reject", "hide", "unhide"]
    approve = admin.action(description=_("Approve"))(_each(moderation.approve_post))
    reject = admin.action(description=_("Reject"))(_each(moderation.reject_post))
    hide = admin.action(description=_("Hide"))(_each(moderation.hide_post, reason="hidden from the admin"))
    unhide = admin.action(description=_("Unhide"))(_each(moderation.unhide_post))


@admin.register(ModerationEvent)
class ModerationEventAdmin(ReadOnlyAdmin):
    """The audit log: coalition admins read it; nobody edits or deletes it."""

    list_display = ("created_at", "who", "action", "scope_type", "scope_id", "target_kind", "target_id", "reason")
    list_filter = ("action", "scope_type")
    list_select_related = ("actor__profile", "scope_type")
    date_hierarchy = "created_at"

    @admin.display(description=_("actor"), ordering="actor")
    def who(self, event: ModerationEvent) -> str:
        """The admin or moderator, or what acted without one (`manage.py grant --system`)."""
        if event.actor is not None:
            profile = getattr(event.actor, "profile", None)
            return f"{profile.display_name} ({event.actor.username})" if profile else event.actor.username
        return (event.details or {}).get("via") or "—"


class ReportAdmin(ReadOnlyAdmin):
    """Reports are read and handled in /moderation/; here they are only listed, and who
    reported is never shown (not in the list, not on a report's page)."""

    list_filter = ("status",)
    exclude = ("reporter",)

    def get_list_display(self, request):
        return ("public_id", self.model.target_field, "status", "created_at", "handled_at")


@admin.register(PostReport)
class PostReportAdmin(ReportAdmin):
    list_select_related = ("post__thread",)


class MajlisUserAdmin(ServiceErrors, UserAdmin):
    """Django's user admin, plus: disabling an account or setting its password closes the
    sockets of the sessions that ended, at once. Accounts are neither added here (members
    join by invitation, with their profile) nor deleted (their words stay; disable them);
    groups follow a member's profile (organisation, location), and grants are per place."""

    actions = ["make_reset_link"]

    def get_readonly_fields(self, request, obj=None):
        return ("groups", "user_permissions", "last_login", "date_joined")

    @admin.action(description=_("Make a password reset link"))
    def make_reset_link(self, request, queryset):
        """The link is shown on the page that answers, once; only its hash is stored."""
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one member."), messages.ERROR)
            return None
        member = queryset.get()
        _link, token = recovery.make_reset_link(by=request.user, user=member)
        return TemplateResponse(request, "admin/forum/reset_link_made.html", {
            **self.admin_site.each_context(request), "member": member,
            "url": request.build_absolute_uri(reverse("reset_link", args=[token])),
            "title": _("Password reset link"),
        })

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change and "is_active" in form.changed_data:  # closes the sockets of a disabled account
            services.set_account_active(user=obj, active=obj.is_active, by=request.user)
        super().save_model(request, obj, form, change)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:  # the new password was saved
            services.sessions_changed(self.get_object(request, id))
        return response


class MajlisGroupAdmin(ServiceErrors, GroupAdmin):
    """Groups are read here: an organisation's group is made with it, the managed ones
    (members, in-country, diaspora) by the services; deleting one would take its grants
    away without telling the open sockets."""

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), MajlisUserAdmin)
admin.site.unregister(Group)
admin.site.register(Group, MajlisGroupAdmin)
