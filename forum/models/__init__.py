from .bans import SiteBan
from .content import (
    Category, CategoryGroupObjectPermission, CategoryUserObjectPermission, Post, PostRevision,
    Status, Thread,
)
from .factors import RecoveryCode, RecoveryCodes
from .following import (
    DigestFrequency, DigestSent, Follow, FollowLevel, Notification, NotificationKind,
)
from .leaving import PasswordResetLink, PasswordResetRequest, RetiredUsername
from .moderation import Action, ModerationEvent, PostReport, ReportStatus
from .people import Invitation, Organisation, Profile, SessionRecord
from .reading import CategoryRead, ThreadRead
from .standing import StandingChange, StandingScope

__all__ = [
    "Action", "Category", "CategoryGroupObjectPermission", "CategoryRead", "CategoryUserObjectPermission",
    "DigestFrequency", "DigestSent", "Follow", "FollowLevel", "Invitation", "ModerationEvent",
    "Notification", "NotificationKind", "Organisation", "PasswordResetLink", "PasswordResetRequest",
    "Post", "PostReport", "PostRevision", "Profile", "RecoveryCode", "RecoveryCodes", "ReportStatus",
    "RetiredUsername", "SessionRecord", "SiteBan", "StandingChange", "StandingScope", "Status", "Thread",
    "ThreadRead",
]
