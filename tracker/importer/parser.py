"""Read a PEEL inspection report (text or HTML): questions, grades, findings, deadlines.

How a report is read:
1. The upload is checked and decoded (source.py); HTML is rendered as text (html.py).
2. Lines are grouped into blocks: paragraphs, list items (marker and indent kept) and
   headings.
3. A first pass reads the page's metadata: the title line (force, programme, pillar),
   "Last updated" and "Published".
4. A second pass walks the blocks: question headings open questions, a grade line
   directly under a question grades it, findings headings open findings sections, and
   the rest is prose, read only for grades stated in sentences.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

from .dates import (
    ParsedDeadline,
    deadline_in_cell,
    describe_action,
    find_deadlines,
    parse_date_text,
    split_sentences,
)
from .errors import ReportParseError
from .grades import GRADE_LABEL_RE, grade_from_line, grade_from_prose, grade_key
from .html import html_to_lines, looks_like_html
from .source import TextLine, read_source, text_lines

__all__ = [
    "ParsedDeadline",
    "ParsedFinding",
    "ParsedItem",
    "ParsedQuestion",
    "ParsedReport",
    "ReportParseError",
    "parse_report",
]

CAUSE_OF_CONCERN = "cause_of_concern"
RECOMMENDATION = "recommendation"
AREA_FOR_IMPROVEMENT = "area_for_improvement"


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
class ParsedItem(_JsonMixin):
    """A sub-step of a finding (a nested bullet), possibly with its own deadline."""

    text: str
    order: int
    line: int
    deadlines: list[ParsedDeadline] = field(default_factory=list)
    children: list[ParsedItem] = field(default_factory=list)


@dataclass
class ParsedFinding(_JsonMixin):
    """A cause of concern, recommendation or area for improvement, as worded."""

    kind: str
    text: str  # verbatim, whitespace-normalised, without its sub-items
    order: int
    line: int
    children: list[ParsedItem] = field(default_factory=list)
    deadlines: list[ParsedDeadline] = field(default_factory=list)
    # paragraphs indented under it, after its sub-items
    trailing_text: str | None = None
    # for a cause of concern, the recommendations that answer it
    recommendations: list[ParsedFinding] = field(default_factory=list)


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


def parse_report(source: str | bytes, *, filename: str | None = None) -> ParsedReport:
    """Read a report's text or HTML; raise ReportParseError if it cannot be read."""
    text = read_source(source)
    warnings: list[str] = []
    named_html = (filename or "").lower().endswith((".html", ".htm"))
    if named_html or looks_like_html(text):
        try:
            lines, warnings = html_to_lines(text)
        except Exception as error:  # html.parser can still fail on broken markup
            raise ReportParseError("The HTML could not be read.") from error
    else:
        lines = text_lines(text)
    return _Reader(_blocks(lines), warnings).read()


# Line grammar -----------------------------------------------------------------------

# "o" and "§" are Word's second- and third-level bullets.
_BULLETS = "•*\\-–‣◦▪●○■□·∙o§➢"
_LIST_MARKER = r"(?:\d{1,3}|[A-Za-z]|[ivxlcdmIVXLCDM]{2,6})"
_MARKER_RE = re.compile(
    rf"^(?P<marker>[{_BULLETS}]|\(?{_LIST_MARKER}[.)]|\({_LIST_MARKER}\))(?:\s+|$)"
)
_TAG_RE = re.compile(r"</?[A-Za-z][^<>]*>|<!--.*?-->")
_TERMINAL = tuple(".!?:;)\"'”’")

_QUESTION_RE = re.compile(
    r"^(?:(?:question\s+)?\d{1,2}[.:)]\s+)?"
    r"(?P<question>(?:how\s+(?:effective|efficient|legitimate|well|good)"
    r"|to\s+what\s+extent)\b[^?]{3,300}\?)"
    r"(?:\s*[-–—:|]?\s*(?P<grade>outstanding|good|adequate|requires\s+improvement"
    r"|inadequate|not\s+graded))?\s*$",
    re.IGNORECASE,
)
_ABOUT_THE_FORCE_RE = re.compile(r"\b(?:force|constabulary|police)\b", re.IGNORECASE)
_QUESTIONS_FOR_RE = re.compile(
    r"^Questions\s+for\s+(?P<pillar>effectiveness|efficiency|legitimacy|leadership)$",
    re.IGNORECASE,
)
_FINDINGS_HEADING_RE = re.compile(
    r"^(?:accelerated\s+)?(?P<kind>causes?\s+of\s+concern|recommendations?"
    r"|areas?\s+for\s+improvement)(?:\s+\d{1,2})?\s*(?::\s*(?P<rest>.*))?$",
    re.IGNORECASE,
)
_OVERALL_RE = re.compile(
    r"keeping\s+people\s+safe\s+and\s+reducing\s+crime\?$", re.IGNORECASE
)
_PILLAR_VERBS = {
    "effective": "Effectiveness",
    "efficient": "Efficiency",
    "legitimate": "Legitimacy",
}
_PILLAR_RE = re.compile(
    r"\b(effectiveness|efficiency|legitimacy|leadership)\b", re.IGNORECASE
)

_PROGRAMME = r"(?P<programme>(?:19|20)\d{2}(?:\s*/\s*\d{2,4})?)\b"
_NAME = r"[A-Z][\w’'&.-]*(?:\s+(?:[A-Z][\w’'&.-]*|and|of|&)){0,5}"
_TITLE_FORCE_FIRST_RE = re.compile(
    rf"^(?P<force>{_NAME})\s+PEEL:?\s+{_PROGRAMME}(?P<rest>.*)$"
)
_TITLE_PEEL_FIRST_RE = re.compile(
    rf"^PEEL:?\s+{_PROGRAMME}\s*[:\-–—|]\s*(?:(?:an|the)\s+inspection\s+of\s+)?"
    r"(?P<force>[A-Z][\w’'&,. ]{1,60}?)\s*(?P<rest>[-–—|].*)?$",
    re.IGNORECASE,
)
_PROGRAMME_RE = re.compile(rf"\bPEEL:?\s+{_PROGRAMME}")
_LAST_UPDATED_RE = re.compile(
    r"^Last\s+updated\s*:?\s*(?:on\s+)?(?P<date>.+?)$", re.IGNORECASE
)
_PUBLISHED_RE = re.compile(
    r"^(?:(?:first\s+)?published|date\s+of\s+publication|publication\s+date)"
    r"\s*:?\s*(?:on\s+)?(?P<date>.+?)$",
    re.IGNORECASE,
)
_FORCE_IN_PROSE_RE = re.compile(
    r"\b(?P<name>[A-Z][\w’'-]+(?:\s+(?:[A-Z][\w’'-]+|and|of|&)){0,4}?)\s+"
    r"(?:Police(?:\s+Service)?|Constabulary)\s+(?:is|requires|remains)\b"
)
_NOT_A_NAME = {
    "overall", "however", "the", "in", "we", "that", "therefore", "also", "but", "and",
    "hmic", "hmicfrs", "so", "this", "while",
}  # fmt: skip
_CHROME = {
    "skip to content", "skip to main content", "back to top", "print this page",
    "share this page", "menu", "search",
}  # fmt: skip
_INSTRUCTION_RE = re.compile(
    r"\b(?:should|must|needs?\s+to|recommend\w*|(?:is|are)\s+required\s+to)\b",
    re.IGNORECASE,
)
_RECOMMEND_RE = re.compile(r"\brecommend", re.IGNORECASE)
# More paragraphs than this under one finding are narrative, not the finding.
_MAX_PARAGRAPHS = 20
# Real findings nest a few levels deep; deeper items join the deepest level kept.
_MAX_NESTING = 8


@dataclass
class _Block:
    """A paragraph, list item or heading: one or more source lines read as one."""

    line: int
    indent: int
    text: str
    marker: str | None = None
    heading: int | None = None
    # (offset in text, line)
    offsets: list[tuple[int, int]] = field(default_factory=list)

    def line_at(self, offset: int) -> int:
        index = bisect.bisect_right(self.offsets, offset, key=lambda start: start[0])
        return self.offsets[index - 1][1] if index else self.line


def _blocks(lines: list[TextLine]) -> list[_Block]:
    """Group lines into blocks; a hard-wrapped paragraph or list item is one block."""
    # each block with its lines, joined at the end
    blocks: list[tuple[_Block, list[str]]] = []
    current: _Block | None = None
    parts: list[str] = []
    length = 0
    current_stands_alone = False
    previous_line = ""
    # a bullet on a line of its own, and its indent
    lone_marker: tuple[str, int] | None = None
    for source_line in lines:
        text = _clean(source_line.text)
        if not text:
            current = None
            continue
        indent = _indent(source_line.text)
        marker, text = _split_marker(text)
        if marker and not text:
            lone_marker, current = (marker, indent), None
            continue
        if lone_marker and not marker and source_line.heading is None:
            marker, indent = lone_marker
        lone_marker = None
        if (
            current is not None
            and marker is None
            and source_line.heading is None
            and current.heading is None
            and not current_stands_alone
            and not _stands_alone(text)
            and _continues(previous_line, text)
        ):
            current.offsets.append((length + 1, source_line.number))
            parts.append(text)
            length += 1 + len(text)
        else:
            heading = source_line.heading
            current = _Block(source_line.number, indent, text, marker, heading)
            current.offsets.append((0, source_line.number))
            parts, length, current_stands_alone = [text], len(text), _stands_alone(text)
            blocks.append((current, parts))
        previous_line = text
    for block, block_parts in blocks:
        block.text = " ".join(block_parts)
    return [block for block, _ in blocks]


def _clean(raw: str) -> str:
    text = raw.strip()
    if "\t" in text:  # tab-separated cells of a copied table
        text = re.sub(r"(?<=\S)\t+(?=\S)", " | ", text)
    text = _TAG_RE.sub(_tag_gap, text)  # no markup may reach a text field
    if text.startswith("|") or text.endswith("|"):
        text = text.strip("| ")
    return " ".join(text.split())


def _tag_gap(tag: re.Match[str]) -> str:
    """What a stripped tag leaves: a space only where it separated two words."""
    text, start, end = tag.string, tag.start(), tag.end()
    if 0 < start and end < len(text):
        return " " if text[start - 1].isalnum() and text[end].isalnum() else ""
    return ""


def _indent(raw: str) -> int:
    return len(raw.expandtabs(4)) - len(raw.expandtabs(4).lstrip())


def _split_marker(text: str) -> tuple[str | None, str]:
    match = _MARKER_RE.match(text)
    if not match:
        return None, text
    return match.group("marker"), text[match.end() :]


def _continues(previous: str, text: str) -> bool:
    """Whether `text` carries on the paragraph before it (a hard-wrapped line)."""
    if _is_table_row(previous) or _is_table_row(text):
        return False
    if text[:1].islower():
        return True
    # Long lines that stop mid-sentence were wrapped; short ones are headings or titles.
    return not previous.endswith(_TERMINAL) and len(previous) >= 50


def _stands_alone(text: str) -> bool:
    return bool(
        _QUESTION_RE.match(text)
        or _FINDINGS_HEADING_RE.match(text)
        or grade_from_line(text)
        or _is_meta(text)
        or _QUESTIONS_FOR_RE.match(text)
    )


def _is_meta(text: str) -> bool:
    if len(text) >= 60:
        return False
    return bool(_LAST_UPDATED_RE.match(text) or _PUBLISHED_RE.match(text))


def _looks_like_heading(block: _Block) -> bool:
    text = block.text
    return block.heading is not None or (
        len(block.offsets) == 1
        and block.marker is None
        and len(text.split()) <= 10
        and text[:1].isupper()
        and not text.endswith(tuple(".,;:!?"))
        and not _INSTRUCTION_RE.search(text)
    )


def _question_heading(block: _Block) -> tuple[str, str | None] | None:
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


def _is_table_row(text: str) -> bool:
    return " | " in text


def _introduces_recommendations(finding: ParsedFinding) -> bool:
    """A cause of concern ending "... we recommend that the force:"."""
    if finding.kind != CAUSE_OF_CONCERN or not finding.text.endswith(":"):
        return False
    return bool(_RECOMMEND_RE.search(split_sentences(finding.text)[-1][1]))


def _finding_kind(heading: str) -> str:
    heading = heading.lower()
    if heading.startswith("cause"):
        return CAUSE_OF_CONCERN
    if heading.startswith("recommendation"):
        return RECOMMENDATION
    return AREA_FOR_IMPROVEMENT


# Metadata ---------------------------------------------------------------------------


@dataclass
class _Metadata:
    force_name: str | None = None
    programme: str | None = None
    year: int | None = None
    title_pillar: str | None = None
    last_updated: date | None = None
    published: date | None = None


def _read_metadata(blocks: list[_Block]) -> _Metadata:
    meta = _Metadata()
    before_first_question = []
    for block in blocks:
        if _question_heading(block):
            break
        before_first_question.append(block)
    for block in before_first_question:
        text = block.text
        title = _TITLE_FORCE_FIRST_RE.match(text) or _TITLE_PEEL_FIRST_RE.match(text)
        if title:
            meta.force_name = _force_name(title.group("force"))
            meta.programme = _programme(title.group("programme"))
            pillars = _PILLAR_RE.findall(title.group("rest") or "")
            if len({pillar.lower() for pillar in pillars}) == 1:
                meta.title_pillar = pillars[0].capitalize()
            break
    if meta.programme is None:
        for block in before_first_question:
            programme = _PROGRAMME_RE.search(block.text)
            if programme:
                meta.programme = _programme(programme.group("programme"))
                break
    if meta.programme:
        meta.year = int(meta.programme[5:9])
    for block in blocks:
        updated = _LAST_UPDATED_RE.match(block.text)
        if updated and meta.last_updated is None:
            meta.last_updated = parse_date_text(updated.group("date"))
        published = _PUBLISHED_RE.match(block.text)
        if published and meta.published is None:
            meta.published = parse_date_text(published.group("date"))
        if meta.force_name is None:
            named = _FORCE_IN_PROSE_RE.search(block.text)
            if named:
                meta.force_name = _force_name(named.group("name"))
    return meta


def _force_name(raw: str) -> str | None:
    words = raw.replace("’s", "").split()
    while words and words[0].lower() in _NOT_A_NAME:
        words.pop(0)
    name = re.sub(r"\s+(?:Police(?:\s+Service)?|Constabulary)$", "", " ".join(words))
    name = name.strip(" ,.-–—:")
    if not name or len(name) > 40 or any(char.isdigit() for char in name):
        return None
    return name


def _programme(raw: str) -> str:
    years = [part.strip() for part in raw.split("/")]
    if len(years) == 2:
        return f"PEEL {years[0]}/{years[1][-2:]}"
    return f"PEEL {years[0]}"


# Findings ---------------------------------------------------------------------------


@dataclass
class _Level:
    """One open level of a (possibly nested) list."""

    indent: int
    style: str
    node: ParsedFinding | ParsedItem
    last: str  # the latest marker at this level, without brackets ("b" for "(b)")


class _FindingsSection:
    """The findings under one heading, such as "Areas for improvement".

    Its findings are either list items (nested deeper by indent, or by a change of
    numbering after a line ending in ":") or plain paragraphs, each asking something of
    the force.
    """

    def __init__(
        self,
        reader: _Reader,
        kind: str,
        target: list[ParsedFinding],
        heading: _Block,
        cause: ParsedFinding | None = None,
    ) -> None:
        self.reader = reader
        self.kind = kind
        self.target = target
        self.heading = heading
        # the cause of concern whose recommendations this section lists
        self.cause = cause
        self.mode: str | None = None  # "list" or "paragraph", set by the first finding
        self.last: ParsedFinding | None = None
        self.top_indent = 0
        # list items are this finding's sub-items
        self.parent: ParsedFinding | None = None
        self.levels: list[_Level] = []
        # from a lead-in such as "By 1 May, ...:"
        self.inherited: list[ParsedDeadline] = []
        self.created = 0

    @property
    def current_cause(self) -> ParsedFinding | None:
        if self.cause is not None:
            return self.cause
        return self.last if self.kind == CAUSE_OF_CONCERN else None

    def take(self, index: int, block: _Block) -> bool:
        """Add the block if it belongs to this section; False ends the section."""
        if block.heading is not None:
            return False
        if _is_table_row(block.text):
            return self._table_row(block)
        if block.marker:
            self._list_item(block)
            return True
        if self._is_lead_in(index, block):
            self._lead_in(block)
            return True
        if self.last is not None and block.indent > self.top_indent:
            return self._trailing(block)
        if self._is_unmarked_item(block):
            self._unmarked_item(block)
            return True
        if _looks_like_heading(block):
            return False
        if self.last is None:
            self.add_paragraph(block)
            return True
        if self.mode != "paragraph":
            return False  # prose after a list is the report's narrative again
        if self.kind == CAUSE_OF_CONCERN and self.parent is None and not self.levels:
            # "To address this, we recommend that ..."
            if _RECOMMEND_RE.search(block.text):
                self._collect_recommendations(self.last)
                self.add_paragraph(block)
            elif self.last.text.count("\n\n") < _MAX_PARAGRAPHS:
                # A cause of concern runs to a few paragraphs, never to dozens.
                self.last.text += "\n\n" + block.text
                self.last.deadlines += self.reader.deadlines(block)
            else:
                return False
            return True
        if _INSTRUCTION_RE.search(block.text):
            self.add_paragraph(block)
            return True
        return False

    def add_paragraph(self, block: _Block) -> None:
        self.mode = self.mode or "paragraph"
        self.levels, self.parent, self.inherited = [], None, []
        self._new_finding(block, block.text)

    def _new_finding(
        self, block: _Block, text: str, *, instruction: bool | None = None
    ) -> ParsedFinding:
        finding = ParsedFinding(
            kind=self.kind,
            text=text,
            order=len(self.target) + 1,
            line=block.line,
            deadlines=self.reader.deadlines(block, text, instruction=instruction),
        )
        if self.inherited:
            description = describe_action(text)
            finding.deadlines += [
                replace(deadline, deliverable=description)
                for deadline in self.inherited
            ]
        self.target.append(finding)
        self.last, self.top_indent = finding, block.indent
        self.created += 1
        return finding

    def _list_item(self, block: _Block) -> None:
        if not self.levels and self.parent is None and self.mode == "paragraph":
            last = self.last
            if last is not None and last.text.endswith(":"):
                # "... we recommend that the force:" introduces the recommendations;
                # any other "...:" introduces the finding's own sub-items.
                if _introduces_recommendations(last):
                    self._collect_recommendations(last)
                else:
                    self.parent = last
        self.mode = self.mode or "list"
        assert block.marker is not None
        style = self._style(block.marker)
        depth = min(self._depth(block.indent, style), _MAX_NESTING)
        del self.levels[depth:]
        node: ParsedFinding | ParsedItem
        owner = self.levels[depth - 1].node if depth else self.parent
        if owner is None:
            node = self._new_finding(block, block.text)
        elif isinstance(owner, ParsedFinding) and _introduces_recommendations(owner):
            node = self._recommendation_of(owner, block)
        else:
            node = ParsedItem(
                text=block.text,
                order=len(owner.children) + 1,
                line=block.line,
                deadlines=self.reader.deadlines(block),
            )
            owner.children.append(node)
        self.levels.append(_Level(block.indent, style, node, block.marker.strip("().")))

    def _recommendation_of(self, cause: ParsedFinding, block: _Block) -> ParsedFinding:
        """A bullet nested under "• The force ... we recommend that the force:"."""
        recommendation = ParsedFinding(
            kind=RECOMMENDATION,
            text=block.text,
            order=len(cause.recommendations) + 1,
            line=block.line,
            deadlines=self.reader.deadlines(block),
        )
        cause.recommendations.append(recommendation)
        self.created += 1
        return recommendation

    def _is_unmarked_item(self, block: _Block) -> bool:
        """A copy that lost its bullets: "... how it will:" then "undertake ..."."""
        last = self.last
        return (
            self.mode == "paragraph"
            and last is not None
            and (self.parent is last or last.text.endswith(":"))
            and block.text[:1].islower()
        )

    def _unmarked_item(self, block: _Block) -> None:
        assert self.last is not None
        if self.parent is None and _introduces_recommendations(self.last):
            self._collect_recommendations(self.last)
            self.mode = "list"
            self._new_finding(block, block.text, instruction=True)
            return
        self.parent = self.last
        self.parent.children.append(
            ParsedItem(
                text=block.text,
                order=len(self.parent.children) + 1,
                line=block.line,
                deadlines=self.reader.deadlines(block, instruction=True),
            )
        )

    def _style(self, marker: str) -> str:
        core = marker.strip("().")
        if not core.isalnum():
            return "bullet " + core
        if core.isdigit():
            return "number"
        case = "upper" if core.isupper() else "lower"
        if len(core) > 1:
            return f"roman {case}"
        # "i." is roman unless it follows "h." in a lettered list (so are "v.", "x.").
        if core.lower() in "ivx":
            follows_letter = any(
                level.style == f"letter {case}" and level.last == chr(ord(core) - 1)
                for level in self.levels
            )
            return f"letter {case}" if follows_letter else f"roman {case}"
        return f"letter {case}"

    def _depth(self, indent: int, style: str) -> int:
        levels = self.levels
        for depth in reversed(range(len(levels))):
            if levels[depth].indent == indent and levels[depth].style == style:
                return depth  # a sibling
        last = levels[-1] if levels else None
        if last and indent == last.indent and last.node.text.endswith(":"):
            # "1. The force should:" then "(a) ..." at the same indent
            return len(levels)
        for depth in reversed(range(len(levels))):
            if levels[depth].indent < indent:
                return depth + 1
            if levels[depth].indent == indent:
                return depth
        return 0

    def _is_lead_in(self, index: int, block: _Block) -> bool:
        """A short "The force should:" sentence that introduces a list.

        Under "Cause of concern" the first paragraph is the concern, not a lead-in.
        """
        blocks = self.reader.blocks
        return (
            block.text.endswith(":")
            and not (self.kind == CAUSE_OF_CONCERN and self.last is None)
            and len(block.text.split()) <= 25
            and len(split_sentences(block.text)) == 1
            and index + 1 < len(blocks)
            and blocks[index + 1].marker is not None
        )

    def _lead_in(self, block: _Block) -> None:
        deadlines = self.reader.deadlines(block)
        self.levels = []
        cause = self.last if self.kind == CAUSE_OF_CONCERN else None
        if cause is not None and self.parent is None:
            cause.text += "\n\n" + block.text
            if _RECOMMEND_RE.search(block.text):
                self._collect_recommendations(cause)
                # "we recommend that, within six months, ...:"
                self.inherited = deadlines
            else:
                cause.deadlines += deadlines
                self.parent = cause
            return
        # The lead-in is nobody's text: its deadline belongs to each item it introduces.
        self.parent, self.inherited = None, deadlines
        self.mode = self.mode or "list"

    def _collect_recommendations(self, cause: ParsedFinding) -> None:
        self.cause, self.kind = cause, RECOMMENDATION
        self.target = cause.recommendations
        self.last, self.parent, self.levels = None, None, []

    def _trailing(self, block: _Block) -> bool:
        assert self.last is not None
        trailing = self.last.trailing_text
        if trailing and trailing.count("\n\n") >= _MAX_PARAGRAPHS:
            return False
        if trailing:
            self.last.trailing_text = f"{trailing}\n\n{block.text}"
        else:
            self.last.trailing_text = block.text
        self.last.deadlines += self.reader.deadlines(block)
        return True

    def _table_row(self, block: _Block) -> bool:
        cells = [cell.strip() for cell in block.text.split("|") if cell.strip()]
        if all(re.fullmatch(r"[-:=+ ]+", cell) for cell in cells):
            return True  # a Markdown separator row
        due: list[ParsedDeadline] = []
        texts: list[str] = []
        for cell in cells:
            deadline = deadline_in_cell(
                cell,
                published=self.reader.reference_date,
                line=block.line,
                warnings=self.reader.warnings,
            )
            if deadline:
                due.append(deadline)
            elif not _MARKER_RE.fullmatch(cell + " "):
                texts.append(cell)
        if not due and all(len(text.split()) <= 4 for text in texts):
            return True  # column labels such as "Recommendation | Due by"
        if not texts:
            return True
        self.mode, self.levels, self.parent = self.mode or "list", [], None
        text = " ".join(texts)
        finding = self._new_finding(block, text)
        if due:
            description = describe_action(text)
            finding.deadlines += [replace(d, deliverable=description) for d in due]
        return True


# The reader -------------------------------------------------------------------------


class _Reader:
    def __init__(self, blocks: list[_Block], warnings: list[str]) -> None:
        self.blocks = blocks
        self.warnings = warnings
        self.meta = _read_metadata(blocks)
        # Relative deadlines count from publication; a page that only says when it
        # was last updated gives no better date.
        self.reference_date = self.meta.published or self.meta.last_updated
        self.questions: list[ParsedQuestion] = []
        self.prose: list[list[str]] = []  # per question, its narrative paragraphs
        self.report_findings: list[ParsedFinding] = []
        self.sections: list[_FindingsSection] = []
        self.section: _FindingsSection | None = None
        self.in_question = False
        self.awaiting_grade = False
        self.pillar: str | None = None
        self.pillar_follows_first_question = False

    def read(self) -> ParsedReport:
        for index, block in enumerate(self.blocks):
            self._read_block(index, block)
        return self._report()

    def deadlines(
        self, block: _Block, text: str | None = None, *, instruction: bool | None = None
    ) -> list[ParsedDeadline]:
        """The deadlines in a block's text (or in `text`, read from that block).

        `instruction` says the text is an instruction even without "should"; by default
        a list item is one, being introduced by "the force should:".
        """
        text = block.text if text is None else text
        # Offsets into the block's lines say nothing about where other text came from.
        own_text = text == block.text
        if instruction is None:
            instruction = block.marker is not None
        found: list[ParsedDeadline] = []
        for offset, sentence in split_sentences(text):
            deadlines = find_deadlines(
                sentence,
                published=self.reference_date,
                line=block.line_at(offset) if own_text else block.line,
                warnings=self.warnings,
                instruction=instruction,
            )
            if own_text:  # a sentence may span lines: give each deadline its own line
                position = 0
                for deadline in deadlines:
                    position = max(sentence.find(deadline.wording, position), 0)
                    deadline.line = block.line_at(offset + position)
            found += deadlines
        return found

    def _read_block(self, index: int, block: _Block) -> None:
        text = block.text
        if text.lower() in _CHROME or (block.marker is None and _is_meta(text)):
            return
        question = _question_heading(block)
        if question:
            self._open_question(block, *question)
            return
        pillar = _QUESTIONS_FOR_RE.match(text)
        if pillar and block.marker is None:
            self.pillar = pillar.group("pillar").capitalize()
            self.pillar_follows_first_question = len(self.questions) == 1
            self.section, self.in_question, self.awaiting_grade = None, False, False
            return
        heading = _FINDINGS_HEADING_RE.match(text) if block.marker is None else None
        if heading and (heading.group("rest") or len(text) <= 60):
            kind = _finding_kind(heading.group("kind"))
            self._open_findings(block, kind, heading.group("rest"))
            return
        if self.awaiting_grade and block.marker is None:
            if GRADE_LABEL_RE.match(text):
                return  # "Our judgement" with the grade on the next line
            grade = grade_from_line(text)
            if grade:
                question = self.questions[-1]
                question.grade, question.grade_source = grade, "line"
                self.awaiting_grade = False
                return
        self.awaiting_grade = False
        if self.section is not None and self.section.take(index, block):
            return
        self.section = None
        if self.in_question:
            self.prose[-1].append(text)

    def _open_question(self, block: _Block, text: str, grade: str | None) -> None:
        self.questions.append(
            ParsedQuestion(
                text=text,
                order=len(self.questions) + 1,
                grade=grade or "not_stated",
                grade_source="line" if grade else None,
                is_overall=False,
                findings=[],
                line=block.line,
            )
        )
        self.prose.append([])
        self.section, self.in_question, self.awaiting_grade = None, True, grade is None

    def _open_findings(self, block: _Block, kind: str, inline_text: str | None) -> None:
        self.awaiting_grade = False
        cause = None
        if kind == RECOMMENDATION and self.section is not None:
            cause = self.section.current_cause
        if cause is not None:
            target = cause.recommendations
        elif self.in_question:
            target = self.questions[-1].findings
        else:
            target = self.report_findings
        self.section = _FindingsSection(self, kind, target, block, cause)
        self.sections.append(self.section)
        if inline_text:  # "Area for improvement: The force should ..."
            self.section.add_paragraph(replace(block, text=inline_text, offsets=[]))

    def _report(self) -> ParsedReport:
        questions = self.questions
        for question, prose in zip(questions, self.prose, strict=True):
            if question.grade_source is None:
                grade = grade_from_prose(prose)
                if grade:
                    question.grade, question.grade_source = grade, "prose"
        # An integrated report asks "... keeping people safe and reducing crime?" once
        # per pillar, so only a report asking it once has an overall question.
        overall_like = [q for q in questions if _OVERALL_RE.search(q.text)]
        if questions and (
            self.pillar_follows_first_question
            or (len(questions) > 1 and overall_like == [questions[0]])
        ):
            questions[0].is_overall = True
        has_findings = self.report_findings or any(q.findings for q in questions)
        if not questions and not has_findings:
            raise ReportParseError(
                "No inspection questions or findings were found: is this the text or "
                "HTML of a PEEL report?"
            )
        self._warn_about_gaps()
        meta = self.meta
        overall = questions[0] if questions and questions[0].is_overall else None
        return ParsedReport(
            force_name=meta.force_name,
            programme=meta.programme,
            year=meta.year,
            pillar=self.pillar or meta.title_pillar or self._pillar_from_questions(),
            last_updated=meta.last_updated,
            published=meta.published,
            overall_grade=overall.grade if overall else None,
            questions=questions,
            findings=self.report_findings,
            warnings=list(dict.fromkeys(self.warnings)),
        )

    def _pillar_from_questions(self) -> str | None:
        """A single-pillar report asks each question with one word ("How effective")."""
        if not self.questions or not self.questions[0].is_overall:
            return None
        verbs = {q.text.split()[1].lower() for q in self.questions}
        if len(verbs) == 1:
            return _PILLAR_VERBS.get(verbs.pop())
        return None

    def _warn_about_gaps(self) -> None:
        for section in self.sections:
            if not section.created:
                self.warnings.append(
                    f"Line {section.heading.line}: nothing was found under the heading "
                    f"“{section.heading.text}”."
                )
        if any("cut off" in warning for warning in self.warnings):
            return
        content = [
            block
            for block in self.blocks
            if block.text.lower() not in _CHROME
            and block.heading is None
            and not _is_table_row(block.text)
        ]
        if content:
            last = content[-1]
            if not last.text.endswith(_TERMINAL) and len(last.text.split()) >= 4:
                if not _looks_like_heading(last) and not _question_heading(last):
                    self.warnings.append(
                        f"Line {last.line}: the text stops mid-sentence, so the page "
                        "may be cut off; only the part that is there was read."
                    )
