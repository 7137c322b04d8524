"""All ORM models; importing this package registers every table on one metadata for Alembic."""

from tradeline.models import appointment, lead_extra  # noqa: F401 - registers their tables
from tradeline.models.auth import ApiKey, Membership, User, UserSession
from tradeline.models.base import ENCRYPTED_COLUMNS, Base
from tradeline.models.contact import Contact, Lead
from tradeline.models.conversation import Conversation, ConversationTurn
from tradeline.models.knowledge import (
    KnowledgeChunk,
    KnowledgeEmbedding,
    KnowledgeGap,
    KnowledgePosting,
    KnowledgeSource,
    KnowledgeTerm,
)
from tradeline.models.ledger import AuditLog, ConsentRecord, SecurityAlert, UsageEvent
from tradeline.models.organization import BusinessProfile, Organization, PhoneNumber
from tradeline.models.reliability import ExternalEvent, IdempotencyKey, KeyRotation, SandboxOutbox
from tradeline.models.telephony import Call, CallEvent, Message, MessageEvent

__all__ = [
    "ENCRYPTED_COLUMNS",
    "ApiKey",
    "AuditLog",
    "Base",
    "BusinessProfile",
    "Call",
    "CallEvent",
    "ConsentRecord",
    "Contact",
    "Conversation",
    "ConversationTurn",
    "ExternalEvent",
    "IdempotencyKey",
    "KeyRotation",
    "KnowledgeChunk",
    "KnowledgeEmbedding",
    "KnowledgeGap",
    "KnowledgePosting",
    "KnowledgeSource",
    "KnowledgeTerm",
    "Lead",
    "Membership",
    "Message",
    "MessageEvent",
    "Organization",
    "PhoneNumber",
    "SandboxOutbox",
    "SecurityAlert",
    "UsageEvent",
    "User",
    "UserSession",
]
from tradeline.models.messaging import OutboundSms, SmsStatusCallback, Suppression  # noqa: F401
