"""What a block is: a question heading, a findings heading, a "Published" line, prose.

The grammar of the lines that stand on their own in a report. Grouping lines into
blocks asks it which lines never join a paragraph; the reader asks it what each
block opens.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

from .dates import split_sentences
from .grades import grade_from_line, grade_key
from .parsed import AREA_FOR_IMPROVEMENT, CAUSE_OF_CONCERN, RECOMMENDATION

if TYPE_CHECKING:
    from .blocks import Block


_QUESTION_RE = re.compile(
    r"^(?:(?:question\s+)?\d{1,2}[.:)]\s+)?"
    r"(?:(?:overview|summary|introduction|overall)\s*[-–—:|]\s*)?"
    r"(?P<question>(?:how\s+(?:effective(?:ly)?|efficient(?:ly)?|legitimate|well|good)"
    r"|to\s+what\s+extent)\b[^?]{3,300}\?)"
    r"(?:\s*[-–—:|]?\s*(?P<grade>outstanding|good|adequate|requires\s+improvement"
    r"|inadequate|not\s+graded))?\s*$",
    re.IGNORECASE,
)
_ABOUT_THE_FORCE_RE = re.compile(r"\b(?:force|constabulary|police)\b", re.IGNORECASE)
QUESTIONS_FOR_RE = re.compile(
    r"^Questions\s+for\s+(?P<pillar>effectiveness|efficiency|legitimacy|leadership)$",
    re.IGNORECASE,
)
FINDINGS_HEADING_RE = re.compile(
    r"^(?:(?:the|our)\s+)?(?P<accelerated>accelerated\s+)?(?P<kind>causes?\s+of\s+concern|recommendations?"
    r"|areas?\s+for\s+improvement"
    # a joint targeted area inspection's "Areas for priority action", which the
    # agencies must answer with a written statement of action: recommendations
    r"|areas?\s+for\s+priority\s+action)(?:\s+\d{1,2})?"
    # "Causes of concern and recommendations": the causes, each with its own
    r"(?:\s+and\s+(?:recommendations?|areas?\s+for\s+improvement))?"
    # "Recommendations for chief constables", "Recommendation to the Home Office"
    r"(?:\s+(?:for|to)\s+(?P<addressee>(?:the\s+)?[A-Z][^.:;?!]{2,80}))?"
    r"\s*(?::\s*(?P<rest>.*))?$",
    re.IGNORECASE,
)
# A letter names its findings in a sentence instead of a heading: "we identified
# two causes of concern:", "We made the following recommendations:", "One area
# for improvement remained from that inspection." A count or "the following" must
# stand right before the kind: "this cause of concern" or "these areas" is prose.
_LEAD_IN_RE = re.compile(
    r"\b(?:the\s+following|an?|one|two|three|four|five|six|seven|eight|nine|ten"
    r"|eleven|twelve|several|\d{1,2})\s+(?:(?:new|further|accelerated|remaining"
    r"|outstanding|national)\s+)?"
    r"(?P<kind>causes?\s+of\s+concern|recommendations?|areas?\s+for\s+improvement)\b",
    re.IGNORECASE,
)
LAST_UPDATED_RE = re.compile(
    r"^Last\s+updated\s*:?\s*(?:on\s+)?(?P<date>.+?)$", re.IGNORECASE
)
PUBLISHED_RE = re.compile(
    r"^(?:(?:first\s+)?published|date\s+(?:of\s+publication|published)|publication\s+date)"
    r"(?:\s+on)?\s*:?\s*(?:on\s+)?(?P<date>.+?)$",
    re.IGNORECASE,
)
# What a sentence asks of someone (not "recommendations", the noun)
INSTRUCTION_ASKS_RE = re.compile(
    r"\b(?:should|must|needs?\s+to|(?:is|are)\s+required\s+to|recommend\s+that)\b",
    re.IGNORECASE,
)
INSTRUCTION_RE = re.compile(
    r"\b(?:should|must|needs?\s+to|recommend\w*|(?:is|are)\s+required\s+to)\b",
    re.IGNORECASE,
)


def stands_alone(text: str) -> bool:
    """A line that never joins the paragraph around it: a heading, a grade, a date line."""
    return bool(
        _QUESTION_RE.match(text)
        or FINDINGS_HEADING_RE.match(text)
        or grade_from_line(text)
        or is_meta(text)
        or QUESTIONS_FOR_RE.match(text)
    )


def runs_on(text: str) -> bool:
    """A heading line whose finding runs on to the next line: "Recommendation 1: By
    31 December 2024, the service should make sure that" (a hard-wrapped copy)."""
    heading = FINDINGS_HEADING_RE.match(text)
    rest = heading.group("rest") if heading else None
    return bool(rest) and len(rest.split()) >= 3 and not rest.endswith(_ENDS)


_ENDS = tuple(".!?:;)\"'”’")


def is_meta(text: str) -> bool:
    if len(text) >= 60:
        return False
    return bool(LAST_UPDATED_RE.match(text) or PUBLISHED_RE.match(text))


def looks_like_heading(block: Block) -> bool:
    text = block.text
    return block.heading is not None or (
        len(block.offsets) == 1
        and block.marker is None
        and len(text.split()) <= 10
        and text[:1].isupper()
        and not text.endswith(tuple(".,;:!?"))
        and not INSTRUCTION_RE.search(text)
    )


def question_heading(block: Block) -> tuple[str, str | None] | None:
    """(question, grade written beside it) if the block is a question heading."""
    if block.marker is not None:
        return None
    match = _QUESTION_RE.match(block.text)
    if match:
        grade = match.group("grade")
        return match.group("question"), grade_key(grade) if grade else None
    # In HTML the markup says it is a heading, so any question about the force counts.
    if (
        block.heading in (2, 3)
        and block.text.endswith("?")
        and len(block.text) <= 300
        and _ABOUT_THE_FORCE_RE.search(block.text)
    ):
        return block.text, None
    return None


def addressee_heading(block: Block) -> bool:
    """ "To chief constables", "For the College of Policing": whom the findings
    under it are for, inside a list of them (it ends nothing)."""
    return (
        block.marker is None
        and len(block.text.split()) <= 10
        # "To chief constables:" with its colon too
        and not block.text.rstrip(":").endswith(tuple(".,;:!?"))
        and _ADDRESSEE_HEADING_RE.match(block.text) is not None
    )


_ADDRESSEE_HEADING_RE = re.compile(
    r"^(?:[Tt]o|[Ff]or)\s+(?:the\s+|all\s+)?(?:chief\s+constables|police\s+and\s+crime"
    r"|[A-Z][\w’'-]*(?:\s+(?:[A-Z][\w’'-]*|of|and|the|for|&))*)",
)


def announces_findings(text: str) -> bool:
    """A sentence that says findings follow: "We have made the following
    recommendations.", "We identified two causes of concern." (asking nothing)."""
    return bool(_LEAD_IN_RE.search(text)) and not INSTRUCTION_ASKS_RE.search(text)


def lead_in_kind(block: Block, next_block: Block | None) -> str | None:
    """The kind of findings a sentence introduces, if it introduces a list of them.

    It must end with a colon, or end a sentence with a list item straight after it:
    prose that mentions findings ("two of the recommendations are complete") does not.
    """
    text = block.text
    if block.marker is not None or block.heading is not None or len(text) > 200:
        return None
    introduces = text.endswith(":") or (
        text.endswith(".")
        and next_block is not None
        and (
            (
                next_block.marker is not None
                # "2. Vetting decisions" is the next chapter, not a finding
                and not looks_like_heading(dataclasses.replace(next_block, marker=None))
            )
            # "we make a further recommendation." then "By 30 April, the force should"
            # (one sentence that says only that; a cause is announced with its words)
            or (
                next_block.heading is None
                and INSTRUCTION_ASKS_RE.search(next_block.text) is not None
                and "concern" not in text.lower()
                and len(split_sentences(text)) == 1
            )
        )
    )
    match = _LEAD_IN_RE.search(text) if introduces else None
    return finding_kind(match.group("kind")) if match else None


def finding_kind(heading: str) -> str:
    heading = heading.lower()
    if heading.startswith("cause"):
        return CAUSE_OF_CONCERN
    if heading.startswith("recommendation") or "priority" in heading:
        return RECOMMENDATION
    return AREA_FOR_IMPROVEMENT
