"""What members follow, and what they are told.

A follow or a notification may point at a thread, a category or a room; rooms belong to
the realtime app, which the forum never imports, so both point generically (content type
and primary key). A notification also keeps its *scope* (the category or room it comes
from), so that a member who loses the grant stops seeing its text.

A notification stores no sentence: it keeps which sentence it is and that sentence's
arguments (`args`), and says it in its reader's language when it is shown.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, gettext, ngettext, override
from django.utils.translation import gettext_lazy as _

from forum.former import former_member
from forum.ids import new_public_id


class FollowLevel(models.TextChoices):
    WATCHING = "watching", _("Watching")
    NORMAL = "normal", _("Normal")
    MUTED = "muted", _("Muted")


class Follow(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    level = models.CharField(max_length=10, choices=FollowLevel.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "target_type", "target_id"], name="one_follow_per_target"),
        ]
        indexes = [models.Index(fields=["target_type", "target_id", "level"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.level} {self.target_type_id}:{self.target_id}"


class NotificationKind(models.TextChoices):
    POST = "post", _("New post")
    REPLY = "reply", _("Reply")
    MENTION = "mention", _("Mention")
    ROOM = "room", _("Room")
    MODERATION = "moderation", _("Moderation")


# When one event concerns a member in several ways, the most specific kind wins.
KIND_PRIORITY = [NotificationKind.MENTION, NotificationKind.REPLY, NotificationKind.POST]

# Unread notifications of these kinds fold into one per thread ("12 new posts in …");
# mentions and moderation notices are personal and stay one each.
FOLDED_KINDS = [NotificationKind.POST, NotificationKind.REPLY]

# Each sentence a notification can say, by its key in `args["t"]`, for a count of events:
# called when shown, so that gettext answers in the reader's language.
SENTENCES = {
    "post": lambda n: gettext("%(name)s posted in “%(title)s”") if n == 1 else ngettext(
        "%(count)d new post in “%(title)s”", "%(count)d new posts in “%(title)s”", n),
    "reply": lambda n: gettext("%(name)s replied to you in “%(title)s”") if n == 1 else ngettext(
        "%(count)d reply to you in “%(title)s”", "%(count)d replies to you in “%(title)s”", n),
    "mention": lambda n: gettext("%(name)s mentioned you in “%(title)s”"),
    "pending": lambda n: gettext("%(name)s's post in “%(title)s” awaits approval"),
    "room": lambda n: ngettext(
        "%(count)d new message in “%(title)s”", "%(count)d new messages in “%(title)s”", n),
    "rejected": lambda n: gettext("A moderator did not approve your post in “%(title)s”."),
    "hidden": lambda n: gettext("A moderator hid your post in “%(title)s”."),
}


def isolate(text: str) -> str:
    """User text inside a translated sentence, isolated so its direction cannot spill over."""
    return f"\u2068{text}\u2069"


def render_notification(args: dict, count: int = 1) -> str:
    """A notification's sentence in the active language.

    `args`: `t` (a key of SENTENCES), `name` (a member's display name; None for a former
    member), `title` (a thread's title or a room's name), `reason` (a moderator's), and
    `thread` (its public id, for the link's check). A row stored before sentences were
    kept this way says its old `text` as it was.
    """
    sentence = SENTENCES.get(args.get("t", ""))
    if sentence is None:
        return args.get("text", "")
    name = args.get("name")
    text = sentence(count) % {
        "count": count, "title": isolate(args.get("title") or ""),
        "name": isolate(former_member() if name is None else name),
    }
    if args.get("reason"):
        text = f"{text} {gettext('Reason:')} {args['reason']}"
    return text


class Notification(models.Model):
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=12, choices=NotificationKind.choices)
    scope_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    scope_id = models.PositiveBigIntegerField()
    # What happened (SENTENCES' key and its arguments, names and titles as they were then),
    # shown only while the member can still view the scope.
    args = models.JSONField(default=dict)
    url = models.CharField(max_length=200)
    # Unread notifications with the same group fold into one (FOLDED_KINDS: `kind:thread`).
    group = models.CharField(max_length=40, blank=True, default="")
    # One event, one notification per member (a retried fan-out stores nothing twice).
    event_key = models.CharField(max_length=64)
    count = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "event_key"], name="one_notification_per_event"),
            # `room`: one unread notification per room, counting its messages.
            models.UniqueConstraint(
                fields=["user", "scope_type", "scope_id"], condition=Q(kind="room", read_at__isnull=True),
                name="one_unread_room_notification",
            ),
            models.UniqueConstraint(
                fields=["user", "group"], condition=Q(read_at__isnull=True) & ~Q(group=""),
                name="one_unread_notification_per_group",
            ),
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"

    @property
    def text(self) -> str:
        """What it says, in its reader's language: their profile's (the one their pages use)."""
        profile = getattr(self.user, "profile", None)
        return self.text_in(getattr(profile, "language", "") or get_language() or settings.LANGUAGE_CODE)

    def text_in(self, language: str) -> str:
        with override(language):
            return render_notification(self.args, self.count)


class DigestFrequency(models.TextChoices):
    NONE = "none", _("Never")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


class DigestSent(models.Model):
    """What a digest run sent, so that running it twice sends nothing twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=10, choices=DigestFrequency.choices)
    period_start = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)
    counts = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "period", "period_start"], name="one_digest_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.period} digest for {self.user_id} from {self.period_start:%Y-%m-%d}"
