"""Reports and the append-only record of every moderator action."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forum.ids import new_public_id

REASON_MAX = 500


class ReportStatus(models.TextChoices):
    OPEN = "open", _("open")
    RESOLVED = "resolved", _("resolved")
    DISMISSED = "dismissed", _("dismissed")


class Report(models.Model):
    """A member asks the moderators of a place to look at something in it.

    One base for every kind (a post here, a room message in realtime.models): one way in
    (forum.services.reports.report), one way out (`handle_report`), one queue. A kind adds
    the foreign key to what it reports. The reporter is never shown to the reported member,
    in the transparency log, in the queue or in the admin.
    """

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    # Null once the reporter deleted their account: the report stays, for the moderators.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=REASON_MAX)
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    # The name of the foreign key to what is reported (`post`, `message`).
    target_field = ""

    class Meta:
        abstract = True
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"report {self.public_id}"

    @property
    def target(self):
        return getattr(self, self.target_field)


class PostReport(Report):
    post = models.ForeignKey("forum.Post", on_delete=models.CASCADE, related_name="reports")

    target_field = "post"

    class Meta(Report.Meta):
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["post", "reporter"], condition=models.Q(status="open"),
                name="one_open_report_per_member_and_post",
            ),
        ]


class Action(models.TextChoices):
    APPROVE = "approve", _("approved a post")
    REJECT = "reject", _("rejected a post")
    HIDE = "hide", _("hid a post")
    UNHIDE = "unhide", _("unhid a post")
    LOCK = "lock", _("locked a thread")
    UNLOCK = "unlock", _("unlocked a thread")
    PIN = "pin", _("pinned a thread")
    UNPIN = "unpin", _("unpinned a thread")
    MOVE = "move", _("moved a thread")
    RESOLVE = "resolve", _("resolved a report")
    DISMISS = "dismiss", _("dismissed a report")
    DELETE = "delete", _("deleted a message")
    MUTE = "mute", _("muted a member")
    UNMUTE = "unmute", _("unmuted a member")
    BAN = "ban", _("banned a member")
    UNBAN = "unban", _("unbanned a member")
    SLOW_MODE = "slow_mode", _("changed slow mode")
    READ_ONLY = "read_only", _("changed read-only mode")
    GRANT = "grant", _("granted a permission")
    REVOKE = "revoke", _("revoked a permission")
    # Account recovery (forum/services/recovery.py): scope and target are the member.
    RESET_BY_EMAIL = "reset_by_email", _("reset a password by e-mail")
    RESET_LINK = "reset_link", _("made a password reset link")
    RESET_BY_LINK = "reset_by_link", _("reset a password with a link")
    # Coalition-wide (forum/services/site_bans.py): scope and target are the member.
    SITE_BAN = "site_ban", _("banned a member from the whole coalition")
    SITE_UNBAN = "site_unban", _("lifted a coalition-wide ban")
    # A place's `keep_evidence` (attachments/evidence/): scope is the place.
    KEEP_EVIDENCE = "keep_evidence", _("changed whether originals are kept as evidence")


class ModerationEvent(models.Model):
    """Who did what, where, to what, why and when. Written once, never changed.

    `scope` is the category or room the action happened in: the transparency log shows
    an event only to members who can view its scope.
    """

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    reason = models.CharField(max_length=REASON_MAX, blank=True)
    scope_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    scope_id = models.PositiveBigIntegerField()
    # The public id of the post, thread, message or member acted on.
    target_kind = models.CharField(max_length=16)
    target_id = models.CharField(max_length=32, blank=True)
    # The member whose text or standing the action concerns (never a reporter).
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("moderation event")
        verbose_name_plural = _("moderation events")
        indexes = [models.Index(fields=["scope_type", "scope_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"
