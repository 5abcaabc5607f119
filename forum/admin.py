"""Admin: coalition admins read and manage; every write goes through a service."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from forum.models import Invitation, Organisation, Profile
from forum.services import accounts as services


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_ar", "name_en", "region")
    search_fields = ("slug", "name_ar", "name_en")

    def get_readonly_fields(self, request, obj=None):
        # The slug names the organisation's group, which grants point at.
        return ("slug",) if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name_ar", "name_en", "region"])
        else:
            created = services.create_organisation(
                slug=obj.slug, name_ar=obj.name_ar, name_en=obj.name_en, region=obj.region
            )
            obj.pk, obj.group = created.pk, created.group


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
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

    def save_model(self, request, obj, form, change):
        services.update_profile(
            Profile.objects.get(pk=obj.pk),
            display_name=form.cleaned_data["display_name"],
            location=form.cleaned_data["location"],
            organisation=form.cleaned_data["organisation"],
            language=form.cleaned_data["language"],
            hide_presence=form.cleaned_data["hide_presence"],
        )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations are made on the invitations page or with `manage.py invite`."""

    list_display = ("created_at", "created_by", "organisation", "expires_at", "used_at", "used_by")
    list_select_related = ("created_by", "organisation", "used_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
