"""The portal's stored records."""

from portal.models.audit import AuditEvent
from portal.models.case_review import CaseReview
from portal.models.draft import Draft
from portal.models.feedback import Feedback
from portal.models.incident import Incident, Reassessment
from portal.models.outbox import OutboxMessage
from portal.models.report import Attachment, CaseNote, QueueCount, ReferenceCounter, Report
from portal.models.resident_access import ResidentSignIn
from portal.models.satisfaction import SatisfactionQuestion
from portal.models.user import User
from portal.models.work import (
    CameraDeployment,
    DomesticHomicideReview,
    MediationRecord,
    PowerBreach,
    PowerUse,
    TargetHardeningRecord,
    TaskingAction,
    TaskingRecord,
)

__all__ = [
    "Attachment",
    "AuditEvent",
    "CameraDeployment",
    "CaseNote",
    "CaseReview",
    "DomesticHomicideReview",
    "Draft",
    "Feedback",
    "Incident",
    "MediationRecord",
    "OutboxMessage",
    "PowerBreach",
    "PowerUse",
    "QueueCount",
    "Reassessment",
    "ReferenceCounter",
    "Report",
    "ResidentSignIn",
    "SatisfactionQuestion",
    "TargetHardeningRecord",
    "TaskingAction",
    "TaskingRecord",
    "User",
]
