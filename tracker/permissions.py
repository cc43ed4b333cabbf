"""Who may do what. Selectors and services ask these; views never decide on their own."""

from .models import Action, Finding, Role


def sees_every_force(user) -> bool:
    """Inspectors and administrators read every force's data."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role in (Role.INSPECTOR, Role.ADMIN)
    )


def is_force_lead_of(user, force_id: int | None) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role == Role.FORCE_LEAD
        and user.force_id is not None
        and user.force_id == force_id
    )


def is_administrator(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.ADMIN)


def may_manage_people(user) -> bool:
    """Giving a person a role, a force or the admin decides what they see: administrators only.

    Other staff let into the admin may correct names and emails, no more.
    """
    return is_administrator(user)


def may_change_account(user, person) -> bool:
    """Staff who are not administrators leave alone the accounts that hold the admin:
    setting one's password would make them its holder."""
    return may_manage_people(user) or not (
        person.is_staff or person.is_superuser or person.role == Role.ADMIN
    )


def is_inspector(user) -> bool:
    return bool(
        user.is_authenticated and user.is_active and user.role == Role.INSPECTOR
    )


def can_import(user) -> bool:
    """Importing a report (or a revision of one) is for inspectors, and administrators."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role in (Role.INSPECTOR, Role.ADMIN)
    )


def is_owner_or_contributor(user, action: Action) -> bool:
    if not (
        user.is_authenticated and user.is_active and user.force_id == action.force_id
    ):
        return False
    if action.owner_id == user.pk:
        return True
    return action.contributors.filter(pk=user.pk).exists()


def can_change_action(user, action: Action) -> bool:
    """May this user record progress on, or otherwise change, this action?

    Its owner and contributors may, and so may their force lead; nobody from
    another force, and not inspectors, who review rather than do the work.
    """
    return is_force_lead_of(user, action.force_id) or is_owner_or_contributor(
        user, action
    )


def leads_force_of(user, obj) -> bool:
    """Is the user the force lead of the force this action or finding belongs to?"""
    return is_force_lead_of(user, obj.force_id)


def inspects(user, obj=None) -> bool:
    """Inspectors decide on any force's findings and deadlines."""
    return is_inspector(user)


# Which moves a person may make on an action as it stands. Each is who may
# (their role and force) and from which state; the pages offer a move when it
# holds, and the service that makes the move asks the same question after its
# own role check (so each tests the state first, which costs no query).


def may_update(user, action: Action) -> bool:
    return action.status in Action.UNFINISHED_STATUSES and can_change_action(
        user, action
    )


def may_start(user, action: Action) -> bool:
    return action.status == Action.Status.NOT_STARTED and can_change_action(
        user, action
    )


def may_mark_done(user, action: Action) -> bool:
    return action.status == Action.Status.IN_PROGRESS and is_owner_or_contributor(
        user, action
    )


def may_review(user, action: Action) -> bool:
    """Sign off, or return with a comment: the lead, once the work is marked done."""
    return action.status == Action.Status.DONE and leads_force_of(user, action)


def may_withdraw(user, action: Action) -> bool:
    return not action.is_closed and leads_force_of(user, action)


def may_assign(user, action: Action) -> bool:
    return not action.is_closed and leads_force_of(user, action)


def may_request_deadline(user, action: Action, *, pending: bool) -> bool:
    """The lead asks an inspector to move a deadline the inspectorate set, one request at a time."""
    return (
        not action.is_closed
        and action.deadline_set_by == Action.DeadlineSetBy.INSPECTORATE
        and not pending
        and leads_force_of(user, action)
    )


def may_decide_deadline(user) -> bool:
    return is_inspector(user)


# Action plans: the actions and sub-steps a force sets itself for a finding.


def plans_for_force(user, force) -> bool:
    """The force lead plans the force's actions; force staff too where the lead allows it."""
    if is_force_lead_of(user, force.pk):
        return True
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role == Role.FORCE_STAFF
        and user.force_id == force.pk
        and force.staff_may_plan
    )


def may_plan(user, finding: Finding) -> bool:
    """Add actions and sub-steps to a finding that is still open to work, and reorder them."""
    return finding.status in (
        Finding.Status.AWAITING_REVIEW,
        Finding.Status.BEING_PROGRESSED,
    ) and plans_for_force(user, finding.force)


def may_edit_action(user, action: Action) -> bool:
    """Change an open action's title, description and deliverable."""
    return not action.is_closed and plans_for_force(user, action.force)


def may_let_staff_plan(user, force) -> bool:
    """Whether force staff may plan is their force lead's choice."""
    return is_force_lead_of(user, force.pk)


# Findings.

# The states a closure request is made from (`selectors.queues.closable_findings`
# adds what the finding's actions must be).
CLOSURE_REQUESTABLE_FROM: tuple[str, ...] = (
    Finding.Status.AWAITING_REVIEW,
    Finding.Status.BEING_PROGRESSED,
)


def may_request_closure(user, finding: Finding) -> bool:
    return finding.status in CLOSURE_REQUESTABLE_FROM and leads_force_of(user, finding)


def may_decide_closure(user, finding: Finding) -> bool:
    return finding.status == Finding.Status.CLOSURE_REQUESTED and is_inspector(user)


def may_supersede(user, finding: Finding) -> bool:
    return finding.is_open and is_inspector(user)


# Pages for some roles only.


def may_read_national(user) -> bool:
    """The national comparison is for inspectors (and administrators)."""
    return sees_every_force(user)


def may_make_committee_pack(user, force) -> bool:
    """A force's committee and inspection packs: its lead, and inspectors (and administrators)."""
    return is_force_lead_of(user, force.pk) or sees_every_force(user)


def may_manage_webhooks(user, force) -> bool:
    """A force's webhooks: its leads; the inspectorate's (no force): inspectors and
    administrators. What `visible_webhooks` lets each see."""
    if force is None:
        return sees_every_force(user)
    return is_force_lead_of(user, force.pk)


def looks_after_webhooks(user) -> bool:
    """Has webhooks of their own to look after: a force lead, an inspector."""
    return is_force_lead_of(user, user.force_id) or sees_every_force(user)


def may_see_storage(user, force) -> bool:
    """How much evidence a force stores, against its quota: its lead and inspectors."""
    return is_force_lead_of(user, force.pk) or sees_every_force(user)


# Work queues: the inspectorate's (every force's requests and overdue findings),
# a force lead's (their force's), and a force user's own.


def may_read_inspectorate_queues(user) -> bool:
    return sees_every_force(user)


def may_read_force_queues(user) -> bool:
    """Sign-off, overdue, due soon, returned: a lead's of the force, an officer's own."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role in (Role.FORCE_STAFF, Role.FORCE_LEAD)
        and user.force_id is not None
    )


def may_read_lead_queues(user) -> bool:
    """Ready to request closure, deadline requests made: the force lead's."""
    return is_force_lead_of(user, user.force_id) if user.is_authenticated else False


def may_change_in_bulk(user) -> bool:
    """A force lead gives several of the force's actions an owner or a deadline, or signs
    them off, from the action list; each action still goes through its own rules."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role == Role.FORCE_LEAD
        and user.force_id is not None
    )


def may_tick_in_bulk(user, action: Action) -> bool:
    """An action the force lead's bulk form can change: of their force, still open."""
    return (
        may_change_in_bulk(user)
        and not action.is_closed
        and is_force_lead_of(user, action.force_id)
    )
