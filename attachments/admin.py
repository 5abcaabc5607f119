"""Admin: the custody log, read only (attachments/evidence/models.py: append-only).

The originals themselves are not listed here: only members granted `handle_evidence` on
a place see even their names, on its evidence page.
"""

from django.contrib import admin

from attachments.evidence.models import CustodyEntry
from forum.admin import ReadOnlyAdmin


@admin.register(CustodyEntry)
class CustodyEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "original_public_id", "category", "room", "actor", "via", "outcome",
                    "reason")
    list_filter = ("action", "outcome")
    list_select_related = ("actor", "category", "room")
    date_hierarchy = "created_at"
