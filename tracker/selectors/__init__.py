"""Every read about a person's work, by what it is for.

- `visibility`: the one door: what a person may see (`visible_actions` and
  friends), and which of it is their own concern (`concerning`).
- `history`: what changed, as a reader would say it.
- `dashboards`: the figures the home, force and national pages show.
- `queues`: the work waiting for someone, with how long it has waited.

Callers import the door from here: `from tracker.selectors import visible_actions`.
"""

from .history import action_as_seen, change_history
from .visibility import (
    concerning,
    force_people,
    get_visible_or_404,
    mentionable,
    visible_actions,
    visible_deadline_requests,
    visible_evidence,
    visible_findings,
    visible_forces,
    visible_inspections,
    visible_notifications,
    visible_questions,
    visible_to_webhook,
    visible_webhooks,
)

__all__ = [
    "action_as_seen",
    "change_history",
    "concerning",
    "force_people",
    "get_visible_or_404",
    "mentionable",
    "visible_actions",
    "visible_deadline_requests",
    "visible_evidence",
    "visible_findings",
    "visible_forces",
    "visible_inspections",
    "visible_notifications",
    "visible_questions",
    "visible_to_webhook",
    "visible_webhooks",
]
