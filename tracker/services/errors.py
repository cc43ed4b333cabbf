"""What a service raises when a move is refused."""

from collections.abc import Sequence

from ..models import Action


class WorkflowError(Exception):
    """A move the rules do not allow, with a message to show the person who tried it.

    `field`: the form field the message is about, when it is about one.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ConflictError(WorkflowError):
    """Somebody else changed the action since this person loaded it."""

    def __init__(self, current: Action, changed_fields: Sequence[str]):
        names = ", ".join(changed_fields) or "its details"
        super().__init__(
            f"Someone else changed this action while you were editing it ({names}). "
            "Nothing was saved: review the current version and make your change again."
        )
        self.current = current
        self.changed_fields = list(changed_fields)
