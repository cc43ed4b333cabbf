"""The findings under a findings heading: list items, nested sub-items, paragraphs.

A section holds the findings of one kind (causes of concern, recommendations or
areas for improvement) until the report's narrative starts again. It reads list
markers and indents into nested sub-items, lead-ins ("The force should:") into
the deadlines of what they introduce, a cause of concern's "we recommend" into
the recommendations that answer it, and table rows into findings with due dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from .addressees import read_addressees
from .blocks import MARKER_RE, Block, is_table_row
from .dates import ParsedDeadline, deadline_in_cell, describe_action, split_sentences
from .headings import (
    FINDINGS_HEADING_RE,
    addressee_heading,
    announces_findings,
    looks_like_heading,
)
from .parsed import CAUSE_OF_CONCERN, RECOMMENDATION, ParsedFinding, ParsedItem

if TYPE_CHECKING:
    from .reader import Reader


_RECOMMEND_RE = re.compile(r"\brecommend", re.IGNORECASE)
# What a paragraph after a list must say to be one more finding, not narrative.
_ASKS_RE = re.compile(
    r"\b(?:should|must|needs?\s+to|(?:is|are)\s+required\s+to|we\s+recommend\s+that)\b",
    re.IGNORECASE,
)
_QUOTES = '"“”'
# What an inspection did, not what it found wanting
_NARRATIVE_RE = re.compile(
    r"^(?:(?:We|HMICFRS|HMIC|Our\s+inspectors?)\s+(?:inspected|visited|revisited|carried"
    r"\s+out|reviewed|examined|spoke|interviewed|told|wrote|met|attended)\b"
    r"|(?:Between|From|During)\s+(?:\d|[A-Z][a-z]+\s+\d{4}|our|the\s+inspection))"
)
# "The cause of concern was:", "The cause of concern we identified was:"
_NAMES_THE_CAUSE_RE = re.compile(r"^(?:the|our)\s+cause\s+of\s+concern\b.*:$", re.I)
_MODAL_RE = re.compile(
    r"\b(?:should|must|needs?\s+to|(?:is|are)\s+to|recommend\s+that)\b", re.IGNORECASE
)
_LEAD_IN_WORDS_RE = re.compile(
    r"\b(?:make\s+sure|ensure|that|the\s+force|the\s+service|it|and|also|to|by|do"
    r"|the\s+following|immediately)\b|[,;]",
    re.IGNORECASE,
)
_OWN_ACTION_WORDS = 4  # words of its own that make a lead-in a finding
_ROW_NUMBER_RE = re.compile(r"(?:No\.?\s*)?\d{1,3}[.)]?")  # a table's "1", "2." column
_PROGRESS_RE = re.compile(
    r"^(?:progress|our\s+assessment|assessment|update|status|hmicfrs\s+assessment)"
    r"\s*(?:[:–—-]|$)",
    re.IGNORECASE,
)
# "... are upheld. (1.5)": where the report said it first
_CROSS_REFERENCE_RE = re.compile(r"(?<=[.;])\s*\((?:\d{1,2}\.\d{1,3}(?:,\s*)?)+\)$")
_RECALLS_RE = re.compile(
    r"\bin\s+(?:its|our|their)\s+(?:(?:19|20)\d{2}(?:/\d{2})?|previous|earlier|last)\b"
    r"|\b(?:HMIC(?:FRS)?|we)\s+(?:had\s+)?(?:previously\s+)?(?:recommended|made\s+the\s+"
    r"following)\b",
    re.IGNORECASE,
)
# A heading that says when what follows it is due.
_TIME_HEADING_RE = re.compile(
    r"(?:immediately|with\s+immediate\s+effect|within\s+(?:the\s+next\s+)?[\w-]+"
    r"\s+(?:days?|weeks?|months?|years?)|by\s+(?:the\s+end\s+of\s+)?"
    r"(?:\d{1,2}\s+)?[A-Z][a-z]+\s+\d{4})\s*:?",
    re.IGNORECASE,
)
# More paragraphs than this under one finding are narrative, not the finding.
_MAX_PARAGRAPHS = 20
# Real findings nest a few levels deep; deeper items join the deepest level kept.
_MAX_NESTING = 8


def _introduces_recommendations(finding: ParsedFinding) -> bool:
    """A cause of concern ending "... we recommend that the force:"."""
    if finding.kind != CAUSE_OF_CONCERN or not finding.text.endswith(":"):
        return False
    return bool(_RECOMMEND_RE.search(split_sentences(finding.text)[-1][1]))


def _asks_itself(text: str) -> bool:
    """A sentence that asks something of its own before its list ("the force should
    review how it records crimes reported by other agencies, and:"): a finding with
    sub-steps, where "By 30 September, the force should:" only introduces them."""
    modals = list(_MODAL_RE.finditer(text))
    if not modals or not text.endswith(":"):
        return False
    rest = text[modals[-1].end() : -1]  # after the last "should", to the colon
    words = _LEAD_IN_WORDS_RE.sub(" ", rest).split()
    return len(words) >= _OWN_ACTION_WORDS


def _introduces_quote(block: Block, blocks: list[Block], index: int) -> bool:
    """A sentence such as "In our report, we said:" with a quotation after it."""
    following = blocks[index + 1] if index + 1 < len(blocks) else None
    return (
        block.text.endswith(":")
        and len(block.text.split()) <= 15
        and following is not None
        and (following.text[:1] in _QUOTES or _NAMES_THE_CAUSE_RE.match(block.text))
    )


def _numbered_heading(block: Block) -> bool:
    """A numbered chapter title ("1. Introduction"), not a numbered finding."""
    assert block.marker is not None
    return (
        block.marker.strip("().").isdigit()
        and len(block.text.split()) <= 6
        and looks_like_heading(replace(block, marker=None))
    )


def _unquoted(text: str) -> str:
    """A finding a letter quotes ("The force is not ...") without its quotation marks."""
    if len(text) > 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
        inner = text[1:-1]
        if not any(mark in inner for mark in _QUOTES):
            return inner.strip()
    return text


@dataclass
class _Level:
    """One open level of a (possibly nested) list."""

    indent: int
    style: str
    node: ParsedFinding | ParsedItem
    last: str  # the latest marker at this level, without brackets ("b" for "(b)")


class FindingsSection:
    """The findings under one heading, such as "Areas for improvement".

    Its findings are either list items (nested deeper by indent, or by a change of
    numbering after a line ending in ":") or plain paragraphs, each asking something of
    the force.
    """

    def __init__(
        self,
        reader: Reader,
        kind: str,
        target: list[ParsedFinding],
        heading: Block,
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
        # from a heading such as "Within three months", for all that follows it
        self.dated_by_heading: list[ParsedDeadline] = []
        self.question = 0  # how many questions the report had opened when it began
        # Under "Recommendation 2" (one, numbered) a lead-in and its list are one
        # finding with its sub-steps; under "Recommendations", one finding an item.
        named = FINDINGS_HEADING_RE.match(heading.text)
        self.single = bool(named) and not named.group("kind").split()[0].endswith("s")
        # from a lead-in such as "By 1 May, chief constables should:"
        self.inherited_addressees: tuple[list[str], str] = ([], "")
        self.created = 0

    @property
    def current_cause(self) -> ParsedFinding | None:
        if self.cause is not None:
            return self.cause
        return self.last if self.kind == CAUSE_OF_CONCERN else None

    def take(self, index: int, block: Block) -> bool:
        """Add the block if it belongs to this section; False ends the section."""
        if block.heading is not None:
            return False
        if is_table_row(block.text):
            return self._table_row(block)
        if block.marker:
            if _numbered_heading(block):
                return False  # "1. Introduction", a chapter of the report
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
        if _TIME_HEADING_RE.fullmatch(block.text):
            # "Immediately", "Within three months": the recommendations below are due then.
            deadline = deadline_in_cell(
                block.text.rstrip(": "),
                published=self.reader.reference_date,
                line=block.line,
                warnings=self.reader.warnings,
            )
            self.dated_by_heading = [deadline] if deadline else []
            self.levels, self.parent, self.inherited = [], None, []
            return True
        if addressee_heading(block):
            # "To the College of Policing" between the recommendations for each
            self.levels, self.parent = [], None
            return True
        if looks_like_heading(block):
            return False
        if self.last is None and announces_findings(block.text):
            return True  # "We have made the following recommendations."
        if (
            self.kind == CAUSE_OF_CONCERN
            and self.last is None
            and _NARRATIVE_RE.match(block.text)
        ):
            # "We inspected the service between 28 October and 8 November 2024. ..."
            # under a letter's "Cause of concern: <its subject>": how it was found
            return True
        if (
            self.kind == CAUSE_OF_CONCERN
            and self.last is None
            and _introduces_quote(block, self.reader.blocks, index)
        ):
            return True  # "In our report, we said:" before the cause, quoted
        if self.reader.in_question and _RECALLS_RE.search(block.text):
            # "HMIC made the following recommendation in its 2013 report: ..."
            # is the question's history, not a finding of this report
            return False
        if self.last is None:
            self.add_paragraph(block)
            return True
        if self.mode == "list" and _PROGRESS_RE.match(block.text):
            # "Progress: the force has met this recommendation." between the items
            # of a revisit letter: what was found, the list goes on after it
            return True
        if self.mode != "paragraph":
            # Prose after a list is the report's narrative again, unless it asks
            # something more: "Not later than 31 May, the force should review ...".
            if not _ASKS_RE.search(block.text) or self.parent is not None:
                return False
            self.add_paragraph(block)
            return True
        if self.kind == CAUSE_OF_CONCERN and self.parent is None and not self.levels:
            # "To address this, we recommend that ..."
            if _RECOMMEND_RE.search(block.text):
                self._collect_recommendations(self.last)
                if block.text.endswith(":") and len(block.text.split()) <= 25:
                    # "To address this cause of concern, we recommended that:" with
                    # its recommendations after it (under a lead-in of their own)
                    self.inherited = self.reader.deadlines(block)
                else:
                    self.add_paragraph(block)
            elif self.last.text.count("\n\n") < _MAX_PARAGRAPHS:
                # A cause of concern runs to a few paragraphs, never to dozens.
                self.last.text += "\n\n" + block.text
                self.last.deadlines += self.reader.deadlines(block)
            else:
                return False
            return True
        if _ASKS_RE.search(block.text):  # not "Summary of recommendations"
            self.add_paragraph(block)
            return True
        return False

    def answer(self, block: Block, texts: list[str]) -> None:
        """Recommendations, read from the block's prose, that answer its cause."""
        assert self.last is not None
        self._collect_recommendations(self.last)
        for text in texts:
            self.add_paragraph(replace(block, text=text, offsets=[]))

    def add_paragraph(self, block: Block) -> None:
        self.mode = self.mode or "paragraph"
        self.levels, self.parent, self.inherited = [], None, []
        self.inherited_addressees = ([], "")
        self._new_finding(block, block.text)

    def _new_finding(
        self, block: Block, text: str, *, instruction: bool | None = None
    ) -> ParsedFinding:
        finding = ParsedFinding(
            kind=self.kind,
            text=_unquoted(_CROSS_REFERENCE_RE.sub("", text)),
            order=len(self.target) + 1,
            line=block.line,
            page=block.page,
            deadlines=self.reader.deadlines(block, text, instruction=instruction),
        )
        self.address(finding)
        # A finding that states its own deadline keeps it instead of its lead-in's;
        # a lead-in under a dated heading gives the same date once.
        inherited: list[ParsedDeadline] = []
        if not finding.deadlines:
            for deadline in self.inherited + self.dated_by_heading:
                if deadline.due not in {d.due for d in inherited}:
                    inherited.append(deadline)
        if inherited:
            description = describe_action(text)
            finding.deadlines += [
                replace(deadline, deliverable=description) for deadline in inherited
            ]
        self.target.append(finding)
        self.last, self.top_indent = finding, block.indent
        self.created += 1
        return finding

    def address(self, finding: ParsedFinding) -> None:
        """Whom the finding's own words address, or else its lead-in's."""
        addressees, words = read_addressees(finding.text)
        if not addressees:
            addressees, words = self.inherited_addressees
        finding.addressees, finding.addressed_as = list(addressees), words

    def lead_in(self, block: Block) -> None:
        """A lead-in's deadlines and addressees, for each finding it introduces."""
        self.inherited = self.reader.deadlines(block)
        self.inherited_addressees = read_addressees(block.text)

    def _list_item(self, block: Block) -> None:
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
                page=block.page,
                deadlines=self.reader.deadlines(block),
            )
            owner.children.append(node)
        self.levels.append(_Level(block.indent, style, node, block.marker.strip("().")))

    def _recommendation_of(self, cause: ParsedFinding, block: Block) -> ParsedFinding:
        """A bullet nested under "• The force ... we recommend that the force:"."""
        recommendation = ParsedFinding(
            kind=RECOMMENDATION,
            text=block.text,
            order=len(cause.recommendations) + 1,
            line=block.line,
            page=block.page,
            deadlines=self.reader.deadlines(block),
        )
        self.address(recommendation)
        cause.recommendations.append(recommendation)
        self.created += 1
        return recommendation

    def _is_unmarked_item(self, block: Block) -> bool:
        """A copy that lost its bullets: "... how it will:" then "undertake ..."."""
        last = self.last
        return (
            self.mode == "paragraph"
            and last is not None
            and (self.parent is last or last.text.endswith(":"))
            and block.text[:1].islower()
        )

    def _unmarked_item(self, block: Block) -> None:
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
                page=block.page,
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

    def _is_lead_in(self, index: int, block: Block) -> bool:
        """A short "The force should:" sentence that introduces a list.

        Under "Cause of concern" the first paragraph is the concern, not a lead-in.
        """
        blocks = self.reader.blocks
        return (
            block.text.endswith(":")
            and not (self.kind == CAUSE_OF_CONCERN and self.last is None)
            and not (self.single and self.last is None)
            and len(block.text.split()) <= 25
            and len(split_sentences(block.text)) == 1
            and index + 1 < len(blocks)
            and blocks[index + 1].marker is not None
            and not _asks_itself(block.text)
        )

    def _lead_in(self, block: Block) -> None:
        deadlines = self.reader.deadlines(block)
        addressees = read_addressees(block.text)
        self.levels = []
        cause = self.last if self.kind == CAUSE_OF_CONCERN else None
        if cause is not None and self.parent is None:
            if _ASKS_RE.search(block.text) or _RECOMMEND_RE.search(block.text):
                # "To address this, we recommend that, within six months, the force:"
                # or "The service should immediately:" under the cause: what answers
                # it follows, each item due when the lead-in says
                self._collect_recommendations(cause)
                self.inherited, self.inherited_addressees = deadlines, addressees
                self.mode = "list"
                return
            # "We found that:" then the evidence: the cause's own sub-items
            cause.text += "\n\n" + block.text
            cause.deadlines += deadlines
            self.parent = cause
            return
        # The lead-in is nobody's text: its deadline belongs to each item it introduces.
        self.parent, self.inherited = None, deadlines
        self.inherited_addressees = addressees
        self.mode = self.mode or "list"

    def _collect_recommendations(self, cause: ParsedFinding) -> None:
        self.cause, self.kind = cause, RECOMMENDATION
        self.target = cause.recommendations
        self.last, self.parent, self.levels = None, None, []

    def _trailing(self, block: Block) -> bool:
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

    def _table_row(self, block: Block) -> bool:
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
            elif not MARKER_RE.fullmatch(cell + " ") and not _ROW_NUMBER_RE.fullmatch(
                cell
            ):
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
