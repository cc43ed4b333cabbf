"""Register pages: one finding of the inspectorate's register, with its status log.

The register publishes a page per recommendation (or cause of concern, or area for
improvement): its text, the report it came from, and a log of dated entries
(awaiting-review, being-progressed, complete, or a comment). The log is history:
its dates say when something happened and are never deadlines, so the log is read
apart from the finding and comes back as its timeline.

1. Find the log: under a heading such as "Recommendation status history",
   "Timeline" or "Updates", or a table whose rows carry a date and a status.
   A page is a register page only if it has one (and asks no inspection question).
2. Read its entries in the shapes the register uses: table rows
   ("12/03/2023 | Being progressed | Force provided ..."), lines ("12 March 2023 –
   being-progressed – Force provided ...", the comment maybe under its date),
   fields ("Status: complete", "Date: 01/02/2024", "Comment: ..."), on one line or
   a label above its value, or the register's own markup ("[on]9th February 2017
   [status]awaiting-review[/status][/on]"). A status and a comment the register
   gives on the same day as two entries stay two.
3. Read the fields above it ("From: PEEL 2021/22: An inspection of X Police",
   "Force", "Date published", "Type") into the report's metadata, and the kind
   the page names (a recommendation unless it names another).
4. The rest above the log is the finding's text, its list items its sub-items
   (or, for a cause of concern, the recommendations it makes), its deadlines read
   from those words only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from .blocks import Block, is_table_row
from .dates import ParsedDeadline, describe_action, leading_day, split_sentences
from .deadlines import block_deadlines
from .errors import ReportParseError
from .headings import (
    FINDINGS_HEADING_RE,
    finding_kind,
    looks_like_heading,
    question_heading,
)
from .metadata import read_metadata
from .parsed import (
    AREA_FOR_IMPROVEMENT,
    AWAITING_REVIEW,
    BEING_PROGRESSED,
    CAUSE_OF_CONCERN,
    COMPLETE,
    RECOMMENDATION,
    ParsedEntry,
    ParsedFinding,
    ParsedItem,
    ParsedReport,
)

__all__ = ["read_register"]

_LOG_HEADING_RE = re.compile(
    r"^(?P<whose>(?:recommendation|cause\s+of\s+concern|area\s+for\s+improvement"
    r"|finding)(?:['’]s)?\s+)?(?:(?P<status>status)\s+(?:and\s+)?|progress\s+"
    r"|update\s+)?(?P<what>history|log|timeline|updates?)(?:\s+(?:history|log))?\s*:?$",
    re.IGNORECASE,
)
_CHROME_RE = re.compile(
    r"^(?:back\s+to\s+top|print\s+this\s+page|share\s+this\s+page|skip\s+to\s+"
    r"(?:main\s+)?content|was\s+this\s+page\s+useful\??|menu|search)$",
    re.IGNORECASE,
)
_STATUS = (
    r"(?P<status>awaiting[\s_-]+review|being[\s_-]+progressed|complete(?:d)?)"
    r"(?=\s*(?:$|[–—\-:.|,;()]|on\b|since\b))"
)
_STATUS_RE = re.compile(
    r"^(?:status\s*(?::|(?:changed|set|updated|moved)\s+(?:from\s+[\w\s-]+?\s+)?to)\s*)?"
    + _STATUS,
    re.IGNORECASE,
)
_STATUS_VALUES = {"awaiting": AWAITING_REVIEW, "being": BEING_PROGRESSED}
_SEPARATOR_RE = re.compile(r"^[\s)]*(?:[–—\-:|,;.]|\bon\b|\bsince\b)?[\s(]*")
_FIELD_RE = re.compile(r"^(?P<label>[A-Za-z][A-Za-z /]{0,30}?)\s*:\s*(?P<value>.*)$")
# The page's own fields, above the log: what each says.
_PAGE_FIELDS = {
    "from": "report", "report": "report", "inspection": "report",
    "force": "force", "force/organisation": "force", "organisation": "force",
    "date published": "published", "published": "published",
    "publication date": "published", "date of publication": "published",
    "last updated": "last_updated", "type": "kind",
    "reference": "other", "reference id": "other", "id": "other",
    "recommendation id": "other", "status": "other", "current status": "other",
    "category": "other", "theme": "other", "themes": "other", "tags": "other",
    "area": "other", "date": "published",
}  # fmt: skip
# An entry's fields, in the log.
_ENTRY_FIELDS = {
    "date": "on", "date of update": "on", "date updated": "on", "updated": "on",
    "status": "status", "new status": "status",
    "comment": "text", "comments": "text", "update": "text", "note": "text",
    "notes": "text", "details": "text", "progress": "text", "reason": "text",
}  # fmt: skip
_KIND_IN_TITLE_RE = re.compile(
    r"\b(?P<kind>causes?\s+of\s+concern|recommendations?|areas?\s+for\s+improvement)\b",
    re.IGNORECASE,
)
_RECOMMEND_RE = re.compile(r"\brecommend", re.IGNORECASE)
_SHORTCODE_RE = re.compile(r"\[/?(?:on|status|comment)\]", re.IGNORECASE)
# Field lines one under another are joined when long ("From: PEEL 2021/22: An
# inspection of X Police Date published: 14 February 2022"): split them again.
_FIELD_LABELS = sorted(
    {label.capitalize() for label in (*_PAGE_FIELDS, *_ENTRY_FIELDS)},
    key=len,
    reverse=True,
)
_NEXT_FIELD_RE = re.compile(
    r"\s+(?=(?:" + "|".join(map(re.escape, _FIELD_LABELS)) + r")\s*:\s)"
)


def read_register(blocks: list[Block], warnings: list[str]) -> ParsedReport | None:
    """The register page's finding with its status log; None if it is no register page."""
    blocks = [
        piece
        for block in blocks
        for entry in _split_shortcodes(block)
        for piece in _split_fields(entry)
    ]
    start = _log_start(blocks)
    if start is None:
        return None
    heading, first = start
    page = blocks[: heading if heading is not None else first]
    if any(question_heading(block) for block in page):
        return None  # a report with a "Timeline" section: the reader's
    log = _Log(warnings)
    log.read(blocks[first:])
    fields = _PageFields(page)
    strong = heading is None or _is_strong(blocks[heading].text)
    if not log.entries or not (
        strong or fields.report or any(entry.status for entry in log.entries)
    ):
        return None  # "Updates" with dated lines and nothing of the register
    meta = read_metadata(fields.meta_blocks)
    if not fields.text:
        raise ReportParseError(
            "This looks like a register page (it has a status log), but the "
            "finding's own text was not found above the log."
        )
    finding = _finding(fields.kind, fields.text, meta.published, warnings)
    finding.timeline = log.entries
    return ParsedReport(
        force_name=fields.force or meta.force_name,
        programme=meta.programme,
        year=meta.year,
        pillar=meta.title_pillar,
        last_updated=meta.last_updated,
        published=meta.published,
        overall_grade=None,
        questions=[],
        findings=[finding],
        warnings=list(dict.fromkeys(warnings)),
    )


def _split_shortcodes(block: Block) -> list[Block]:
    """The register's own markup, as a copied page may keep it: "[on]9th February
    2017 [status]awaiting-review[/status][/on][on]10th February 2017 [comment]"
    is an entry a line ("9th February 2017 – awaiting-review"), the comment after."""
    if not _SHORTCODE_RE.search(block.text):
        return [block]
    text = re.sub(r"\[status\]", " – ", block.text, flags=re.IGNORECASE)
    text = re.sub(r"\[/?(?:status|comment)\]", " ", text, flags=re.IGNORECASE)
    return [
        replace(block, text=" ".join(piece.split()), offsets=[])
        for piece in re.split(r"\[/?on\]", text, flags=re.IGNORECASE)
        if piece.strip()
    ]


def _split_fields(block: Block) -> list[Block]:
    if block.marker is not None or not _FIELD_RE.match(block.text):
        return [block]
    pieces, position = [], 0
    for match in _NEXT_FIELD_RE.finditer(block.text):
        pieces.append((position, block.text[position : match.start()]))
        position = match.end()
    pieces.append((position, block.text[position:]))
    return [
        replace(block, line=block.line_at(offset), text=text, offsets=[])
        for offset, text in pieces
    ]


def _is_title(block: Block) -> bool:
    """A heading, or a short line naming a kind: "Recommendation – Wessex Police"."""
    if block.heading is not None or looks_like_heading(block):
        return True
    words = block.text.split()
    return (
        block.marker is None
        and len(words) <= 12
        and not block.text.endswith(tuple(".,;:!?"))
        and bool(_KIND_IN_TITLE_RE.search(block.text))
    )


def _is_strong(heading: str) -> bool:
    """ "Recommendation status history" names a register's log; "History" may not."""
    match = _LOG_HEADING_RE.match(heading)
    assert match is not None
    return bool(match["whose"] or match["status"]) or match["what"].lower() == "log"


def _log_start(blocks: list[Block]) -> tuple[int | None, int] | None:
    """(the log's heading, its first block), or None when the page has no log."""
    for index, block in enumerate(blocks):
        if block.marker is None and _LOG_HEADING_RE.match(block.text):
            return index, index + 1  # its own line: the pattern is the whole line
        try:
            if is_table_row(block.text):
                if _is_log_row(block.text):
                    return None, index
                continue
            entry = _entry_start(block.text)
        except ReportParseError:
            continue  # a day that cannot exist: read (and refused) only in a log
        if entry is not None and entry[1] is not None:
            return None, index  # "12 March 2023 – being-progressed – ..."
    return None


def _is_log_row(text: str) -> bool:
    """A log's row starts with its date or status ("12/03/2023 | complete | ...");
    a table of findings starts with the finding ("The force should ... | Being
    progressed | 31/12/2024"), and its date is a deadline."""
    cells = _cells(text)
    if not cells:
        return False
    labels = [cell.lower().rstrip(":") for cell in cells]
    if labels[0] in ("date", "status") and {"date", "status"} <= set(labels):
        return True  # the column labels of a copied table
    first_is_log = _day_cell(cells[0]) is not None or _status_cell(cells[0]) is not None
    return (
        first_is_log
        and any(_day_cell(cell) for cell in cells)
        and any(_status_cell(cell) for cell in cells)
    )


def _cells(text: str) -> list[str]:
    return [cell.strip() for cell in text.split("|") if cell.strip()]


def _day_cell(cell: str, line: int | None = None) -> date | None:
    found = leading_day(cell, line)
    return found[0] if found and not cell[found[1] :].strip(" .") else None


def _status_cell(cell: str) -> str | None:
    match = _STATUS_RE.match(cell)
    if not match or cell[match.end() :].strip(" .;"):
        return None
    return _status_value(match.group("status"))


def _status_value(word: str) -> str:
    return _STATUS_VALUES.get(re.split(r"[\s_-]", word.lower())[0], COMPLETE)


def _entry_start(
    text: str, line: int | None = None
) -> tuple[date, str | None, str] | None:
    """(day, status, comment) for "12 March 2023 – being-progressed – comment" or
    "Being progressed (12 March 2023): comment"; None if the text starts neither way."""
    found = leading_day(text, line)
    if found is not None:
        rest = _SEPARATOR_RE.sub("", text[found[1] :], count=1)
        status = _STATUS_RE.match(rest)
        if status is None:
            return found[0], None, rest  # a comment (an unknown status word kept in it)
        comment = _SEPARATOR_RE.sub("", rest[status.end() :], count=1)
        return found[0], _status_value(status.group("status")), comment
    status = _STATUS_RE.match(text)
    if status is None:
        return None
    after = _SEPARATOR_RE.sub("", text[status.end() :], count=1)
    found = leading_day(after, line)
    if found is None:
        return None
    comment = _SEPARATOR_RE.sub("", after[found[1] :], count=1)
    return found[0], _status_value(status.group("status")), comment


@dataclass
class _Draft:
    """An entry being read: a line, a table row or a group of fields."""

    line: int
    on: date | None = None
    status: str | None = None
    unknown_status: str = ""  # a status word the register's list does not have
    text: list[str] = field(default_factory=list)
    fields: set[str] = field(default_factory=set)


class _Log:
    """The entries of a status log, read block by block until its section ends."""

    def __init__(self, warnings: list[str]) -> None:
        self.warnings = warnings
        self.entries: list[ParsedEntry] = []
        self.draft: _Draft | None = None
        self.label: tuple[str, int] | None = None  # a field's label above its value

    def read(self, blocks: list[Block]) -> None:
        for block in blocks:
            if not self._take(block):
                break
        self._flush()
        if self.label is not None:
            self._warn(self.label[1], f"“{self.label[0]}” has no value under it")

    def _take(self, block: Block) -> bool:
        text, line = block.text, block.line
        if self.label is not None:
            label, _ = self.label
            self.label = None
            return self._field(label, text, line)
        if is_table_row(text):
            self._row(block)
            return True
        name = text.rstrip(": ").lower()
        if block.marker is None and name in _ENTRY_FIELDS:
            self.label = (name, line)  # "Status" above "complete" (a <dt> and <dd>)
            return True
        field_match = _FIELD_RE.match(text)
        if field_match and field_match["label"].lower().strip() in _ENTRY_FIELDS:
            return self._field(
                field_match["label"].lower().strip(), field_match["value"], line
            )
        entry = _entry_start(text, line)
        if entry is not None:
            self._flush()
            on, status, comment = entry
            self.draft = _Draft(line, on, status, text=[comment] if comment else [])
            self.draft.fields = {"on", "status"} if status else {"on"}
            return True
        status = _STATUS_RE.match(text)
        if status is not None:
            comment = _SEPARATOR_RE.sub("", text[status.end() :], count=1)
            value = _status_value(status.group("status"))
            draft = self.draft
            if draft is not None and draft.status is None and not draft.text:
                draft.status = value  # "12 March 2023" above "Being progressed"
                draft.fields.add("status")
            else:
                self._flush()
                self.draft = draft = _Draft(line, status=value, fields={"status"})
            if comment:
                draft.text.append(comment)
            return True
        if _CHROME_RE.match(text) or (
            _LOG_HEADING_RE.match(text) and block.marker is None
        ):
            return True  # "Updates" under "Recommendation status history"
        draft = self.draft
        if block.heading is not None or (
            _is_title(block) and (draft is None or draft.text)
        ):
            return False  # the next section: "Related recommendations"
        if draft is not None:
            draft.text.append(text)  # the comment ("Evidence received") goes on
        return True

    def _field(self, label: str, value: str, line: int) -> bool:
        what = _ENTRY_FIELDS[label]
        draft = self.draft
        if draft is None or what in draft.fields:
            self._flush()
            self.draft = draft = _Draft(line)
        draft.fields.add(what)
        value = value.strip()
        if what == "on":
            day = _day_cell(value, line)
            if day is None:
                draft.text.append(f"{label.capitalize()}: {value}")
                self._warn(line, f"“{value}” is not a day")
            draft.on = day
        elif what == "status":
            status = _status_cell(value)
            if status is None:
                draft.unknown_status = value
            draft.status = status
        elif value:
            draft.text.append(value)
        return True

    def _row(self, block: Block) -> None:
        cells = _cells(block.text)
        if all(re.fullmatch(r"[-:=+ ]+", cell) for cell in cells):
            return  # a Markdown separator row
        labels = {cell.lower().rstrip(":") for cell in cells}
        if labels <= {"date", "status", "comment", "comments", "update", "details"}:
            return  # the column labels
        self._flush()
        draft = _Draft(block.line)
        texts = []
        for cell in cells:
            day = _day_cell(cell, block.line) if draft.on is None else None
            status = _status_cell(cell) if draft.status is None else None
            if day is not None:
                draft.on = day
            elif status is not None:
                draft.status = status
            else:
                texts.append(cell)  # a comment, or a status word not in the list
        draft.text = [" – ".join(texts)] if texts else []
        self.draft = draft
        self._flush()

    def _flush(self) -> None:
        draft, self.draft = self.draft, None
        if draft is None:
            return
        comment = "\n\n".join(draft.text)
        text = " – ".join(part for part in (draft.unknown_status, comment) if part)
        if draft.on is None:
            self._warn(
                draft.line,
                f"an entry of the status log gives no date, so it was not imported"
                f"{f': “{text}”' if text else ''}",
            )
            return
        self.entries.append(ParsedEntry(draft.on, draft.status, text, draft.line))

    def _warn(self, line: int, what: str) -> None:
        self.warnings.append(f"Line {line}: {what}.")


class _PageFields:
    """What stands above the log: the page's fields, the kind it names, the finding's words."""

    def __init__(self, blocks: list[Block]) -> None:
        self.meta_blocks: list[Block] = []  # for read_metadata, in the words it knows
        self.text: list[Block] = []
        self.report: str | None = None
        self.force: str | None = None
        self.stated_kind: str | None = None
        self.named_kinds: list[str] = []
        label: str | None = None
        for block in blocks:
            if label is not None:
                self._field(label, block)
                label = None
                continue
            text = block.text
            name = text.rstrip(": ").lower()
            if block.marker is None and name in _PAGE_FIELDS and text[:1].isupper():
                label = name  # "From" above its value (a <dt> and <dd>)
                continue
            cells = _cells(text) if is_table_row(text) else []
            if len(cells) == 2 and cells[0].rstrip(":").lower() in _PAGE_FIELDS:
                self._field(cells[0].rstrip(":").lower(), replace(block, text=cells[1]))
                continue
            found = _FIELD_RE.match(text)
            if found and found["label"].lower().strip() in _PAGE_FIELDS:
                value = replace(block, text=found["value"].strip())
                self._field(found["label"].lower().strip(), value)
                continue
            if _is_title(block):
                self._heading(block)
                continue
            named = FINDINGS_HEADING_RE.match(text)
            if named and named["rest"]:  # "Recommendation: By 31 March 2023, ..."
                self.stated_kind = self.stated_kind or finding_kind(named["kind"])
                block = replace(block, text=named["rest"], offsets=[])
            self.text.append(block)

    @property
    def kind(self) -> str:
        """As the page states it; else the strongest it names in a heading; else a
        recommendation, which is what the register's pages mostly are."""
        if self.stated_kind:
            return self.stated_kind
        for kind in (CAUSE_OF_CONCERN, AREA_FOR_IMPROVEMENT):
            if kind in self.named_kinds:
                return kind
        return RECOMMENDATION

    def _field(self, label: str, block: Block) -> None:
        what, value = _PAGE_FIELDS[label], block.text
        if what == "report":
            self.report = value
            self.meta_blocks.append(block)
        elif what == "force":
            self.force = re.sub(
                r"\s+(?:Police(?:\s+Service)?|Constabulary)$", "", value.strip(" .")
            )
        elif what == "published":
            self.meta_blocks.append(replace(block, text=f"Published {value}"))
        elif what == "last_updated":
            self.meta_blocks.append(replace(block, text=f"Last updated {value}"))
        elif what == "kind":
            kind = _KIND_IN_TITLE_RE.search(value)
            if kind:
                self.stated_kind = finding_kind(kind["kind"])

    def _heading(self, block: Block) -> None:
        self.meta_blocks.append(block)  # a title: "Kent Police PEEL 2021/22"
        heading = FINDINGS_HEADING_RE.match(block.text)
        named = heading["kind"] if heading else None
        if named is None:
            found = _KIND_IN_TITLE_RE.search(block.text)
            named = found["kind"] if found else None
        if named:
            self.named_kinds.append(finding_kind(named))


def _finding(
    kind: str, blocks: list[Block], published: date | None, warnings: list[str]
) -> ParsedFinding:
    """The finding in the page's words: its paragraphs, then its list items as sub-items
    (or, after a cause of concern's "we recommend that the force:", as recommendations).

    Only these words are read for deadlines; relative ones count from publication.
    """

    def deadlines(block: Block) -> list[ParsedDeadline]:
        return block_deadlines(block, published=published, warnings=warnings)

    finding = ParsedFinding(kind=kind, text="", order=1, line=blocks[0].line)
    paragraphs: list[str] = []
    trailing: list[str] = []
    inherited: list[ParsedDeadline] = []  # from "we recommend that, by ..., the force:"
    recommends = in_list = False
    open_nodes: list[tuple[int, ParsedFinding | ParsedItem]] = []  # outermost first
    for block in blocks:
        if block.marker is None:
            found = deadlines(block)
            if in_list:
                trailing.append(block.text)
                finding.deadlines += found
                continue
            paragraphs.append(block.text)
            last_sentence = split_sentences(block.text)[-1][1]
            if (
                kind == CAUSE_OF_CONCERN
                and block.text.endswith(":")
                and _RECOMMEND_RE.search(last_sentence)
            ):
                recommends, inherited = True, found
            else:
                finding.deadlines += found
            continue
        in_list = True
        while open_nodes and open_nodes[-1][0] >= block.indent:
            open_nodes.pop()
        node: ParsedFinding | ParsedItem
        if recommends and not open_nodes:
            described = describe_action(block.text)
            node = ParsedFinding(
                kind=RECOMMENDATION,
                text=block.text,
                order=len(finding.recommendations) + 1,
                line=block.line,
                deadlines=deadlines(block)
                + [replace(d, deliverable=described) for d in inherited],
            )
            finding.recommendations.append(node)
        else:
            owner = open_nodes[-1][1] if open_nodes else finding
            node = ParsedItem(
                block.text, len(owner.children) + 1, block.line, deadlines(block)
            )
            owner.children.append(node)
        open_nodes.append((block.indent, node))
    if not paragraphs:  # the words came as a list item: the first is the finding
        first = finding.children.pop(0)
        paragraphs, finding.line = [first.text], first.line
        finding.deadlines += first.deadlines
        finding.children[:0] = first.children
        for order, child in enumerate(finding.children, start=1):
            child.order = order
    finding.text = "\n\n".join(paragraphs)
    finding.trailing_text = "\n\n".join(trailing) or None
    return finding
