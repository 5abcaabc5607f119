"""Writes about people: organisations, invitations, joining, profiles and their groups."""

import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model, logout, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum.ids import hash_token
from forum.models import Invitation, Organisation, Profile, StandingScope
from forum.models.people import (
    DIASPORA_GROUP, IN_COUNTRY_GROUP, MEMBERS_GROUP, RESERVED_GROUP_NAMES, Location,
)
from forum.names import display_name_key, normalise_display_name
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


def create_invitation(
    *, by: User | None, organisation: Organisation | None = None, days: int = 7
) -> tuple[Invitation, str]:
    """Make a single-use invitation; return it with its token, which is shown once."""
    if by is not None and not by.is_staff:
        raise PermissionDenied
    if not 1 <= days <= 90:
        raise ValidationError(_("An invitation lasts between 1 and 90 days."), code="days")
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        token_hash=hash_token(token),
        organisation=organisation,
        created_by=by,
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
        if Profile.objects.filter(display_name_key=display_name_key(name)).exists():
            raise ValidationError(_("This display name is taken."), code="display_name_taken")
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
                    display_name=name,
                    display_name_key=display_name_key(name),
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
    with transaction.atomic():
        if is_superuser:
            user = User.objects.create_superuser(username=username, password=password)
        else:
            user = User.objects.create_user(username=username, password=password)
        Profile.objects.create(
            user=user, display_name=name, display_name_key=display_name_key(name),
            organisation=organisation, location=location, language=language,
            invited_by=invited_by,
        )
        sync_groups(user)
    return user


def update_profile(
    profile: Profile, *, display_name: str | None = None, location: str | None = None,
    organisation: Organisation | None = ..., language: str | None = None,
    hide_presence: bool | None = None, watch_what_i_write: bool | None = None,
    email: str | None = None, digest: str | None = None,
) -> Profile:
    """Change a profile; the member's groups follow their location and organisation."""
    with transaction.atomic():
        if display_name is not None:
            name = normalise_display_name(display_name)
            key = display_name_key(name)
            if Profile.objects.filter(display_name_key=key).exclude(pk=profile.pk).exists():
                raise ValidationError(_("This display name is taken."), code="display_name_taken")
            profile.display_name, profile.display_name_key = name, key
        if location is not None:
            if location not in Location.values:
                raise ValidationError(_("Choose where you are."), code="location")
            profile.location = location
        if organisation is not ...:
            profile.organisation = organisation
        if language is not None and language in ("ar", "en"):
            profile.language = language
        if hide_presence is not None:
            profile.hide_presence = hide_presence
        if watch_what_i_write is not None:
            profile.watch_what_i_write = watch_what_i_write
        if email is not None:
            profile.email = email.strip()
        if digest is not None:
            if digest not in ("none", "daily", "weekly"):
                raise ValidationError(_("Choose how often to receive a digest."), code="digest")
            if digest != "none" and not profile.email:
                raise ValidationError({"email": _("A digest needs an e-mail address.")})
            profile.digest = digest
        profile.full_clean(exclude=["user", "organisation", "invited_by", "display_name_key"])
        profile.save()
        sync_groups(profile.user)
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
    sessions_changed(user)


def sessions_changed(user: User) -> None:
    """After a password change or a disabled account: each socket re-checks its session."""
    standing_changed(StandingScope.USER, user.pk)


def set_account_active(*, user: User, active: bool, by: User) -> User:
    """Disable (or re-enable) an account; a disabled member's sockets close at once."""
    if not by.is_superuser:
        raise PermissionDenied
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=active)
        user.is_active = active
        sessions_changed(user)
    return user
