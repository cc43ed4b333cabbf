"""The domain: forces, inspections and their findings, and the actions that answer them.

One module per part of it (`people`, `inspections`, `actions`, `reminders`, `notifications`), all
in the one `tracker` app with its one line of migrations; callers import from
here: `from tracker.models import Action`.
"""

from .actions import (
    AMBER_WITHIN_DAYS,
    PCC_RESPONSE_DAYS,
    PCC_RESPONSE_TITLE,
    Action,
    ActionQuerySet,
    AppendOnlyQuerySet,
    DeadlineChangeRequest,
    Evidence,
    ProgressUpdate,
    Rag,
    action_reference,
    days_late,
    evidence_upload_to,
    owned_or_helped_by,
    rag_for,
    rag_label,
)
from .api import ApiToken, token_digest
from .inspections import (
    Finding,
    FindingEvent,
    Grade,
    Inspection,
    NationalFinding,
    Question,
    Theme,
)
from .notifications import Notification, NotificationPreference
from .papers import Paper
from .people import FORCE_ROLES, Force, ForceQuerySet, Role, User, UserManager
from .reminders import Reminder, ReminderPolicy, ReminderPreference
from .webhooks import WEBHOOK_KINDS, Webhook, WebhookDelivery

__all__ = [
    "WEBHOOK_KINDS",
    "Webhook",
    "WebhookDelivery",
    "ApiToken",
    "AMBER_WITHIN_DAYS",
    "FORCE_ROLES",
    "PCC_RESPONSE_DAYS",
    "PCC_RESPONSE_TITLE",
    "Action",
    "ActionQuerySet",
    "AppendOnlyQuerySet",
    "DeadlineChangeRequest",
    "Evidence",
    "Finding",
    "FindingEvent",
    "Force",
    "ForceQuerySet",
    "Grade",
    "Inspection",
    "NationalFinding",
    "Notification",
    "NotificationPreference",
    "Paper",
    "ProgressUpdate",
    "Question",
    "Rag",
    "Reminder",
    "ReminderPolicy",
    "ReminderPreference",
    "Role",
    "Theme",
    "User",
    "UserManager",
    "action_reference",
    "days_late",
    "evidence_upload_to",
    "owned_or_helped_by",
    "rag_for",
    "rag_label",
    "token_digest",
]
