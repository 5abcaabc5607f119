from .content import (
    Category, CategoryGroupObjectPermission, CategoryUserObjectPermission, Post, PostRevision,
    Status, Thread,
)
from .moderation import Action, ModerationEvent, PostReport, ReportStatus
from .people import Invitation, Organisation, Profile

__all__ = [
    "Action", "Category", "CategoryGroupObjectPermission", "CategoryUserObjectPermission",
    "Invitation", "ModerationEvent", "Organisation", "Post", "PostReport", "PostRevision",
    "Profile", "ReportStatus", "Status", "Thread",
]
