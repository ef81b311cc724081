"""All models, imported here so Alembic and the app see one metadata."""

from app.models.audit import AuditEntry
from app.models.base import Base
from app.models.digest import DigestFrequency, DigestPreference, DigestRecord
from app.models.geo import BodyLevel, Region, RegionKind, StateBody, ThresholdRule
from app.models.integrity import (
    AlertRule,
    IntegrityAlert,
    InvalidationKind,
    InvalidationState,
    RateRule,
    RemovalCategory,
    RemovedSignatureCount,
    SignatureInvalidation,
)
from app.models.mail import OutboxEmail, OutboxStatus
from app.models.petition import (
    HIDING_CODES,
    Category,
    DecisionAction,
    ModerationDecision,
    Petition,
    PetitionAssuranceCount,
    PetitionHourlyCount,
    PetitionRegionCount,
    PetitionState,
    RejectionCode,
    Report,
    ReportReason,
    Signature,
    SignatureDelta,
    SignatureEvidence,
)
from app.models.review import CaseReassignment, CaseState, ReviewCase
from app.models.user import STAFF_ROLES, IdentityLevel, RecoveryCode, Role, User, UserRole, UserSession

__all__ = [
    "AlertRule",
    "IntegrityAlert",
    "RateRule",
    "InvalidationKind",
    "InvalidationState",
    "RemovalCategory",
    "RemovedSignatureCount",
    "SignatureInvalidation",
    "RecoveryCode",
    "UserSession",
    "DigestFrequency",
    "DigestPreference",
    "DigestRecord",
    "CaseState",
    "PetitionAssuranceCount",
    "PetitionHourlyCount",
    "PetitionRegionCount",
    "ReviewCase",
    "CaseReassignment",
    "SignatureDelta",
    "SignatureEvidence",
    "HIDING_CODES",
    "Category",
    "DecisionAction",
    "ModerationDecision",
    "Petition",
    "PetitionState",
    "RejectionCode",
    "Report",
    "ReportReason",
    "Signature",
    "AuditEntry",
    "Base",
    "BodyLevel",
    "OutboxEmail",
    "OutboxStatus",
    "Region",
    "RegionKind",
    "IdentityLevel",
    "Role",
    "STAFF_ROLES",
    "StateBody",
    "ThresholdRule",
    "User",
    "UserRole",
]
