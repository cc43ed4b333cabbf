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

from .headings import stands_alone
from .source import TextLine

# "o" and "§" are Word's second- and third-level bullets.
_BULLETS = "•*\\-–‣◦▪●○■□·∙o§➢"
_LIST_MARKER = r"(?:\d{1,3}|[A-Za-z]|[ivxlcdmIVXLCDM]{2,6})"
MARKER_RE = re.compile(
    rf"^(?P<marker>[{_BULLETS}]|\(?{_LIST_MARKER}[.)]|\({_LIST_MARKER}\))(?:\s+|$)"
)
_TAG_RE = re.compile(r"</?[A-Za-z][^<>]*>|<!--.*?-->")
# Bullets run into one line ("• one. • two. •", as a PDF or a copied page gives
# them): a round or square bullet between spaces, after the end of a sentence or
# a lead-in. Only glyphs that are never prose; a hyphen or "o" mid-line is text.
_RUN_IN_RE = re.compile(r"(?<=[.;:!?)\"'”’])\s+(?P<marker>[•●▪■◦‣])(?=\s|$)")
TERMINAL = tuple(".!?:;)\"'”’")


@dataclass
class Block:
    """A paragraph, list item or heading: one or more source lines read as one."""

    line: int
    indent: int
    text: str
    marker: str | None = None
    heading: int | None = None
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
    for source_line in _split_run_in_bullets(lines):
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
            and not stands_alone(text)
            and _continues(previous_line, text)
        ):
            current.offsets.append((length + 1, source_line.number))
            parts.append(text)
            length += 1 + len(text)
        else:
            heading = source_line.heading
            current = Block(source_line.number, indent, text, marker, heading)
            current.offsets.append((0, source_line.number))
            current.page = source_line.page
            parts, length, current_stands_alone = [text], len(text), stands_alone(text)
            blocks.append((current, parts))
        previous_line = text
    for block, block_parts in blocks:
        block.text = " ".join(block_parts)
    return [block for block, _ in blocks]


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
    return not previous.endswith(TERMINAL) and len(previous) >= 50


def is_table_row(text: str) -> bool:
    return " | " in text
