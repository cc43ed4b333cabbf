"""Graded judgements: a grade line under a question, or a sentence stating the grade.

A grade is read, never inferred. "The force has a good understanding of ..." praises
one thing; only the force itself being "<grade> at ..." (or "the manner in which ...
requires improvement") is the inspectorate's graded judgement.
"""

from __future__ import annotations

import re

from .dates import split_sentences

GRADES = (
    "outstanding",
    "good",
    "adequate",
    "requires_improvement",
    "inadequate",
    "not_graded",
    "not_stated",
)

_GRADE_WORDS = (
    r"outstanding|good|adequate|requires\s+improvement|inadequate|not\s+graded"
)
_LABEL = r"(?:(?:our|overall|graded)\s+)?(?:grade|graded|judgement|judgment|rating)"

GRADE_LINE_RE = re.compile(
    rf"^(?:{_LABEL}\s*[:\-–—]?\s*)?(?P<grade>{_GRADE_WORDS})\s*\.?$", re.I
)
# A label on its own line, with the grade on the next line.
GRADE_LABEL_RE = re.compile(rf"^{_LABEL}\s*:?$", re.I)

# The force as the subject: "the force", "West Mercia Police", "Kent Constabulary".
_FORCE = r"(?:\b[Tt]he\s+force|\bPolice(?:\s+Service)?|\bConstabulary)"
_JUDGED = r"(?:judged|assessed|graded|rated)\s+(?:to\s+be\s+|as\s+)"
# "is good", "is judged to be good", "has been assessed as good" (not "has been good")
_IS_JUDGED = rf"(?:(?:is|remains|continues\s+to\s+be)\s+(?:{_JUDGED})?|(?:has\s+been|was)\s+{_JUDGED})"
_FORCE_IS_GRADE_RE = re.compile(
    rf"{_FORCE}\s+{_IS_JUDGED}"
    r"(?P<grade>outstanding|good|adequate|inadequate)(?=\s+(?:at|in)\b|\s*[.;]|\s*$)"
)
_FORCE_REQUIRES_IMPROVEMENT_RE = re.compile(
    rf"{_FORCE}\s+(?:(?:still\s+)?(?:requires|continues\s+to\s+require)\s+improvement"
    rf"|(?:has\s+been|was|is)\s+{_JUDGED}requiring\s+improvement)\b"
)
# "The manner in which West Mercia Police prevents crime ... requires improvement."
_MANNER_RE = re.compile(r"^\W*(?:Overall,?\s+)?the\s+(?:manner|way|extent)\b", re.I)
_MANNER_END_RE = re.compile(
    r"\s(?:(?P<improve>requires\s+improvement)"
    r"|is\s+(?P<grade>outstanding|good|adequate|inadequate))\s*[.!]?\s*$",
    re.I,
)
_NOT_GRADED_RE = re.compile(
    r"\b(?:(?:is|was|were|are)\s+not\s+graded|(?:has|have)\s+not\s+been\s+graded"
    r"|(?:did|does|do)\s+not\s+(?:grade|give\s+(?:it\s+|this\s+\w+\s+)?a\s+grad)"
    r"|\bno\s+grad(?:e|ed\s+judge?ment)\s+(?:is|was)\s+given"
    r"|\b(?:don[’']t|do\s+not|doesn[’']t|does\s+not)\s+make\s+(?:a\s+)?graded\s+judge?ments?)",
    re.I,
)


def grade_key(words: str) -> str:
    """The key for a grade's words: "Requires improvement" -> "requires_improvement"."""
    return "_".join(words.lower().split())


def grade_from_line(text: str) -> str | None:
    """The grade a line consists of: "Requires improvement", "Grade: Adequate"."""
    match = GRADE_LINE_RE.match(text.strip())
    return grade_key(match.group("grade")) if match else None


def grade_from_prose(paragraphs: list[str]) -> str | None:
    """The grade the first judging sentence states, or None."""
    for paragraph in paragraphs:
        for _, sentence in split_sentences(paragraph):
            grade = _sentence_grade(sentence)
            if grade:
                return grade
    return None


def _sentence_grade(sentence: str) -> str | None:
    match = _FORCE_IS_GRADE_RE.search(sentence)
    if match:
        return match.group("grade").lower()
    if _FORCE_REQUIRES_IMPROVEMENT_RE.search(sentence):
        return "requires_improvement"
    if _MANNER_RE.match(sentence):
        end = _MANNER_END_RE.search(sentence)
        if end:
            if end.group("improve"):
                return "requires_improvement"
            return end.group("grade").lower()
    if _NOT_GRADED_RE.search(sentence):
        return "not_graded"
    return None
