"""Kinds of event notification: their names, their labels, and whom each is for.

Pure rules, no Django: the services say what happened (`events`), the delivery
looks again before sending (`delivery`) and the preferences page lists the kinds,
all from here.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    ASSIGNED_OWNER = "assigned_owner"
    ASSIGNED_CONTRIBUTOR = "assigned_contributor"
    UNASSIGNED = "unassigned"
    MARKED_DONE = "marked_done"
    SIGNED_OFF = "signed_off"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"
    CLOSURE_REQUESTED = "closure_requested"
    CLOSURE_AUTHORISED = "closure_authorised"
    CLOSURE_DECLINED = "closure_declined"
    SUPERSEDED = "superseded"
    DEADLINE_REQUESTED = "deadline_requested"
    DEADLINE_DECIDED = "deadline_decided"
    INSPECTION_IMPORTED = "inspection_imported"
    MENTIONED = "mentioned"


# What a person reads on the preferences page, and whom it goes to, in the order
# the page lists them.
LABELS: dict[Kind, tuple[str, str]] = {
    Kind.ASSIGNED_OWNER: ("You are made the owner of an action", "the new owner"),
    Kind.ASSIGNED_CONTRIBUTOR: (
        "You are added as a contributor to an action",
        "the new contributor",
    ),
    Kind.UNASSIGNED: (
        "You are no longer the owner or a contributor of an action",
        "the person taken off it",
    ),
    Kind.MARKED_DONE: (
        "Work is marked done and waits for sign-off",
        "the force's leads",
    ),
    Kind.SIGNED_OFF: ("Your work is signed off", "the owner and contributors"),
    Kind.RETURNED: (
        "Your work is returned, with the lead's comment",
        "the owner and contributors",
    ),
    Kind.WITHDRAWN: (
        "An action you work on is withdrawn",
        "the owner and contributors",
    ),
    Kind.CLOSURE_REQUESTED: (
        "A force requests closure of a finding",
        "the force's inspector contact",
    ),
    Kind.CLOSURE_AUTHORISED: (
        "Closure of a finding is authorised",
        "the force's leads and the owners of its actions",
    ),
    Kind.CLOSURE_DECLINED: (
        "Closure of a finding is declined, with the inspector's comment",
        "the force's leads and the owners of its actions",
    ),
    Kind.SUPERSEDED: (
        "A finding is superseded by a later one",
        "the force's leads and the owners of its open actions",
    ),
    Kind.DEADLINE_REQUESTED: (
        "A force asks to move a deadline the inspectorate set",
        "the force's inspector contact",
    ),
    Kind.DEADLINE_DECIDED: (
        "Your deadline change request is decided",
        "the person who asked",
    ),
    Kind.INSPECTION_IMPORTED: (
        "A new inspection report of your force is imported",
        "the force's leads",
    ),
    Kind.MENTIONED: (
        "Someone mentions you in an update or a comment",
        "the person mentioned",
    ),
}


# What each event is, told to another system (a webhook) rather than to a person.
EVENT_NAMES: dict[Kind, str] = {
    Kind.ASSIGNED_OWNER: "An action is given an owner",
    Kind.ASSIGNED_CONTRIBUTOR: "A contributor is added to an action",
    Kind.UNASSIGNED: "An owner or a contributor is taken off an action",
    Kind.MARKED_DONE: "An action is marked done and waits for sign-off",
    Kind.SIGNED_OFF: "An action is signed off",
    Kind.RETURNED: "An action is returned, with the lead's comment",
    Kind.WITHDRAWN: "An action is withdrawn",
    Kind.CLOSURE_REQUESTED: "A force requests closure of a finding",
    Kind.CLOSURE_AUTHORISED: "Closure of a finding is authorised",
    Kind.CLOSURE_DECLINED: "Closure of a finding is declined, with the comment",
    Kind.SUPERSEDED: "A finding is superseded by a later one",
    Kind.DEADLINE_REQUESTED: "A force asks to move a deadline the inspectorate set",
    Kind.DEADLINE_DECIDED: "A deadline change request is decided",
    Kind.INSPECTION_IMPORTED: "A new inspection report of the force is imported",
}


# The start of an email's subject: what happened, from where the reader stands.
SUBJECTS: dict[Kind, str] = {
    Kind.ASSIGNED_OWNER: "You own an action",
    Kind.ASSIGNED_CONTRIBUTOR: "You are a contributor",
    Kind.UNASSIGNED: "Taken off an action",
    Kind.MARKED_DONE: "Ready for your sign-off",
    Kind.SIGNED_OFF: "Signed off",
    Kind.RETURNED: "Returned to you",
    Kind.WITHDRAWN: "Withdrawn",
    Kind.CLOSURE_REQUESTED: "Closure requested",
    Kind.CLOSURE_AUTHORISED: "Closure authorised",
    Kind.CLOSURE_DECLINED: "Closure declined",
    Kind.SUPERSEDED: "Superseded",
    Kind.DEADLINE_REQUESTED: "Deadline change requested",
    Kind.DEADLINE_DECIDED: "Deadline change decided",
    Kind.INSPECTION_IMPORTED: "New inspection report",
    Kind.MENTIONED: "You are mentioned",
}


def kind_label(kind: str) -> str:
    try:
        return LABELS[Kind(kind)][0]
    except ValueError:
        return kind.replace("_", " ").capitalize()
