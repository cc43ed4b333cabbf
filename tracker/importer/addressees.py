"""Whom a finding is addressed to, read from its own words.

"By 31 March 2024, all chief constables should ..." is addressed to all forces;
"The College of Policing and the National Police Chiefs' Council should ..." to
two national bodies; "The force should ..." to the force the report is about.
Only the words before "should" (or "must") in the finding's first sentence are
read, and only names this module knows count: a subject it cannot name gives no
addressee, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .parsed import ParsedFinding

# The normalised names, as the tracker knows the organisations.
ALL_FORCES = "all forces"
THE_FORCE = "the force"
COLLEGE = "College of Policing"
NPCC = "National Police Chiefs' Council"
HOME_OFFICE = "Home Office"
ALL_FIRE_SERVICES = "all fire and rescue services"
THE_SERVICE = "the service"

NATIONAL_BODIES = (COLLEGE, NPCC, HOME_OFFICE)
# Addressees that make a report about more than one force.
NATIONAL = (ALL_FORCES, ALL_FIRE_SERVICES, *NATIONAL_BODIES)

_APOSTROPHE = r"[’'‘]?"
_NAMES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(pattern, re.IGNORECASE), name)
    for pattern, name in [
        (r"(?:all\s+|the\s+)?chief\s+constables", ALL_FORCES),
        (r"(?:all|every)\s+(?:police\s+)?forces?", ALL_FORCES),
        (r"(?:all\s+)?(?:police\s+)?forces", ALL_FORCES),
        (r"(?:all\s+|the\s+)?chief\s+fire\s+officers", ALL_FIRE_SERVICES),
        (r"(?:all|every)\s+fire_and_rescue\s+services?", ALL_FIRE_SERVICES),
        (r"fire_and_rescue\s+services", ALL_FIRE_SERVICES),
        (r"(?:the\s+)?college(?:\s+of\s+policing)?", COLLEGE),
        (
            rf"(?:the\s+)?(?:national\s+police\s+chiefs{_APOSTROPHE}\s+council"
            r"(?:\s*\(NPCC\))?|NPCC)",
            NPCC,
        ),
        (r"(?:the\s+)?home\s+(?:office|secretary)", HOME_OFFICE),
        (r"the\s+(?:police\s+)?force|the\s+chief\s+constable", THE_FORCE),
        (
            r"the\s+(?:fire_and_rescue\s+)?service|the\s+chief\s+fire\s+officer",
            THE_SERVICE,
        ),
    ]
]
# A named force: "Kent Police", "Avon and Somerset Constabulary".
_NAMED_FORCE_RE = re.compile(
    r"(?:(?!(?:College|Policing|Home|Office|National|Council|The)\b)"
    r"[A-Z][\w’'-]+\s+(?:(?:and|of|&)\s+)?){1,4}"
    r"(?:Police(?:\s+Service)?|Constabulary)\b"
)
# What may come before the subject: "By 31 March 2024,", "We recommend that,
# within six months,", "To address this,".
_LEAD_RE = re.compile(
    r"^(?:(?:to\s+address\s+this|in\s+addition|therefore|as\s+a\s+priority),?\s+)?"
    r"(?:we\s+(?:therefore\s+|also\s+)?recommend\s+that\s*,?\s*)?"
    r"(?:(?:by|within|before|not\s+later\s+than|no\s+later\s+than|"
    r"immediately|with\s+immediate\s+effect|from|during|over)\b[^,]{0,60},\s*)?",
    re.IGNORECASE,
)
_VERB_RE = re.compile(
    r"\s*\b(?:should|must|needs?\s+to|(?:is|are)\s+(?:required\s+)?to)\b",
    re.IGNORECASE,
)
# Partners named beside the subject: each is an addressee too, as each has a part.
_JOIN_RE = re.compile(
    r"\s*(?:,\s*(?:and\s+)?|\band\b|\bor\b|\btogether\s+with\b|\bworking\s+"
    r"(?:with|alongside)\b|\bin\s+(?:consultation|partnership)\s+with\b|"
    r"\bsupported\s+by\b|\bwith\s+the\s+support\s+of\b|\bwith\b)\s*",
    re.IGNORECASE,
)
_TOKEN_RE = re.compile(r"\x00(\d+)")  # a force's name, masked
_FIRE_RE = re.compile(r"fire\s+and\s+rescue", re.IGNORECASE)
_SENTENCE_END_RE = re.compile(r"(?<=[.;:])\s+(?=[A-Z])")


def read_addressees(text: str) -> tuple[list[str], str]:
    """(normalised addressees, the subject's words as published) of a finding.

    The subject is read in the first sentence that asks something ("should",
    "must"); ([], "") when it is not one this module can name.
    """
    for sentence in _SENTENCE_END_RE.split(" ".join(text.split())):
        verb = _VERB_RE.search(sentence)
        if verb is not None:
            return _subject(sentence[: verb.start()])
    return [], ""


def _subject(subject: str) -> tuple[list[str], str]:
    # (NUL marks the masked force names below: none may come from the text.)
    subject = _LEAD_RE.sub("", subject.replace("\x00", ""), count=1).strip(" ,")
    if not subject or len(subject.split()) > 20:
        return [], ""
    # A force's own name may have "and" in it (Avon and Somerset Constabulary).
    forces = _NAMED_FORCE_RE.findall(subject)
    masked = _NAMED_FORCE_RE.sub(lambda m: f"\x00{forces.index(m.group(0))}", subject)
    masked = _FIRE_RE.sub("fire_and_rescue", masked)
    names: list[str] = []
    for part in _JOIN_RE.split(masked):
        part = part.strip(" ,")
        if not part:
            continue
        token = _TOKEN_RE.fullmatch(part)
        name = forces[int(token.group(1))] if token else _name(part)
        if name is None:
            return [], ""  # a subject only partly known is not read at all
        if name not in names:
            names.append(name)
    return names, subject if names else ""


def _name(part: str) -> str | None:
    for pattern, name in _NAMES:
        if pattern.fullmatch(part):
            return name
    return None


def is_named_force(name: str) -> bool:
    """A force the finding names ("Kent Police"), not one of the names above."""
    return name not in (*NATIONAL, THE_FORCE, THE_SERVICE)


def is_national(addressees: list[str]) -> bool:
    return any(name in NATIONAL for name in addressees)


def national_report(force_name: str | None, findings: Iterable[ParsedFinding]) -> bool:
    """A report with no one force as its subject whose findings ask all forces or
    national bodies (a thematic report), not one force."""
    if force_name:
        return False

    def every(items: Iterable[ParsedFinding]) -> Iterator[ParsedFinding]:
        for finding in items:
            yield finding
            yield from every(finding.recommendations)

    return any(is_national(finding.addressees) for finding in every(findings))
