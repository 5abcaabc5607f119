from .content import (
    Category, CategoryGroupObjectPermission, CategoryUserObjectPermission, Post, PostRevision,
    Status, Thread,
)
from .factors import RecoveryCode, RecoveryCodes
from .following import (
    DigestFrequency, DigestSent, Follow, FollowLevel, Notification, NotificationKind,
)
from .moderation import Action, ModerationEvent, PostReport, ReportStatus
from .people import Invitation, Organisation, Profile
from .standing import StandingChange, StandingScope

__all__ = [
    "Action", "Category", "DigestFrequency", "DigestSent", "Follow", "FollowLevel",
    "Notification", "NotificationKind", "CategoryGroupObjectPermission", "CategoryUserObjectPermission",
    "Invitation", "ModerationEvent", "Organisation", "Post", "PostReport", "PostRevision",
    "Profile", "RecoveryCode", "RecoveryCodes", "ReportStatus", "StandingChange", "StandingScope",
    "Status", "Thread",
]
