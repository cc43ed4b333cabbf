"""What changed on an action or finding, as a reader would say it."""

import datetime

from django.db import models
from django.db.models import QuerySet
from django.db.models.functions import Coalesce, TruncDate

from ..formats import long_date
from ..models import Action, Finding, FindingEvent

# Fields whose changes are bookkeeping, not news to a reader of the history.
_QUIET_FIELDS = {
    "version",
    "status_changed_at",
    "last_progress_at",
    "updated_at",
    "force",
}


def action_as_seen(action: Action, version: int):
    """The action's history record at `version`: what a page showing that version showed.

    None when the history holds no such version (a row made before it was kept).
    """
    return action.history.filter(version=version).order_by("-history_id").first()


def finding_timeline(finding: Finding) -> QuerySet[FindingEvent]:
    """The finding's published timeline in the order things happened: a register
    entry on the day the register gives it, a move in the tracker when it was made
    (its day in London)."""
    return (
        FindingEvent.objects.filter(finding=finding)
        .select_related("author__force")
        .order_by(Coalesce("occurred_on", TruncDate("created_at")), "created_at", "pk")
    )


def change_history(obj, limit: int = 50) -> list[dict]:
    """Who changed what on a finding or action, when, from what to what; newest first.

    Values are given as a reader would say them: people and findings by name,
    statuses by their label, contributors as a list of names.
    """
    records = list(
        obj.history.select_related("history_user").order_by(
            "history_date", "history_id"
        )
    )
    raw = []
    for previous, record in zip([None, *records], records, strict=False):
        changes = []
        if previous is not None:
            changes = record.diff_against(
                previous, excluded_fields=_QUIET_FIELDS
            ).changes
        if previous is None or changes:
            raw.append((record, changes))
    raw = raw[::-1][:limit]
    names = _names_for(obj, [change for _, changes in raw for change in changes])
    return [
        {
            "record": record,
            # Why, where a change says (a person who left the force, say).
            "reason": record.history_change_reason or "",
            "changes": [
                {
                    "field": obj._meta.get_field(change.field).verbose_name,
                    "old": _display(obj, change.field, change.old, names),
                    "new": _display(obj, change.field, change.new, names),
                }
                for change in changes
            ],
        }
        for record, changes in raw
    ]


def _names_for(obj, changes) -> dict:
    """Look up, in one query per model, every related row the changes mention."""
    wanted: dict = {}
    for change in changes:
        field = obj._meta.get_field(change.field)
        if not field.is_relation:
            continue
        model = field.related_model
        for value in (change.old, change.new):
            if field.many_to_many:
                ids = [row[model._meta.model_name] for row in value or []]
            else:
                ids = [value] if value else []
            wanted.setdefault(model, set()).update(ids)
    return {
        (model, row.pk): str(row)
        for model, ids in wanted.items()
        for row in model._default_manager.filter(pk__in=ids)
    }


# How the history names an empty relation that means something.
NO_ONE = {"owner": "not assigned"}


def _display(obj, field_name: str, value, names: dict) -> str:
    field = obj._meta.get_field(field_name)
    if field.many_to_many:
        model = field.related_model
        people = [
            names.get((model, row[model._meta.model_name]), "?") for row in value or []
        ]
        return ", ".join(sorted(people))
    if field.is_relation:
        if not value:
            return NO_ONE.get(field_name, "")
        return names.get((field.related_model, value), "")
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(field, models.DateField) and not isinstance(
        field, models.DateTimeField
    ):
        day = datetime.date.fromisoformat(value) if isinstance(value, str) else value
        return long_date(day) if day else ""
    return "" if value is None else str(value)
