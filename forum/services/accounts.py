"""Writes about people: organisations, invitations, joining, profiles and their groups."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model, logout, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum import checks, permissions
from forum.ids import hash_token
from forum.models import Invitation, Organisation, Profile, StandingScope
from forum.models.people import (
    DIASPORA_GROUP, IN_COUNTRY_GROUP, MEMBERS_GROUP, RESERVED_GROUP_NAMES, Location,
)
from forum.names import display_name_key, display_name_skeleton, normalise_display_name
from forum.services.leaving import check_username_free
from forum.services import member_sessions
from forum.services.standing import standing_changed
from realtime import broadcast

User = get_user_model()


class InvitationInvalid(Exception):
    """Unknown, used and expired invitations are one error: which one is nobody's business."""


def create_organisation(*, slug: str, name_ar: str, name_en: str, region: str) -> Organisation:
    """Create an organisation and the group its members' grants are given to."""
    if slug in RESERVED_GROUP_NAMES:
        raise ValidationError(_("This slug is reserved."), code="reserved")
    with transaction.atomic():
        group, _created = Group.objects.get_or_create(name=slug)
        return Organisation.objects.create(
            slug=slug, name_ar=name_ar, name_en=name_en, region=region, group=group
        )


def rename_organisation(organisation: Organisation, *, name_ar: str, name_en: str, region: str) -> Organisation:
    """Change an organisation's names or region (its slug names its group: it stays)."""
    organisation.name_ar, organisation.name_en, organisation.region = name_ar, name_en, region
    organisation.full_clean(exclude=["slug", "group"])
    organisation.save(update_fields=["name_ar", "name_en", "region"])
    return organisation


def create_invitation(
    *, by: User, organisation: Organisation | None = None, days: int = 7
) -> tuple[Invitation, str]:
    """A coalition admin, or a lead of the organisation, makes a single-use invitation;
    returned with its token, shown once. A lead holds at most MAJLIS_OPEN_INVITATIONS_PER_LEAD
    open invitations at a time."""
    checks.check_invite(by, organisation)
    with transaction.atomic():
        if not by.is_superuser:
            open_ones = Invitation.objects.select_for_update().filter(
                created_by=by, used_at__isnull=True, expires_at__gt=timezone.now())
            if len(open_ones) >= settings.MAJLIS_OPEN_INVITATIONS_PER_LEAD:
                raise ValidationError(_(
                    "You have %(count)d open invitations: take one back, or wait until one is used or expires."
                ) % {"count": len(open_ones)}, code="too_many")
        return do_create_invitation(created_by=by, organisation=organisation, days=days)


def revoke_invitation(*, by: User, invitation: Invitation) -> None:
    """Take back an invitation nobody used: its link stops working at once."""
    checks.check_revoke_invitation(by, invitation)
    Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(expires_at=timezone.now())


def do_create_invitation(
    *, created_by: User | None = None, organisation: Organisation | None = None, days: int = 7
) -> tuple[Invitation, str]:
    """`create_invitation` without asking who: the command line, where `created_by` is
    whoever vouches (for the audit trail), if anyone."""
    if not 1 <= days <= 90:
        raise ValidationError(_("An invitation lasts between 1 and 90 days."), code="days")
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        token_hash=hash_token(token),
        organisation=organisation,
        created_by=created_by,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return invitation, token


def join_with_invitation(
    *, token: str, username: str, display_name: str, location: str, password: str,
    language: str = "ar",
) -> User:
    """Spend an invitation on a new member: user, profile and groups, all or nothing."""
    name = normalise_display_name(display_name)
    if location not in Location.values:
        raise ValidationError(_("Choose where you are."), code="location")
    now = timezone.now()
    with transaction.atomic():
        invitation = Invitation.objects.filter(
            token_hash=hash_token(token), used_at__isnull=True, expires_at__gt=now
        ).select_related("organisation").first()
        if invitation is None:
            raise InvitationInvalid
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This username is taken."), code="username_taken")
        check_username_free(username, now)  # given up by a member who left, less than 90 days ago
        name_fields = _free_display_name(name)
        user = User(username=User.normalize_username(username))
        user.full_clean(exclude=["password"])
        password_validation.validate_password(password, user)
        user.set_password(password)
        user.save()
        # Claimed with a conditional UPDATE: of two joins racing on one token, one wins.
        claimed = Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
            used_at=now, used_by=user
        )
        if claimed != 1:
            raise InvitationInvalid
        try:
            with transaction.atomic():
                Profile.objects.create(
                    user=user,
                    **name_fields,
                    organisation=invitation.organisation,
                    location=location,
                    language=language if language in ("ar", "en") else "ar",
                    invited_by=invitation.created_by,
                )
        except IntegrityError:
            raise ValidationError(_("This display name is taken."), code="display_name_taken")
        sync_groups(user)
    return user


def create_member(
    *, username: str, password: str, display_name: str, location: str,
    organisation: Organisation | None = None, language: str = "ar",
    is_superuser: bool = False, invited_by: User | None = None,
) -> User:
    """Create a member without an invitation (command line, demo data and tests)."""
    name = normalise_display_name(display_name)
    check_username_free(username)  # given up by a member who left, less than 90 days ago
    with transaction.atomic():
        name_fields = _free_display_name(name)
        if is_superuser:
            user = User.objects.create_superuser(username=username, password=password)
        else:
            user = User.objects.create_user(username=username, password=password)
        Profile.objects.create(
            user=user, **name_fields, organisation=organisation, location=location, language=language,
            invited_by=invited_by,
        )
        sync_groups(user)
    return user


# A profile changes by intent: each setter below stores one thing, validated by its model
# field; the settings page stores several at once, all or nothing.

def _store(profile: Profile, **values) -> Profile:
    """Set some fields of a profile, each cleaned by its model field; nothing stored on an error."""
    errors = {}
    for name, value in values.items():
        try:
            setattr(profile, name, Profile._meta.get_field(name).clean(value, profile))
        except ValidationError as error:
            errors[name] = error.error_list
    if errors:
        raise ValidationError(errors)
    profile.save(update_fields=list(values))
    return profile


def _free_display_name(name: str, *, profile: Profile | None = None) -> dict[str, str]:
    """The stored fields of a normalised name, or ValidationError when another member's
    name is this one (`display_name_key`) or looks like it (`display_name_skeleton`).

    Call it inside the transaction that stores the name. The key is unique in the
    database; the skeleton is only indexed (members who looked alike before it existed
    keep their names), so this check is what refuses a look-alike. A member whose new name
    keeps their own skeleton is not refused for a look-alike they already had.
    """
    key, skeleton = display_name_key(name), display_name_skeleton(name)
    others = Profile.objects.exclude(pk=profile.pk) if profile else Profile.objects.all()
    if others.filter(display_name_key=key).exists():
        raise ValidationError(_("This display name is taken."), code="display_name_taken")
    unchanged = profile is not None and profile.display_name_skeleton == skeleton
    if not unchanged and others.filter(display_name_skeleton=skeleton).exists():
        raise ValidationError(
            _("This display name looks like another member's."), code="display_name_lookalike"
        )
    return {"display_name": name, "display_name_key": key, "display_name_skeleton": skeleton}


def set_display_name(profile: Profile, display_name: str) -> Profile:
    """Rename a member; refused when the name is, or looks like, another member's (forum.names)."""
    name = normalise_display_name(display_name)
    with transaction.atomic():
        return _store(profile, **_free_display_name(name, profile=profile))


def set_language(profile: Profile, language: str) -> Profile:
    return _store(profile, language=language)


def set_time_zone(profile: Profile, time_zone: str) -> Profile:
    """The IANA zone the member's pages show times in (forum/times.py)."""
    return _store(profile, time_zone=time_zone)


def set_presence_hidden(profile: Profile, hidden: bool) -> Profile:
    """Hide (or show) the member's presence and typing in rooms."""
    return _store(profile, hide_presence=hidden)


def set_watch_what_i_write(profile: Profile, watch: bool) -> Profile:
    """Whether writing in a thread makes the member watch it."""
    return _store(profile, watch_what_i_write=watch)


def set_load_full_pictures(profile: Profile, load: bool) -> Profile:
    """Whether pictures load in full at once, not only when tapped (their preview first)."""
    return _store(profile, load_full_pictures=load)


def set_digest(profile: Profile, digest: str, *, email: str | None = None) -> Profile:
    """How often a digest comes (never, daily, weekly) and, when given, the address it goes
    to: never shown to anyone, never used for anything else."""
    email = profile.email if email is None else email.strip()
    if digest not in ("none", "daily", "weekly"):
        raise ValidationError(_("Choose how often to receive a digest."), code="digest")
    if digest != "none" and not email:
        raise ValidationError({"email": _("A digest needs an e-mail address.")})
    return _store(profile, digest=digest, email=email)


def set_email(profile: Profile, email: str) -> Profile:
    return set_digest(profile, profile.digest, email=email)


def set_location(profile: Profile, location: str) -> Profile:
    """Inside the country or in the diaspora; the member's groups follow."""
    if location not in Location.values:
        raise ValidationError(_("Choose where you are."), code="location")
    with transaction.atomic():
        _store(profile, location=location)
        sync_groups(profile.user)
    return profile


def set_organisation(profile: Profile, organisation: Organisation | None) -> Profile:
    """The organisation a member belongs to (or none); the member's groups follow."""
    with transaction.atomic():
        profile.organisation = organisation
        profile.save(update_fields=["organisation"])
        sync_groups(profile.user)
    return profile


def save_settings(
    profile: Profile, *, display_name: str, language: str, time_zone: str, hide_presence: bool,
    watch_what_i_write: bool, email: str, digest: str, load_full_pictures: bool = False,
) -> Profile:
    """The member's own settings page: every field of it, or nothing."""
    with transaction.atomic():
        set_display_name(profile, display_name)
        set_language(profile, language)
        set_time_zone(profile, time_zone)
        set_presence_hidden(profile, hide_presence)
        set_watch_what_i_write(profile, watch_what_i_write)
        set_load_full_pictures(profile, load_full_pictures)
        set_digest(profile, digest, email=email)
    return profile


def change_member(
    profile: Profile, *, display_name: str, location: str, organisation: Organisation | None,
    language: str, hide_presence: bool,
) -> Profile:
    """A coalition admin's edit of a member in the admin: every field of it, or nothing."""
    with transaction.atomic():
        set_display_name(profile, display_name)
        set_location(profile, location)
        set_organisation(profile, organisation)
        set_language(profile, language)
        set_presence_hidden(profile, hide_presence)
    return profile


def sync_groups(user: User) -> None:
    """Put a member in exactly the managed groups their profile calls for."""
    profile = Profile.objects.select_related("organisation__group").get(user=user)
    wanted = {MEMBERS_GROUP, IN_COUNTRY_GROUP if profile.location == Location.IN_COUNTRY else DIASPORA_GROUP}
    for name in RESERVED_GROUP_NAMES:
        Group.objects.get_or_create(name=name)
    managed = Group.objects.filter(name__in=RESERVED_GROUP_NAMES) | Group.objects.filter(
        organisation__isnull=False
    )
    keep = [g for g in managed if g.name in wanted]
    if profile.organisation is not None:
        keep.append(profile.organisation.group)
    removed = list(managed.exclude(pk__in=[g.pk for g in keep]).filter(user=user))
    user.groups.remove(*removed)
    user.groups.add(*keep)
    if removed:  # a group's grants may have been all that let their sockets in
        standing_changed(StandingScope.USER, user.pk)


def log_out(request) -> None:
    """End this session and close its open sockets with 4401."""
    session_key, user = request.session.session_key, request.user
    logout(request)
    member_sessions.forget(session_key)
    if session_key:
        broadcast.close_sockets(broadcast.session_group(session_key), broadcast.SESSION_ENDED)
    if user.is_authenticated:  # the order above may be lost: every process re-checks
        standing_changed(StandingScope.USER, user.pk)


def password_changed(*, user: User, old_session_key: str | None, new_session_key: str | None) -> None:
    """After a member changed their password: their other sessions ended, this one lives on
    under a new key (Django rotates it). This session's open sockets follow it to the new
    key; every other session's sockets re-check and close with 4401."""
    if old_session_key and new_session_key and old_session_key != new_session_key:
        # Published first, so a socket of this session learns its new key before the
        # order to re-check reaches it on the same channel.
        broadcast.publish(broadcast.session_group(old_session_key), "session.rekeyed", key=new_session_key)
        member_sessions.rekeyed(old_key=old_session_key, new_key=new_session_key)
    # The other sessions no longer match the password: they go, with their records.
    member_sessions.end_other_sessions(user=user, keep_session_key=new_session_key)
    sessions_changed(user)


def sessions_changed(user: User) -> None:
    """After a password change or a disabled account: each socket re-checks its session."""
    standing_changed(StandingScope.USER, user.pk)


def set_account_active(*, user: User, active: bool, by: User) -> User:
    """Disable (or re-enable) an account; a disabled member's sockets close at once."""
    permissions.check_coalition_admin(by, _("Only coalition admins can disable or enable accounts."))
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=active)
        user.is_active = active
        sessions_changed(user)
    return user
