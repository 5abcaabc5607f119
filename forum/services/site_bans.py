"""A coalition-wide ban (issue 14, item 4): one decision keeps a member out of every place.

A coalition admin bans with a reason, for some days or until lifted. At once the
member's open sockets close with 4403 (banned), every session of theirs ends, and they
cannot log in until the ban ends (forum/views/login.py asks `ban_in_force`). Their grants
are left as they were, so lifting the ban (or its end) gives them back what they had.
The transparency log shows the ban to every member, with the admin and the reason:
there is no reporter in it to name.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum import permissions
from forum.models import Action, SiteBan, StandingScope
from forum.services import member_sessions
from forum.services.audit import clean_reason, record_moderation_event
from forum.services.standing import standing_changed
from realtime import broadcast

User = get_user_model()
MAX_DAYS = 3650


def check_ban_everywhere(by) -> None:
    permissions.check_coalition_admin(by, _("Only coalition admins can ban from the whole coalition."))


def ban_in_force(user) -> SiteBan | None:
    return SiteBan.objects.in_force().filter(user=user).first()


def bans_in_force():
    return SiteBan.objects.in_force().select_related("user__profile", "by__profile").order_by("-created_at")


def ban_everywhere(*, by, member, reason: str, days: int | None) -> SiteBan:
    """Ban `member` from every room and category, for `days` (None: until lifted)."""
    check_ban_everywhere(by)
    reason = clean_reason(reason)
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": ValidationError(
            _("A ban lasts between 1 and %(max)d days, or until it is lifted.") % {"max": MAX_DAYS}, code="days")})
    if member.pk == by.pk or member.is_superuser:
        raise ValidationError({"username": ValidationError(_("A coalition admin cannot be banned here."),
                                                           code="admin")})
    until = timezone.now() + timedelta(days=days) if days else None
    with transaction.atomic():
        ban, _created = SiteBan.objects.update_or_create(
            user=member, defaults={"reason": reason, "until": until, "by": by, "created_at": timezone.now()})
        record_moderation_event(actor=by, action=Action.SITE_BAN, scope=member.profile, target=member,
                                reason=reason, details={"until": until.isoformat() if until else None})
        # 4403 first, on every socket of theirs; then their sessions go (whose own order, 4401,
        # finds the sockets closed already).
        broadcast.publish_event_on_commit(broadcast.user_group(member.pk), "socket.close", code=broadcast.BANNED)
        member_sessions.end_other_sessions(user=member, keep_session_key=None)
        standing_changed(StandingScope.USER, member.pk)
    return ban


def lift_ban(*, by, member) -> None:
    check_ban_everywhere(by)
    with transaction.atomic():
        if not SiteBan.objects.filter(user=member).delete()[0]:
            raise ValidationError({"username": ValidationError(_("This member is not banned."), code="not_banned")})
        record_moderation_event(actor=by, action=Action.SITE_UNBAN, scope=member.profile, target=member)
