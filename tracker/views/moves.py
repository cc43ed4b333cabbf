"""The workflow moves the pages offer: one definition each, rendered from here.

A move is one small form (a comment and a button) that calls one service. Who
may make it is asked before the form is read, so that a refused person hears
"not allowed" rather than "this field is required"; the page offers it only
where it applies now; the service asks both again.
"""

from collections.abc import Callable
from dataclasses import dataclass

from .. import services
from ..permissions import (
    can_change_action,
    inspects,
    is_owner_or_contributor,
    leads_force_of,
    may_decide_closure,
    may_mark_done,
    may_request_closure,
    may_review,
    may_start,
    may_withdraw,
)


@dataclass(frozen=True)
class Move:
    slug: str  # in the address: /actions/<pk>/<slug>/
    service: Callable[..., object]
    allowed: Callable[..., bool]  # who may: their role and force
    applies: Callable[..., bool]  # who may, as the action or finding stands now
    label: str  # what the comment is called
    button: str
    done: str  # said once the move is made
    required: bool = False  # the comment
    css: str = ""  # the button's style, when not the default

    @property
    def key(self) -> str:
        """The name a template uses for it: moves.sign_off."""
        return self.slug.replace("-", "_")


def _by_slug(*moves: Move) -> dict[str, Move]:
    return {move.slug: move for move in moves}


ACTION_MOVES = _by_slug(
    Move(
        "start",
        services.action_start,
        can_change_action,
        may_start,
        label="Comment",
        button="Start the action",
        done="The action is now in progress.",
    ),
    Move(
        "mark-done",
        services.action_mark_done,
        is_owner_or_contributor,
        may_mark_done,
        label="What was delivered",
        button="Mark done",
        done="The action is marked done and awaits the force lead's sign-off.",
    ),
    Move(
        "sign-off",
        services.action_sign_off,
        leads_force_of,
        may_review,
        label="Sign-off comment",
        button="Sign off",
        done="The action is signed off.",
    ),
    Move(
        "return",
        services.action_return,
        leads_force_of,
        may_review,
        label="What is still needed",
        button="Return with comment",
        done="The action was returned to its owner with your comment.",
        required=True,
        css="govuk-button--secondary",
    ),
    Move(
        "withdraw",
        services.action_withdraw,
        leads_force_of,
        may_withdraw,
        label="Why it is no longer needed",
        button="Withdraw the action",
        done="The action was withdrawn.",
        required=True,
        css="govuk-button--warning",
    ),
)

FINDING_MOVES = _by_slug(
    Move(
        "request-closure",
        services.finding_request_closure,
        leads_force_of,
        may_request_closure,
        label="Closing statement",
        button="Request closure",
        done="Closure requested: an inspector will review it.",
        required=True,
    ),
    Move(
        "authorise-closure",
        services.finding_authorise_closure,
        inspects,
        may_decide_closure,
        label="Comment",
        button="Authorise closure",
        done="Closure authorised: the finding is complete.",
    ),
    Move(
        "decline-closure",
        services.finding_decline_closure,
        inspects,
        may_decide_closure,
        label="Why closure is declined",
        button="Decline with comment",
        done="Closure declined: the force lead has your comment.",
        required=True,
        css="govuk-button--warning",
    ),
)


def offered(moves: dict[str, Move], user, obj) -> dict[str, Move]:
    """The moves this person can make on it now, by the name templates use."""
    return {move.key: move for move in moves.values() if move.applies(user, obj)}
