"""Rooms, their messages, bans, mutes, reports and the table of open sockets."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from forum.ids import new_public_id
from forum.models.moderation import REASON_MAX, Report

BODY_MAX = 4000
CLIENT_ID_MAX = 64
TOPIC_MAX = 500


class Room(models.Model):
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=120)
    topic = models.CharField(_("topic"), max_length=TOPIC_MAX, blank=True)
    retention_days = models.PositiveIntegerField(
        _("keep messages for (days)"), null=True, blank=True,
        help_text=_("Leave empty to keep messages for ever."),
    )
    slow_mode_seconds = models.PositiveIntegerField(_("slow mode (seconds)"), default=0)
    read_only = models.BooleanField(_("read-only"), default=False)
    # Uploaders may have the untouched original of a file kept as evidence (attachments/evidence/).
    keep_evidence = models.BooleanField(_("keeps originals as evidence"), default=False)
    # `seq` numbers messages 1, 2, 3… and `rev` counts every change to them. Both are
    # advanced by the services under a lock on this row, so commit order is counter order.
    seq = models.PositiveBigIntegerField(default=0, editable=False)
    rev = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "slug"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        # view_room comes with Django's default permissions.
        permissions = [
            ("post_in_room", _("Can write in the room")),
            ("moderate_room", _("Can moderate the room")),
            # Granted on its own: neither moderation nor being a coalition admin implies it.
            ("handle_evidence", _("Can read the originals kept as evidence")),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("room", args=[self.slug])


# Direct foreign keys (not guardian's generic tables): a deleted room takes its grants
# with it, and permission lookups are joins.
class RoomUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Room, on_delete=models.CASCADE)


class RoomGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Room, on_delete=models.CASCADE)


class RoomMessage(models.Model):
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveBigIntegerField(editable=False)
    # The room's `rev` at this message's last change (creation, edit or deletion).
    rev = models.PositiveBigIntegerField(editable=False)
    # Null once the author deleted their account: shown as "former member" (forum/former.py).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="room_messages"
    )
    body_source = models.TextField(max_length=BODY_MAX, blank=True)
    body_html = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now, editable=False)
    edited = models.DateTimeField(null=True, blank=True)
    # A deleted message stays as a tombstone, without its text, so that every client
    # learns of the deletion when it catches up by `rev`.
    deleted = models.BooleanField(default=False)
    # Chosen by the client: a message re-sent after a reconnect is stored once.
    client_id = models.CharField(max_length=CLIENT_ID_MAX, editable=False)

    moderation_kind = "message"  # what the moderation record calls it (forum.services.audit)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("room message")
        verbose_name_plural = _("room messages")
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="one_message_per_room_seq"),
            models.UniqueConstraint(
                fields=["room", "author", "client_id"], name="one_message_per_client_id"
            ),
        ]
        indexes = [
            models.Index(fields=["room", "rev"], name="room_message_rev"),
            # Flood control and slow mode look at an author's latest messages in a room.
            models.Index(fields=["room", "author", "created"], name="room_message_author_created"),
            models.Index(fields=["room", "created"], name="room_message_created"),
        ]

    def __str__(self) -> str:
        return f"{self.room.slug} #{self.seq}"


class MessageRevision(models.Model):
    """A room message's text before an edit, kept for the room's moderators (as a post's
    PostRevision is). A deletion of the message takes its revisions with it."""

    message = models.ForeignKey(RoomMessage, on_delete=models.CASCADE, related_name="revisions")
    body_source = models.TextField()
    body_html = models.TextField()
    # When this text was replaced: the edit's time (flood control counts edits by it).
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("earlier version of a message")
        verbose_name_plural = _("earlier versions of messages")
        indexes = [models.Index(fields=["message", "created_at"], name="message_revision_created")]

    def __str__(self) -> str:
        return f"{self.message_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class RoomSanction(models.Model):
    """A ban or a mute of one member in one room, until a time (or until lifted)."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="+", verbose_name=_("room"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("member")
    )
    until = models.DateTimeField(_("until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=REASON_MAX, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("by"),
    )
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.room.slug}: {self.user}"

    @property
    def is_active(self) -> bool:
        return self.until is None or self.until > timezone.now()


class RoomBan(RoomSanction):
    """While active, the member cannot open the room at all (their sockets close with 4403)."""

    class Meta:
        verbose_name = _("room ban")
        verbose_name_plural = _("room bans")
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="one_ban_per_room_member")]


class RoomMute(RoomSanction):
    """While active, the member reads the room but every `send` answers `muted`."""

    until = models.DateTimeField(_("until"))

    class Meta:
        verbose_name = _("room mute")
        verbose_name_plural = _("room mutes")
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="one_mute_per_room_member")]


class MessageReport(Report):
    message = models.ForeignKey(RoomMessage, on_delete=models.CASCADE, related_name="reports")

    target_field = "message"

    class Meta(Report.Meta):
        verbose_name = _("message report")
        verbose_name_plural = _("message reports")
        constraints = [
            models.UniqueConstraint(
                fields=["message", "reporter"], condition=models.Q(status="open"),
                name="one_open_report_per_member_and_message",
            ),
        ]


class OpenSocket(models.Model):
    """One row per open room socket, so presence is right across several processes.

    `seen_at` is refreshed by each socket's periodic re-check: rows of a process that
    died without closing its sockets stop counting after a few missed refreshes.
    """

    channel_name = models.CharField(max_length=200, unique=True)
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["room", "seen_at"], name="open_socket_room_seen"),
            # Whether a member is online in a room: a connect asks it, however full the room.
            models.Index(fields=["room", "user", "seen_at"], name="open_socket_room_user"),
        ]

    def __str__(self) -> str:
        return self.channel_name


class RoomRead(models.Model):
    """How far a member has read in a room: the `seq` of the newest message they were shown."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "room"], name="one_read_position_per_room")]
