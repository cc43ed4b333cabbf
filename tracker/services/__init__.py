"""Every write to the domain, one function per state change.

Each function checks who may, validates, saves, and writes the timeline entry
(a `ProgressUpdate` for actions, a `FindingEvent` for findings). Views, the
admin, the importer, commands and tasks call these; none of them writes those
rows itself.

One module per thing changed; callers import from here:
`from tracker import services; services.action_assign(...)`.
"""

from .actions import (
    action_assign,
    action_mark_done,
    action_record_progress,
    action_return,
    action_sign_off,
    action_start,
    action_withdraw,
)
from .administration import action_admin_check, action_admin_update
from .authoring import (
    DuplicateInspection,
    finding_add,
    finding_delete,
    finding_edit,
    inspection_add,
    inspection_delete,
    inspection_edit,
    inspection_removal_blockers,
    likely_duplicates,
    next_reference,
    question_add,
    question_delete,
    question_edit,
    question_removal_blockers,
    removal_blockers,
)
from .bulk import actions_bulk_assign, actions_bulk_sign_off
from .deadlines import (
    DEADLINE_MAX_YEARS_AHEAD,
    DEADLINE_REASON_MIN_CHARS,
    deadline_change_decide,
    deadline_change_request,
)
from .errors import ConflictError, WorkflowError
from .findings import (
    finding_authorise_closure,
    finding_decline_closure,
    finding_request_closure,
    finding_supersede,
    record_register_entries,
)
from .inspections import (
    check_importer,
    finding_copies_create,
    finding_create,
    finding_move,
    finding_remove,
    finding_revise,
    inspection_create,
    inspection_revise,
    inspections_create,
    national_findings_create,
    question_create,
    question_revise,
    questions_create,
    report_action_create,
    report_action_revise,
    report_actions_create,
)
from .notifications import (
    notification_preferences_update,
    notifications_mark_read,
)
from .papers import paper_record
from .people import (
    calendar_token_reset,
    calendar_token_revoke,
    reminder_preferences_update,
    role_from_cli,
    user_change_force,
    user_check,
    user_create,
)
from .plans import (
    action_create,
    action_edit,
    action_reorder,
    force_planning_set,
)
from .tokens import (
    API_TOKEN_MAX_DAYS,
    api_token_create,
    api_token_note_use,
    api_token_revoke,
)
from .webhooks import (
    webhook_create,
    webhook_delete,
    webhook_new_secret,
    webhook_pause,
    webhook_ping,
    webhook_resume,
    webhook_send_again,
    webhook_update,
)

__all__ = [
    "API_TOKEN_MAX_DAYS",
    "DEADLINE_MAX_YEARS_AHEAD",
    "DEADLINE_REASON_MIN_CHARS",
    "ConflictError",
    "DuplicateInspection",
    "WorkflowError",
    "action_admin_check",
    "action_admin_update",
    "action_assign",
    "actions_bulk_assign",
    "actions_bulk_sign_off",
    "action_create",
    "action_edit",
    "action_reorder",
    "action_mark_done",
    "action_record_progress",
    "action_return",
    "action_sign_off",
    "action_start",
    "action_withdraw",
    "api_token_create",
    "api_token_note_use",
    "api_token_revoke",
    "calendar_token_reset",
    "calendar_token_revoke",
    "check_importer",
    "deadline_change_decide",
    "force_planning_set",
    "deadline_change_request",
    "finding_add",
    "finding_authorise_closure",
    "finding_copies_create",
    "finding_create",
    "finding_decline_closure",
    "finding_delete",
    "finding_edit",
    "finding_move",
    "finding_remove",
    "finding_request_closure",
    "finding_revise",
    "finding_supersede",
    "inspection_add",
    "inspection_create",
    "inspections_create",
    "national_findings_create",
    "inspection_delete",
    "inspection_edit",
    "inspection_removal_blockers",
    "likely_duplicates",
    "inspection_revise",
    "next_reference",
    "notification_preferences_update",
    "notifications_mark_read",
    "paper_record",
    "question_add",
    "question_create",
    "question_delete",
    "question_edit",
    "question_removal_blockers",
    "question_revise",
    "record_register_entries",
    "reminder_preferences_update",
    "removal_blockers",
    "questions_create",
    "report_action_create",
    "report_actions_create",
    "report_action_revise",
    "role_from_cli",
    "user_change_force",
    "user_check",
    "user_create",
    "webhook_create",
    "webhook_delete",
    "webhook_new_secret",
    "webhook_pause",
    "webhook_ping",
    "webhook_resume",
    "webhook_send_again",
    "webhook_update",
]
