"""Deleting one's account (issue 13, item 4; DESIGN.md, Accounts).

The member confirms with their password and chooses what becomes of their words:
- `keep`: posts, threads and room messages stay, under "former member" (the author set to
  null: no id, no link, nothing that leads back to them; forum/former.py);
- `erase`: room messages become tombstones, as a deletion leaves them, and posts become
  "removed" (the text replaced, earlier versions deleted), so conversations keep their shape;
  their files are deleted, rows and disk (attachments/leaving.py).
Either way, the originals they kept as evidence go too, unless they chose at upload to keep
them past their account (then they stay in the locker, their uploader null).

Either way the account row goes, and with it, table by table (every table that points at a
member was read for this):
- deleted (by the cascade or here): profile, follows, notifications, digests sent, second
  factors (TOTP, recovery codes, security keys and their handle), grants given to the
  member, room bans and mutes on them, open-socket rows (presence), reset links for them,
  every session of theirs (their sockets close with 4401), invitations they made that
  nobody used, django-axes' records of their username, the admin's history of changes to
  their account (it names them);
- kept without them (set to null): reports they made (the moderators still need them),
  the moderation record (an event they did or that concerned them keeps its text; the
  member's public id is blanked where it named them), bans and mutes they imposed,
  invitations they made that were used (their invitees were invited by "a former
  member"), the invitation they joined with (their inviter's vouching record shows "a
  former member"), the password reset links they made;
- other members' notifications that named them now say "former member".
Their username cannot be taken again for 90 days (`RetiredUsername`, a hash only).
"""

from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override
from django_otp import devices_for_user

from forum import erasure
from forum.former import FORMER_MEMBER
from forum.ids import hash_token
from forum.leaving import holdings
from forum.models import (
    Invitation, ModerationEvent, Notification, Post, PostRevision, Profile, RetiredUsername,
    Thread,
)
from forum.models.following import isolate
from forum.services import member_sessions
from search import index as search_index

User = get_user_model()

KEEP, ERASE = "keep", "erase"
USERNAME_HELD_FOR = timedelta(days=90)
# What erased text is replaced with, stored in the site's language (Arabic first).
REMOVED_POST = gettext_noop("This post was removed by its author.")
REMOVED_THREAD = gettext_noop("Removed thread")


def check_password(user, password: str) -> None:
    """Leaving and exporting are confirmed with the password (a ValidationError on `password`)."""
    if not user.check_password(password or ""):
        raise ValidationError({"password": ValidationError(_("That password is not right."), code="password")})


def username_key(username: str) -> str:
    """What is kept of a username given up: the hash of its normalised, case-folded form."""
    return hash_token(User.normalize_username(username).casefold())


def check_username_free(username: str, now=None) -> None:
    """Refuse a username that a member gave up less than 90 days ago."""
    if RetiredUsername.objects.filter(name_hash=username_key(username), expires_at__gt=now or timezone.now()).exists():
        raise ValidationError(
            _("This username belonged to a member who left recently; it cannot be taken yet. Choose another."),
            code="username_retired",
        )


def forget_retired_usernames(now=None) -> int:
    """Drop the holds that ended (`purge_expired`, from cron)."""
    return RetiredUsername.objects.filter(expires_at__lte=now or timezone.now()).delete()[0]


def delete_account(*, user, password: str, content: str) -> None:
    """The member leaves: checked, then all of it or nothing (the module's docstring says what goes)."""
    if content not in (KEEP, ERASE):
        raise ValidationError({"content": ValidationError(_("Choose what becomes of your posts and messages."),
                                                          code="content")})
    check_password(user, password)
    profile = Profile.objects.get(user=user)
    with transaction.atomic():
        if content == ERASE:
            _erase_posts(user)
            for holding in holdings():
                holding.erase(user)
        for holding in holdings():
            if holding.leave is not None:
                holding.leave(user)
        _unname_in_notifications(user, profile)
        _unname_in_the_record(user, profile)
        Invitation.objects.filter(created_by=user, used_at__isnull=True).delete()
        for device in devices_for_user(user, confirmed=None):
            device.delete()
        member_sessions.end_other_sessions(user=user, keep_session_key=None)
        for model in (AccessAttempt, AccessFailureLog, AccessLog):
            model.objects.filter(username=user.get_username()).delete()
        LogEntry.objects.filter(
            content_type__in=[ContentType.objects.get_for_model(m) for m in (User, Profile)],
            object_id__in=[str(user.pk), str(profile.pk)],
        ).delete()
        RetiredUsername.objects.update_or_create(
            name_hash=username_key(user.get_username()),
            defaults={"expires_at": timezone.now() + USERNAME_HELD_FOR},
        )
        indexed = search_index.rows_of_member(user)
        user.delete()  # the cascade and the nulls of the module's docstring
        search_index.refresh_rows(*indexed)  # kept words are a former member's: no id of theirs stays
        erasure.scrub_after_commit()


def _erase_posts(user) -> None:
    """Posts become "removed" and threads opened by the member lose their title."""
    with override(settings.LANGUAGE_CODE):  # stored once, in the site's language
        removed_html = f'<p class="removed">{escape(_(REMOVED_POST))}</p>'
        removed_title = _(REMOVED_THREAD)
    PostRevision.objects.filter(post__author=user).delete()
    search_index.forget_posts(Post.objects.filter(author=user).values_list("pk", flat=True))
    Post.objects.filter(author=user).update(body_source="", body_html=removed_html, hidden_reason="")
    for thread in Thread.objects.filter(author=user):
        notes = Notification.objects.filter(
            Q(args__thread=thread.public_id) | Q(event_key__in=_event_keys(Post.objects.filter(thread=thread))))
        _rewrite_notifications(notes, "title", removed_title, isolate(Truncator(thread.title).chars(80)),
                               lambda _language: isolate(removed_title))
    Thread.objects.filter(author=user).update(title=removed_title)


def _event_keys(posts) -> list[str]:
    """The event keys other members' notifications of these posts were stored under."""
    ids = list(posts.values_list("public_id", flat=True))
    return [f"{kind}:{public_id}" for public_id in ids for kind in ("post", "pending")]


def _unname_in_notifications(user, profile: Profile) -> None:
    """Other members' notifications of the member's posts and messages named them: they
    now say "former member" (a name of None), each in its reader's language."""
    def former(language: str) -> str:
        with override(language):
            return isolate(_(FORMER_MEMBER))

    keys = _event_keys(Post.objects.filter(author=user))
    keys += [f"msg:{public_id}" for public_id in _message_ids(user)]
    notes = Notification.objects.filter(event_key__in=keys).exclude(user=user)
    _rewrite_notifications(notes, "name", None, isolate(profile.display_name), former)


def _message_ids(user) -> list[str]:
    return list(user.room_messages.values_list("public_id", flat=True))


def _rewrite_notifications(notes, argument: str, value, old: str, new_for) -> None:
    """Set one argument of the notifications (`name` or `title`); in a text kept whole from
    before arguments were stored, replace `old` with `new_for(reader's language)`."""
    for note in notes.select_related("user__profile"):
        if "text" in note.args:
            language = getattr(getattr(note.user, "profile", None), "language", "ar")
            note.args["text"] = note.args["text"].replace(old, new_for(language))
        elif argument in note.args:
            note.args[argument] = value
        else:
            continue
        note.save(update_fields=["args"])


def _unname_in_the_record(user, profile: Profile) -> None:
    """The moderation record keeps every event; where one named the member by their
    public id, or was filed under their account (password resets), the name goes."""
    ModerationEvent.objects.filter(target_kind__in=["member", "user"], target_id=profile.public_id).update(target_id="")
    ModerationEvent.objects.filter(scope_type=ContentType.objects.get_for_model(User), scope_id=user.pk).update(scope_id=0)
