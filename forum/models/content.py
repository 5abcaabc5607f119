"""The forum: categories (with their grants), threads, posts and the versions of a post."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from forum.ids import new_public_id

TITLE_MAX = 200
BODY_MAX = 20_000


class Category(models.Model):
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=1000)
    requires_approval = models.BooleanField(_("posts need a moderator's approval"), default=False)
    # Uploaders may have the untouched original of a file kept as evidence (attachments/evidence/).
    keep_evidence = models.BooleanField(_("keeps originals as evidence"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        # view_category comes with Django's default permissions.
        permissions = [
            ("post_in_category", _("Can start threads and reply in the category")),
            ("moderate_category", _("Can moderate the category")),
            # Granted on its own: neither moderation nor being a coalition admin implies it.
            ("handle_evidence", _("Can read the originals kept as evidence")),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("category", args=[self.slug])


# Direct foreign keys (not guardian's generic tables): a deleted category takes its
# grants with it, and permission lookups are joins.
class CategoryUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Category, on_delete=models.CASCADE)


class CategoryGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Category, on_delete=models.CASCADE)


class Status(models.TextChoices):
    APPROVED = "approved", _("approved")
    PENDING = "pending", _("pending approval")
    REJECTED = "rejected", _("rejected")


class Thread(models.Model):
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="threads")
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    # Null once the author deleted their account: shown as "former member" (forum/former.py).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="threads"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPROVED)
    is_pinned = models.BooleanField(_("pinned"), default=False)
    is_locked = models.BooleanField(_("locked"), default=False)
    # Hiding the opening post hides the thread from members.
    is_hidden = models.BooleanField(_("hidden"), default=False)
    reply_count = models.PositiveIntegerField(default=0)
    last_post = models.ForeignKey(
        "Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_activity_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        indexes = [models.Index(fields=["category", "-is_pinned", "-last_activity_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("thread", args=[self.public_id])


class Post(models.Model):
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    # Null once the author deleted their account: shown as "former member" (forum/former.py).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="posts"
    )
    body_source = models.TextField(max_length=BODY_MAX)
    body_html = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPROVED)
    is_opening = models.BooleanField(default=False, editable=False)
    # The post this one quotes: its author is told of the reply (now, or on approval).
    reply_to = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    is_hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(max_length=500, blank=True)
    # One post per submitted form: the same form sent twice carries the same token.
    submit_token = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [
            models.UniqueConstraint(fields=["author", "submit_token"], name="one_post_per_submission"),
        ]
        indexes = [models.Index(fields=["thread", "created_at"])]

    def __str__(self) -> str:
        return f"{self.thread} #{self.public_id}"

    def get_absolute_url(self) -> str:
        # /p/<id>/ redirects to the page of its thread that holds the post, at the post
        # (which page depends on the reader: moderators also see waiting posts).
        return reverse("post", args=[self.public_id])


class PostRevision(models.Model):
    """A post's text before an edit, kept for moderators."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body_source = models.TextField()
    body_html = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.post_id} @ {self.created_at:%Y-%m-%d %H:%M}"


PUBLIC_POSTS = Q(status=Status.APPROVED)
