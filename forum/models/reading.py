"""How far each member has read: per thread, and "mark all read" per category.

A post is unread for a member when they may see it, someone else wrote it, it came after
they joined (or after they last marked its category read), and it is past the last post
they were shown in its thread. Rooms keep theirs beside the rooms (realtime.models.RoomRead).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ThreadRead(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey("forum.Thread", on_delete=models.CASCADE, related_name="+")
    # The id of the newest post they were shown (ids follow the order of writing); not a key,
    # so that a post's deletion leaves the position where it was.
    post_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "thread"], name="one_read_position_per_thread")]


class CategoryRead(models.Model):
    """Everything of the category written before `read_at` is read ("mark all read")."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("forum.Category", on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "category"], name="one_read_mark_per_category")]
