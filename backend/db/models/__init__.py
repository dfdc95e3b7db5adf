"""Every table, one module each; importing this package registers them all on the metadata."""

from backend.db.models.audit_event import AuditEvent
from backend.db.models.base import SyncedModel, TimestampedModel
from backend.db.models.checklist_item import ChecklistItem
from backend.db.models.comment import Comment
from backend.db.models.detection_correction import DetectionCorrection
from backend.db.models.enterprise import Enterprise
from backend.db.models.finding import Finding
from backend.db.models.finding_photo import FindingPhoto
from backend.db.models.governance_plan import GovernancePlan
from backend.db.models.inspection import Inspection
from backend.db.models.job_outbox import JobOutbox
from backend.db.models.login_failure import LoginFailure
from backend.db.models.notification import Notification
from backend.db.models.notification_attempt import NotificationAttempt
from backend.db.models.park import Park
from backend.db.models.photo import Photo
from backend.db.models.photo_holder import PhotoHolder
from backend.db.models.rectification import Rectification
from backend.db.models.regulation_article import RegulationArticle
from backend.db.models.scope_exit import ScopeExit
from backend.db.models.sync_counter import CHANGE_COUNTER, SyncCounter
from backend.db.models.sync_mutation import SyncMutation
from backend.db.models.user import User

__all__ = [
    "CHANGE_COUNTER",
    "AuditEvent",
    "ChecklistItem",
    "Comment",
    "DetectionCorrection",
    "Enterprise",
    "Finding",
    "FindingPhoto",
    "GovernancePlan",
    "Inspection",
    "JobOutbox",
    "LoginFailure",
    "Notification",
    "NotificationAttempt",
    "Park",
    "Photo",
    "PhotoHolder",
    "Rectification",
    "RegulationArticle",
    "ScopeExit",
    "SyncCounter",
    "SyncMutation",
    "SyncedModel",
    "TimestampedModel",
    "User",
]
