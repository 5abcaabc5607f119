"""What members follow, and what they are told.

A follow or a notification may point at a thread, a category or a room; rooms belong to
the realtime app, which the forum never imports, so both point generically (content type
and primary key). A notification also keeps its *scope* (the category or room it comes
from), so that a member who loses the grant stops seeing its text.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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


class Notification(models.Model):
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=12, choices=NotificationKind.choices)
    scope_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    scope_id = models.PositiveBigIntegerField()
    # Snapshot of what happened, shown only while the member can still view the scope.
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=200)
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
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"


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
