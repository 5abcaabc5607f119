"""The standing log: one row each time who may see or do what changes anywhere.

Orders to open sockets travel over the channel layer, which delivers at most once, and
the embedded default's in-memory layer cannot reach daphne from another process (a
management command, a second worker). So every change of standing — a grant or revoke,
a ban, a disabled account, a password change, a thread hidden or moved — also writes a
row here in its own transaction. Each process reads the rows after the last one it saw,
every half second, and has the sockets they concern re-check before they forward
another frame (realtime/sockets/standing.py). Rows are only a signal: `purge_expired` drops
them after an hour.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StandingScope(models.TextChoices):
    """Whose sockets a change concerns, named by `key`."""

    ROOM = "room", _("room")            # key: the room's slug
    CATEGORY = "category", _("category")  # key: the category's pk
    THREAD = "thread", _("thread")      # key: the thread's public id
    USER = "user", _("user")            # key: the user's pk
    EVERYONE = "all", _("everyone")     # key: empty


class StandingChange(models.Model):
    # Never leaves the server: the id is a cursor for the processes that poll the log.
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    scope = models.CharField(max_length=16, choices=StandingScope.choices)
    key = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("standing change")
        verbose_name_plural = _("standing changes")

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
