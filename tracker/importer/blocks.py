"""Lines into blocks: a paragraph, list item or heading, however the page wrapped it.

A hard-wrapped paragraph or list item is one block; a list item keeps its marker
and indent, which say how deep it is nested; a heading (from the HTML, or a line
the heading grammar says stands alone) is a block of its own.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from dataclasses import dataclass, field

from .headings import runs_on, stands_alone
from .source import TextLine

# "o" and "§" are Word's second- and third-level bullets.
_BULLETS = "•*\\-–‣◦▪●○■□·∙o§➢"
_LIST_MARKER = r"(?:\d{1,3}|[A-Za-z]|[ivxlcdmIVXLCDM]{2,6})"
MARKER_RE = re.compile(
    rf"^(?P<marker>[{_BULLETS}]|\(?{_LIST_MARKER}[.)]|\({_LIST_MARKER}\))(?:\s+|$)"
)
_TAG_RE = re.compile(r"</?[A-Za-z][^<>]*>|<!--.*?-->")
# Bullets run into one line ("• one. • two. •", as a PDF or a copied page gives
# them): a round or square bullet between spaces, after the end of a sentence, a
# lead-in or "; and". Only glyphs that are never prose; a hyphen or "o" mid-line is text.
_RUN_IN_RE = re.compile(
    r"(?:(?<=[.;:!?)\"'”’])|(?<=\band)|(?<=\bor))\s+(?P<marker>[•●▪■◦‣])(?=\s|$)"
)
TERMINAL = tuple(".!?:;)\"'”’")
_FOOTNOTE_MARK_RE = re.compile(
    r"(?<=[a-z]{3})\d{1,2}(?=[\s,;:.)]|$)|(?<=[A-Za-z][.;:,!?’'\"”)])\d{1,2}(?=\s|$)"
)
_POSSESSIVE_END_RE = re.compile(r"[a-z]s['’]$")
_PARAGRAPH_NUMBER_RE = re.compile(
    r"^(?:[A-Z]?\d{1,2}\.\d{1,3}\.?|S\d{1,2}\.)\s+(?=[A-Z‘“\"'])"
)


@dataclass
class Block:
    """A paragraph, list item or heading: one or more source lines read as one."""

    line: int
    indent: int
    text: str
    marker: str | None = None
    heading: int | None = None
    term: bool = False  # from a <dt>: a term being defined, not a heading
    # (offset in text, line)
    offsets: list[tuple[int, int]] = field(default_factory=list)
    page: int | None = None  # the PDF's page it starts on

    def line_at(self, offset: int) -> int:
        index = bisect.bisect_right(self.offsets, offset, key=lambda start: start[0])
        return self.offsets[index - 1][1] if index else self.line


def read_blocks(lines: list[TextLine]) -> list[Block]:
    """Group lines into blocks; a hard-wrapped paragraph or list item is one block."""
    # each block with its lines, joined at the end
    blocks: list[tuple[Block, list[str]]] = []
    current: Block | None = None
    parts: list[str] = []
    length = 0
    current_stands_alone = False
    previous_line = ""
    # a bullet on a line of its own, and its indent
    lone_marker: tuple[str, int] | None = None
    # the document's words, to tell a hyphenated word from a compound
    source_text = " ".join(line.text for line in lines).lower()
    for source_line in _split_run_in_bullets(lines):
        text = _clean(source_line.text)
        if not text:
            current = None
            continue
        indent = _indent(source_line.text)
        # "1.4 The force's governance ...", "S2. We identified ...": a paragraph's
        # number in the report, not a list marker and not its words
        text = _PARAGRAPH_NUMBER_RE.sub("", text)
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
            and not stands_alone(text)
            and _continues(previous_line, text)
        ):
            # "con-" then "sulted": a word the line break hyphenated, joined again
            hyphenated = dehyphenated(parts[-1], text, source_text)
            if hyphenated:
                parts[-1], length = hyphenated, length - 1
                separator = ""
            else:
                separator = " "
            current.offsets.append((length + len(separator), source_line.number))
            parts.append(separator + text)
            length += len(separator) + len(text)
        else:
            heading = source_line.heading
            current = Block(source_line.number, indent, text, marker, heading)
            current.term = source_line.term
            current.offsets.append((0, source_line.number))
            current.page = source_line.page
            current_stands_alone = stands_alone(text) and not runs_on(text)
            parts, length = [text], len(text)
            blocks.append((current, parts))
        previous_line = text
    for block, block_parts in blocks:
        block.text = "".join(block_parts)
    return [block for block, _ in blocks]


# Compounds whose own hyphen may fall at a line's end: "risk-" then "based" stays
# "risk-based". Any other word broken after a hyphen was broken by the typesetter.
_COMPOUND_STARTS = {
    "anti", "co", "cross", "cyber", "child", "data", "e", "ex", "face", "fast", "first",
    "follow", "full", "high", "in", "inter", "long", "low", "multi", "non", "part",
    "post", "pre", "problem", "risk", "self", "semi", "short", "sub", "time", "up",
    "well", "year", "out", "off", "one", "two", "three", "four", "five", "six",
    "twenty", "thirty", "forty", "fifty", "day", "front", "back", "end",
}  # fmt: skip
_HYPHEN_END_RE = re.compile(r"(?:^|[^\w-])(?P<word>[A-Za-z]+)-$")
_WORD_START_RE = re.compile(r"^(?P<word>[a-z]+)")


def dehyphenated(previous: str, text: str, source: str) -> str | None:
    """`previous` without the hyphen a line break put in a word, if it did; else None.

    "supervisory over-" then "sight" was "oversight"; "risk-" then "based" is
    "risk-based": the document's own spelling elsewhere decides, then the list of
    words that start compounds.
    """
    end = _HYPHEN_END_RE.search(previous)
    start = _WORD_START_RE.match(text)
    if not end or not start:
        return None
    first, second = end.group("word"), start.group("word")
    if f"{first}-{second}".lower() in source:
        return None
    if f"{first}{second}".lower() in source or first.lower() not in _COMPOUND_STARTS:
        return previous[:-1]
    return None


def _split_run_in_bullets(lines: list[TextLine]):
    """Each bullet of a line that runs several together, as a line of its own (same number)."""
    for line in lines:
        if line.heading is not None or not _RUN_IN_RE.search(line.text):
            yield line
            continue
        indent = line.text[: len(line.text) - len(line.text.lstrip())]
        start = 0
        for match in _RUN_IN_RE.finditer(line.text):
            piece = line.text[start : match.start()]
            if piece.strip():
                yield dataclasses.replace(line, text=indent + piece.strip())
            start = match.start("marker")
        piece = line.text[start:].strip()
        if piece and _split_marker(piece)[1]:  # not a bullet closing the line
            yield dataclasses.replace(line, text=indent + piece)


def _clean(raw: str) -> str:
    text = raw.strip()
    if "\t" in text:  # tab-separated cells of a copied table
        text = re.sub(r"(?<=\S)\t+(?=\S)", " | ", text)
    text = _TAG_RE.sub(_tag_gap, text)  # no markup may reach a text field
    if text.startswith("|") or text.endswith("|"):
        text = text.strip("| ")
    # "vulnerability3 when", "Code of Practice.4": a footnote's number, copied
    # from the page's superscript, glued to the word or sentence it notes
    text = _FOOTNOTE_MARK_RE.sub("", text)
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
    match = MARKER_RE.match(text)
    if not match:
        return None, text
    return match.group("marker"), text[match.end() :]


def _continues(previous: str, text: str) -> bool:
    """Whether `text` carries on the paragraph before it (a hard-wrapped line)."""
    if is_table_row(previous) or is_table_row(text):
        return False
    if text[:1].islower():
        return True
    # Long lines that stop mid-sentence were wrapped; short ones are headings or titles.
    # ("the Victims'" ends with a possessive, not a closing quotation mark.)
    ends = previous.endswith(TERMINAL) and not _POSSESSIVE_END_RE.search(previous)
    return not ends and len(previous) >= 50


def is_table_row(text: str) -> bool:
    return " | " in text
