"""What the parser hands over: a report's questions, findings, sub-items and deadlines.

Plain dataclasses; `to_dict()` turns any of them into JSON-ready data (dates as ISO
strings), which is what the rest of the app works on.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from .dates import ParsedDeadline

CAUSE_OF_CONCERN = "cause_of_concern"
RECOMMENDATION = "recommendation"
AREA_FOR_IMPROVEMENT = "area_for_improvement"
# A register entry's statuses, as the inspectorate's register publishes them
AWAITING_REVIEW = "awaiting_review"
BEING_PROGRESSED = "being_progressed"
COMPLETE = "complete"


class _JsonMixin:
    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data (dates as ISO strings)."""
        return asdict(self, dict_factory=_json_dict)  # type: ignore[call-overload]


def _json_dict(items: list[tuple[str, Any]]) -> dict[str, Any]:
    return {
        key: value.isoformat() if isinstance(value, date) else value
        for key, value in items
    }


@dataclass
class ParsedEntry(_JsonMixin):
    """An entry of a register page's status log: history, never a deadline."""

    on: date  # the day the register gives it
    status: str | None  # AWAITING_REVIEW, BEING_PROGRESSED or COMPLETE; None: a comment
    text: str  # the comment as published (with a status word the log's list lacks)
    line: int


@dataclass
class ParsedItem(_JsonMixin):
    """A sub-step of a finding (a nested bullet), possibly with its own deadline."""

    text: str
    order: int
    line: int
    page: int | None = None  # the PDF's page it starts on
    deadlines: list[ParsedDeadline] = field(default_factory=list)
    children: list[ParsedItem] = field(default_factory=list)


@dataclass
class ParsedFinding(_JsonMixin):
    """A cause of concern, recommendation or area for improvement, as worded."""

    kind: str
    text: str  # verbatim, whitespace-normalised, without its sub-items
    order: int
    line: int
    page: int | None = None  # the PDF's page it starts on
    children: list[ParsedItem] = field(default_factory=list)
    deadlines: list[ParsedDeadline] = field(default_factory=list)
    # paragraphs indented under it, after its sub-items
    trailing_text: str | None = None
    # for a cause of concern, the recommendations that answer it
    recommendations: list[ParsedFinding] = field(default_factory=list)
    # from a register page: its status log, in the page's order
    timeline: list[ParsedEntry] = field(default_factory=list)
    # whom it asks (addressees.py): normalised names, and the words as published;
    # none read means the force the report is about
    addressees: list[str] = field(default_factory=list)
    addressed_as: str = ""


@dataclass
class ParsedQuestion(_JsonMixin):
    """An inspection question with its graded judgement and findings."""

    text: str
    order: int
    grade: str  # one of grades.GRADES
    grade_source: str | None  # "line", "prose" or None when not stated
    is_overall: bool
    findings: list[ParsedFinding]
    line: int


@dataclass
class ParsedReport(_JsonMixin):
    """Everything read from one report."""

    force_name: str | None
    programme: str | None
    year: int | None
    pillar: str | None
    last_updated: date | None
    published: date | None
    overall_grade: str | None
    questions: list[ParsedQuestion]
    # findings outside any question, e.g. an accelerated letter
    findings: list[ParsedFinding]
    warnings: list[str]
    # addressed to all forces or national bodies, with no one force its subject
    national: bool = False
