"""What the services call when something happens: who is told, recorded in the move's transaction.

Each function takes the row the move wrote (a progress update, a finding event,
a deadline request, an action after assignment) and records one notification
per person it is for:

- never the person who acted, nor anyone inactive or without an email address;
- only people who may see what it is about, through the visibility door, so
  nothing reaches another force;
- once per event and person (the outbox key `event_key` + recipient), however
  often the function is called for the same row.

The person's choice for the kind decides its email: at once (queued after the
transaction commits), with their next reminder digest (`in_digest`), or none.
Everything shows in the app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import Q, QuerySet

from .. import sending, webhooks
from ..models import (
    Action,
    DeadlineChangeRequest,
    Finding,
    FindingEvent,
    Inspection,
    Notification,
    NotificationPreference,
    ProgressUpdate,
    Role,
    User,
)
from ..selectors import (
    mentionable,
    visible_actions,
    visible_findings,
    visible_inspections,
)
from .kinds import Kind
from .mentions import mentioned_people

SEND_TASK = "tracker.send_notifications"
_STATUS_FOR: dict[str, str] = {
    NotificationPreference.Delivery.AT_ONCE: Notification.Status.PENDING,
    NotificationPreference.Delivery.DIGEST: Notification.Status.PENDING,
    NotificationPreference.Delivery.APP_ONLY: Notification.Status.APP_ONLY,
}


# Who ----------------------------------------------------------------------------------


def force_leads(force_id: int | None) -> list[User]:
    if force_id is None:
        return []
    return list(
        User.objects.filter(force_id=force_id, role=Role.FORCE_LEAD, is_active=True)
    )


def workers(action: Action) -> list[User]:
    """The action's owner and contributors."""
    people = list(action.contributors.filter(is_active=True))
    if action.owner is not None:
        people.insert(0, action.owner)
    return people


def inspector_contacts(force_id: int | None) -> list[User]:
    """The force's inspector contact; every inspector when the force has none (as reminders)."""
    contact = (
        User.objects.filter(
            forces_in_contact__pk=force_id, role=Role.INSPECTOR, is_active=True
        ).first()
        if force_id is not None
        else None
    )
    if contact is not None:
        return [contact]
    return list(User.objects.filter(role=Role.INSPECTOR, is_active=True))


def _finding_people(finding: Finding, *, open_only: bool = False) -> list[User]:
    """The force's leads and the owners of the finding's actions (and its recommendations'),
    leaving out withdrawn work (or, `open_only`, all finished work)."""
    actions = Action.objects.filter(Q(finding=finding) | Q(finding__parent=finding))
    if open_only:
        actions = actions.exclude(status__in=Action.CLOSED_STATUSES)
    else:
        actions = actions.exclude(status=Action.Status.WITHDRAWN)
    owners = User.objects.filter(
        pk__in=actions.filter(owner__isnull=False).values("owner"), is_active=True
    )
    return force_leads(finding.force_id) + list(owners)


# Recording ----------------------------------------------------------------------------


def notify(
    kind: Kind,
    *,
    actor: User | None,
    recipients: Iterable[User | None],
    key: str,
    summary: str,
    action: Action | None = None,
    finding: Finding | None = None,
    inspection: Inspection | None = None,
    text: str = "",
) -> int:
    """Record the notification for each recipient who may have it; say how many.

    The event is recorded for the webhooks that want it too (a mention is only
    for the person mentioned).
    """
    if kind != Kind.MENTIONED:
        webhooks.record_event(
            kind,
            key=key,
            actor=actor,
            action=action,
            finding=finding,
            inspection=inspection,
            text=text,
        )
    people = {
        person.pk: person
        for person in recipients
        if person is not None
        and person.is_active
        and person.email
        and (actor is None or person.pk != actor.pk)
    }
    if not people:
        return 0
    ids = list(people)
    door: Callable[[User], QuerySet]
    if action is not None:
        door, subject_pk = visible_actions, action.pk
    elif finding is not None:
        door, subject_pk = visible_findings, finding.pk
    elif inspection is not None:
        door, subject_pk = visible_inspections, inspection.pk
    else:
        raise ValueError(
            "A notification is about an action, a finding or an inspection."
        )
    allowed = [pk for pk in ids if door(people[pk]).filter(pk=subject_pk).exists()]
    choices = dict(
        NotificationPreference.objects.filter(
            user_id__in=allowed, kind=kind
        ).values_list("user_id", "delivery")
    )
    rows = [
        Notification(
            recipient_id=pk,
            kind=kind,
            actor=actor,
            action=action,
            finding=finding,
            inspection=inspection,
            summary=summary[:300],
            text=text,
            event_key=key,
            status=_STATUS_FOR[
                choices.get(pk, NotificationPreference.Delivery.AT_ONCE)
            ],
            in_digest=choices.get(pk) == NotificationPreference.Delivery.DIGEST,
        )
        for pk in allowed
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    at_once = [
        row.recipient_id
        for row in rows
        if row.status == Notification.Status.PENDING and not row.in_digest
    ]
    if at_once:
        transaction.on_commit(lambda: queue_notifications(at_once))
    return len(rows)


def queue_notifications(recipient_ids: Iterable[int]) -> int:
    """Publish one sending task per person; give up at the first broker failure.

    The rows are safe in the outbox whatever happens here: the reminders'
    catch-up (every quarter of an hour) queues whoever still has pending ones.
    """
    return sending.publish_each(SEND_TASK, recipient_ids, what="notifications")


def _name(user: User | None) -> str:
    return str(user) if user is not None else "The inspectorate's import"


def _action_words(action: Action) -> str:
    reference = action.finding.reference if action.finding is not None else ""
    return f"“{action.title}”" + (f" ({reference})" if reference else "")


def _mentions(
    text: str, *, actor: User, key: str, action: Action | None, finding: Finding | None
) -> None:
    force_id = (
        action.force_id if action is not None else finding.force_id if finding else None
    )
    people = mentioned_people(text, mentionable(force_id))
    if not people:
        return
    about = (
        _action_words(action)
        if action is not None
        else finding.reference
        if finding
        else ""
    )
    notify(
        Kind.MENTIONED,
        actor=actor,
        recipients=people,
        key=f"{key}:mention",
        summary=f"{_name(actor)} mentioned you on {about}",
        action=action,
        finding=None if action is not None else finding,
        text=text,
    )


# Events on an action ------------------------------------------------------------------


def assignment_changed(
    actor: User,
    action: Action,
    *,
    owner_before: int | None,
    contributors_before: Iterable[int],
) -> None:
    """Owner and contributors set (a new action, an assignment, a bulk assignment)."""
    contributors_before = set(contributors_before)
    contributors_now = set(action.contributors.values_list("pk", flat=True))
    key = f"action:{action.pk}:v{action.version}"
    words = _action_words(action)
    if action.owner_id and action.owner_id != owner_before:
        notify(
            Kind.ASSIGNED_OWNER,
            actor=actor,
            recipients=[action.owner],
            key=f"{key}:owner",
            summary=f"{_name(actor)} made you the owner of {words}",
            action=action,
        )
    added = contributors_now - contributors_before - {action.owner_id}
    if added:
        notify(
            Kind.ASSIGNED_CONTRIBUTOR,
            actor=actor,
            recipients=User.objects.filter(pk__in=added),
            key=f"{key}:contributor",
            summary=f"{_name(actor)} added you as a contributor to {words}",
            action=action,
        )
    taken_off = (
        ({owner_before} | contributors_before)
        - {None}
        - (contributors_now | {action.owner_id})
    )
    if taken_off:
        notify(
            Kind.UNASSIGNED,
            actor=actor,
            recipients=User.objects.filter(pk__in=taken_off),
            key=f"{key}:unassigned",
            summary=f"{_name(actor)} took you off {words}",
            action=action,
        )


_UPDATE_KINDS: dict[str, tuple[Kind, str]] = {
    ProgressUpdate.Kind.MARKED_DONE: (
        Kind.MARKED_DONE,
        "marked {words} done: it waits for your sign-off",
    ),
    ProgressUpdate.Kind.SIGNED_OFF: (Kind.SIGNED_OFF, "signed off {words}"),
    ProgressUpdate.Kind.SELF_SIGNED_OFF: (Kind.SIGNED_OFF, "signed off {words}"),
    ProgressUpdate.Kind.RETURNED: (Kind.RETURNED, "returned {words} to you"),
    ProgressUpdate.Kind.WITHDRAWN: (Kind.WITHDRAWN, "withdrew {words}"),
}


def action_updated(actor: User, update: ProgressUpdate) -> None:
    """A move or a progress update on an action, and any person it mentions."""
    action = update.action
    key = f"update:{update.pk}"
    if update.kind in _UPDATE_KINDS:
        kind, words = _UPDATE_KINDS[update.kind]
        recipients = (
            force_leads(action.force_id)
            if kind == Kind.MARKED_DONE
            else workers(action)
        )
        notify(
            kind,
            actor=actor,
            recipients=recipients,
            key=key,
            summary=f"{_name(actor)} " + words.format(words=_action_words(action)),
            action=action,
            text=update.text,
        )
    if update.text:
        _mentions(update.text, actor=actor, key=key, action=action, finding=None)


def deadline_requested(actor: User, change: DeadlineChangeRequest) -> None:
    action = change.action
    key = f"deadline-request:{change.pk}"
    notify(
        Kind.DEADLINE_REQUESTED,
        actor=actor,
        recipients=inspector_contacts(action.force_id),
        key=f"{key}:asked",
        summary=f"{_name(actor)} asks to move the deadline of {_action_words(action)}",
        action=action,
        text=change.reason,
    )
    _mentions(
        change.reason, actor=actor, key=f"{key}:asked", action=action, finding=None
    )


def deadline_decided(actor: User, change: DeadlineChangeRequest) -> None:
    action = change.action
    key = f"deadline-request:{change.pk}:decided"
    verb = (
        "approved"
        if change.status == DeadlineChangeRequest.Status.APPROVED
        else "refused"
    )
    notify(
        Kind.DEADLINE_DECIDED,
        actor=actor,
        recipients=[change.requested_by],
        key=key,
        summary=f"{_name(actor)} {verb} your deadline change for {_action_words(action)}",
        action=action,
        text=change.decision_comment,
    )
    if change.decision_comment:
        _mentions(
            change.decision_comment, actor=actor, key=key, action=action, finding=None
        )


# Events on a finding and an inspection ------------------------------------------------


def finding_moved(actor: User, event: FindingEvent) -> None:
    finding = event.finding
    key = f"finding-event:{event.pk}"
    match event.kind:
        case FindingEvent.Kind.CLOSURE_REQUESTED:
            kind, recipients = (
                Kind.CLOSURE_REQUESTED,
                inspector_contacts(finding.force_id),
            )
            words = f"requests closure of {finding.reference}"
        case FindingEvent.Kind.CLOSURE_AUTHORISED:
            kind, recipients = Kind.CLOSURE_AUTHORISED, _finding_people(finding)
            words = f"authorised closure of {finding.reference}"
        case FindingEvent.Kind.CLOSURE_DECLINED:
            kind, recipients = Kind.CLOSURE_DECLINED, _finding_people(finding)
            words = f"declined closure of {finding.reference}"
        case FindingEvent.Kind.SUPERSEDED:
            kind = Kind.SUPERSEDED
            recipients = _finding_people(finding, open_only=True)
            by = finding.superseded_by
            words = f"marked {finding.reference} superseded" + (
                f" by {by.reference}" if by else ""
            )
        case _:
            return
    notify(
        kind,
        actor=actor,
        recipients=recipients,
        key=key,
        summary=f"{_name(actor)} {words}",
        finding=finding,
        text=event.text,
    )
    if event.text:
        _mentions(event.text, actor=actor, key=key, action=None, finding=finding)


def inspection_imported(actor: User | None, inspection: Inspection) -> None:
    """A new report of the force is in the tracker: its leads plan the answer."""
    count = inspection.findings.count()
    notify(
        Kind.INSPECTION_IMPORTED,
        actor=actor,
        recipients=force_leads(inspection.force_id),
        key=f"inspection:{inspection.pk}:imported",
        summary=(
            f"“{inspection.title}” is imported with {count} finding"
            f"{'' if count == 1 else 's'}: plan the force's actions"
        ),
        inspection=inspection,
    )
