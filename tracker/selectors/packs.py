"""The closure evidence pack: what an inspector deciding a closure request reads.

Every action of the finding, with its last word on the work, all its evidence,
the day the work was done against its deadline, and who signed it off (and
whether that was their own work). A fixed number of queries however many
actions and updates the finding has.
"""

from dataclasses import dataclass, field

from ..models import Action, Evidence, Finding, ProgressUpdate, days_late

# The updates that report the work itself, as opposed to a move on it.
WORK_KINDS = (
    ProgressUpdate.Kind.STARTED,  # a first progress update starts the action
    ProgressUpdate.Kind.PROGRESS,
    ProgressUpdate.Kind.MARKED_DONE,
)
SIGN_OFF_KINDS = (ProgressUpdate.Kind.SIGNED_OFF, ProgressUpdate.Kind.SELF_SIGNED_OFF)


@dataclass
class PackEntry:
    action: Action
    depth: int
    final_update: ProgressUpdate | None = None
    sign_off: ProgressUpdate | None = None
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def days_late(self) -> int:
        return days_late(self.action.deadline, self.action.done_on)

    @property
    def self_signed_off(self) -> bool:
        return bool(
            self.sign_off and self.sign_off.kind == ProgressUpdate.Kind.SELF_SIGNED_OFF
        )


def closure_pack(finding: Finding) -> list[PackEntry]:
    """The pack's entries, the actions in their plan's order with sub-steps under them."""
    actions = list(finding.actions.select_related("owner").order_by("order", "pk"))
    children: dict[int | None, list[Action]] = {}
    for action in actions:
        children.setdefault(action.parent_id, []).append(action)
    entries: dict[int, PackEntry] = {}
    ordered: list[PackEntry] = []

    def walk(action: Action, depth: int) -> None:
        entry = entries[action.pk] = PackEntry(action, depth)
        ordered.append(entry)
        for child in children.get(action.pk, []):
            walk(child, depth + 1)

    ids = {action.pk for action in actions}
    for action in actions:
        if action.parent_id is None or action.parent_id not in ids:
            walk(action, 0)
    updates = (
        ProgressUpdate.objects.filter(action__finding=finding)
        .select_related("author")
        .prefetch_related("evidence")
        .order_by("created_at", "pk")
    )
    for update in updates:
        entry = entries.get(update.action_id)
        if entry is None:
            continue
        # The last word on the work: the latest update that says something
        # (marking done often says nothing), else the latest at all.
        if update.kind in WORK_KINDS and (
            update.text.strip() or not (entry.final_update and entry.final_update.text)
        ):
            entry.final_update = update
        elif update.kind in SIGN_OFF_KINDS:
            entry.sign_off = update
        entry.evidence.extend(update.evidence.all())
    return ordered
