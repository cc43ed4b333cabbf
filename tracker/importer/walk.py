"""One walk over a parsed report's data (`ParsedReport.to_dict()`), in report order.

Everything that goes through a report's findings (planning an import, saving it,
the preview form, the import command) goes through them here, so that they all
see the same findings in the same order: a finding's place in the walk is how a
revision matches it and how the preview finds what a revision changes in it.

    for place in walk(data):  # every finding, each cause followed by its recommendations
        place.item["kind"], place.question, place.parent

The order is the report's: each question's findings, then the findings outside any
question; under each finding its sub-items (with theirs), then its recommendations.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

QUESTION = "question"
FINDING = "finding"
RECOMMENDATION = "recommendation"  # a finding under the cause of concern it answers
ITEM = "item"  # a finding's sub-item (a nested bullet), or a sub-item's


@dataclass(frozen=True, slots=True)
class Place:
    """One question, finding or sub-item of the report, and where it sits."""

    item: dict[str, Any]
    role: str  # QUESTION, FINDING, RECOMMENDATION or ITEM
    # "q2" for a question, "q2.1" for its first finding, "x.1" for the first finding
    # outside any question; then ".c.1" for a first sub-item, ".r.1" for a first
    # recommendation. The preview form names its inputs with it.
    path: str
    # Its depth in the report's outline: questions and the findings outside any
    # question are at 0, a question's findings at 1, and each sub-item or
    # recommendation one deeper than what it is under.
    level: int
    question: dict[str, Any] | None  # the question it is under (itself for a question)
    parent: dict[str, Any] | None = None  # the finding or sub-item it is under

    @property
    def is_question(self) -> bool:
        return self.role == QUESTION

    @property
    def is_finding(self) -> bool:
        """A cause of concern, recommendation or area for improvement (not a sub-item)."""
        return self.role in (FINDING, RECOMMENDATION)

    @property
    def is_recommendation(self) -> bool:
        """A finding under the cause of concern it answers."""
        return self.role == RECOMMENDATION

    @property
    def question_order(self) -> int | None:
        return self.question["order"] if self.question is not None else None


def walk(
    data: dict[str, Any],
    *,
    recommendations: bool = True,
    items: bool = False,
    questions: bool = False,
) -> Iterator[Place]:
    """The report's findings in report order; with `recommendations=False` only the
    top-level ones (a cause of concern without the recommendations under it), with
    `items` their sub-items too, with `questions` each question before its findings."""

    def findings(entries, prefix, level, question, parent=None, role=FINDING):
        for number, entry in enumerate(entries, start=1):
            path = f"{prefix}.{number}"
            yield Place(entry, role, path, level, question, parent)
            if items:
                yield from sub_items(entry, path, level + 1, question)
            if recommendations:
                yield from findings(
                    entry.get("recommendations", []),
                    f"{path}.r",
                    level + 1,
                    question,
                    entry,
                    RECOMMENDATION,
                )

    def sub_items(parent, prefix, level, question):
        for number, entry in enumerate(parent.get("children", []), start=1):
            path = f"{prefix}.c.{number}"
            yield Place(entry, ITEM, path, level, question, parent)
            yield from sub_items(entry, path, level + 1, question)

    for question in data.get("questions", []):
        prefix = f"q{question['order']}"
        if questions:
            yield Place(question, QUESTION, prefix, 0, question)
        yield from findings(question.get("findings", []), prefix, 1, question)
    yield from findings(data.get("findings", []), "x", 0, None)
