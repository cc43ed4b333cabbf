"""Turn a report's HTML into the line-based text the parser reads.

Each block (heading, paragraph, list item, table row) becomes one line, separated by
blank lines. List items are indented two spaces per level and start with a marker ("•",
"1.", "a."), so a nested <ul> reads like the bulleted text people paste. Only text
survives: tags are dropped, entities unescaped, and <script>/<style> contents discarded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from .source import TextLine

_SNIFF_RE = re.compile(
    r"<(?:h[1-6]|p|ul|ol|li|div|body|table|br)\b[^<>]*>", re.IGNORECASE
)
_TRUNCATED_TAG_RE = re.compile(r"<[A-Za-z/!][^>]*\Z")

_SKIPPED = {
    "script", "style", "noscript", "template", "svg", "nav", "footer", "iframe",
    "object", "select", "button", "canvas", "audio", "video", "map",
}  # fmt: skip
_VOID = {
    "br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed",
    "source", "track", "wbr", "param",
}  # fmt: skip
_BLOCKS = {
    "p", "div", "section", "article", "main", "header", "aside", "blockquote",
    "figure", "figcaption", "dl", "dt", "dd", "pre", "address", "details", "summary",
    "caption", "hr", "fieldset", "legend", "body", "html", "title", "table", "thead",
    "tbody", "tfoot",
}  # fmt: skip
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_KIND_COLUMN_RE = re.compile(
    r"^(?:recommendations?|areas?\s+for\s+improvement|causes?\s+of\s+concern)$", re.I
)
_ASIDE_COLUMN_RE = re.compile(
    r"^(?:our\s+)?(?:assessment|progress|status|comments?|update|findings|what\s+we\s+found"
    r"|evidence|addressed\s+to|addressee|to\s+whom|for|lead|owner|rag|rating)\b",
    re.I,
)
_CELL_BREAKS = _BLOCKS | _HEADINGS | {"ul", "ol", "li", "br"}
_MAX_DEPTH = 8  # real lists nest a few levels; deeper items are drawn at this depth
_ROMAN = (
    (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
    (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
)  # fmt: skip


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:15].lower()
    return head.startswith(("<!doctype", "<html")) or bool(_SNIFF_RE.search(text))


def html_to_lines(markup: str) -> tuple[list[TextLine], list[str]]:
    """Render HTML as numbered text lines (numbers are lines of the HTML source)."""
    warnings: list[str] = []
    cut_mid_tag = _TRUNCATED_TAG_RE.search(markup)
    if cut_mid_tag:
        markup = markup[: cut_mid_tag.start()]
    renderer = _Renderer()
    renderer.feed(markup)
    renderer.close()
    renderer.finish()
    if renderer.scripts_removed:
        warnings.append("Scripts were removed from the HTML.")
    if cut_mid_tag or renderer.left_open():
        warnings.append(
            "The page seems to be cut off (it ends inside a tag, list or table); "
            "only the part that is there was read."
        )
    return renderer.lines, warnings


def html_to_text(markup: str) -> str:
    """The rendered text on its own, e.g. for showing what the parser saw."""
    lines, _ = html_to_lines(markup)
    return "\n".join(line.text for line in lines)


@dataclass
class _List:
    ordered: bool
    style: str = "1"  # the <ol type>: "1", "a", "A", "i" or "I"
    count: int = 0

    def next_marker(self) -> str:
        if not self.ordered:
            return "•"
        self.count += 1
        if self.style in "aA":
            letter = chr(ord("a") + (self.count - 1) % 26)
            return (letter.upper() if self.style == "A" else letter) + "."
        if self.style in "iI":
            numeral = _roman(self.count)
            return (numeral.upper() if self.style == "I" else numeral) + "."
        return f"{self.count}."


@dataclass
class _Item:
    depth: int
    marker: str
    marker_used: bool = False


@dataclass
class _Row:
    cells: list[tuple[str, bool]] = field(default_factory=list)  # (text, is a <th>)
    cell: list[str] | None = None
    cell_is_header: bool = False
    pieces: list[list[str]] = field(default_factory=list)  # each cell's blocks
    # a cell holds several blocks, or a heading: the row is read down, not across
    stacked: bool = False


class _Renderer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[TextLine] = []
        self.scripts_removed = False
        self._skipping: list[str] = []
        self._lists: list[_List] = []
        self._items: list[_Item] = []
        self._row: _Row | None = None
        self._open_tables = 0
        # the open table's column labels, from its header row
        self._columns: list[str] = []
        self._open_documents = 0  # <html>/<body> opened and not yet closed
        self._heading: int | None = None
        self._term = False  # inside a <dt>
        self._text: list[str] = []
        self._text_line = 0

    # HTMLParser callbacks

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts_removed = True
        if self._skipping or tag in _SKIPPED or _is_footnote(tag, attrs):
            if tag not in _VOID:
                self._skipping.append(tag)
            return
        if tag in ("html", "body"):
            self._open_documents += 1
        row = self._row
        if row is not None and row.cell is not None and tag not in ("td", "th", "tr"):
            # a block inside a cell: its own line if the cell has several (below)
            row.cell.append("\n" if tag in _CELL_BREAKS else " ")
            row.stacked = row.stacked or tag in _HEADINGS
            return
        if tag in ("ul", "ol"):
            self._flush()
            attributes = dict(attrs)
            start = attributes.get("start") or "1"
            count = int(start) - 1 if start.isdigit() and len(start) < 4 else 0
            self._lists.append(_List(tag == "ol", attributes.get("type") or "1", count))
        elif tag == "li":
            self._start_item()
        elif tag in _HEADINGS:
            self._flush()
            self._heading = int(tag[1])
        elif tag == "dt":
            self._flush()
            self._term = True
        elif tag == "table":
            self._flush()
            self._open_tables += 1
        elif tag == "tr":
            self._end_row()
            self._flush()
            self._row = _Row()
        elif tag in ("td", "th"):
            self._start_cell(tag == "th")
        elif tag == "br":
            self._line_break()
        elif tag in _BLOCKS:
            self._flush()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" and not self._skipping:
            self._line_break()

    def handle_endtag(self, tag: str) -> None:
        if self._skipping:
            if tag == self._skipping[-1]:
                self._skipping.pop()
            return
        if tag in ("html", "body"):
            self._open_documents = max(0, self._open_documents - 1)
        if tag in ("td", "th"):
            self._end_cell()
        elif tag == "tr":
            self._end_row()
        elif self._row is not None and self._row.cell is not None and tag != "table":
            return
        elif tag == "table":
            self._end_row()
            self._open_tables = max(0, self._open_tables - 1)
            self._columns = []
        elif tag in ("ul", "ol"):
            self._flush()
            if self._lists:
                depth = len(self._lists)
                self._lists.pop()
                while self._items and self._items[-1].depth >= depth:
                    self._items.pop()
        elif tag == "li":
            self._flush()
            if self._items:
                self._items.pop()
        elif tag in _HEADINGS:
            self._flush()
            self._heading = None
        elif tag == "dt":
            self._flush()
            self._term = False
        elif tag in _BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        if self._row is not None and self._row.cell is not None:
            self._row.cell.append(data)
            return
        if not self._text and not data.strip():
            return
        if not self._text:
            leading = data[: len(data) - len(data.lstrip())]
            self._text_line = self.getpos()[0] + leading.count("\n")
        self._text.append(data)

    # Rendering

    def finish(self) -> None:
        self._end_row()
        self._flush()

    def left_open(self) -> bool:
        return bool(
            self._lists or self._open_tables or self._open_documents or self._skipping
        )

    def _start_item(self) -> None:
        self._flush()
        depth = min(max(len(self._lists), 1), _MAX_DEPTH)
        # </li> is optional: a new <li> closes the previous one at the same depth.
        while self._items and self._items[-1].depth >= depth:
            self._items.pop()
        marker = self._lists[-1].next_marker() if self._lists else "•"
        self._items.append(_Item(depth, marker))

    def _start_cell(self, is_header: bool) -> None:
        if self._row is None:
            self._flush()
            self._row = _Row()
        self._end_cell()
        self._row.cell = []
        self._row.cell_is_header = is_header

    def _end_cell(self) -> None:
        row = self._row
        if row is not None and row.cell is not None:
            pieces = [_collapse(piece) for piece in "".join(row.cell).split("\n")]
            pieces = [piece for piece in pieces if piece]
            row.stacked = row.stacked or len(pieces) > 1
            row.cells.append((" ".join(pieces), row.cell_is_header))
            row.pieces.append(pieces)
            row.cell = None

    def _end_row(self) -> None:
        row = self._row
        if row is None:
            return
        self._end_cell()
        self._row = None
        cells = [text for text, _ in row.cells if text]
        if not cells:
            return
        if all(is_header for _, is_header in row.cells):
            self._columns = [text for text, _ in row.cells]
            # a one-cell header row is a caption, e.g. "Recommendations"
            if len(cells) == 1:
                self._emit(cells[0], 0, None, heading=4, line=self.getpos()[0])
            else:
                # "Recommendation | Our assessment": a table of that kind of finding
                kinds = [label for label in cells if _KIND_COLUMN_RE.match(label)]
                if kinds:
                    self._emit(kinds[0], 0, None, heading=4, line=self.getpos()[0])
            return  # column labels ("Recommendation | Due by") carry no findings
        findings_table = any(map(_KIND_COLUMN_RE.match, self._columns))
        if findings_table and len(self._columns) == len(row.cells):
            # "Our assessment", "Progress", "Addressed to": about the finding, not it
            row.cells = [
                cell
                for cell, label in zip(row.cells, self._columns, strict=True)
                if not _ASIDE_COLUMN_RE.match(label)
            ]
            cells = [text for text, _ in row.cells if text]
        if row.stacked:
            # A page laid out as a table ("Area | Judgment | What we found", each
            # cell with paragraphs, headings and lists): read down, cell by cell.
            for pieces in row.pieces:
                for piece in pieces:
                    self._emit(piece, 0, None, heading=None, line=self.getpos()[0])
            return
        self._emit(" | ".join(cells), 0, None, heading=None, line=self.getpos()[0])

    def _line_break(self) -> None:
        if self._row is not None and self._row.cell is not None:
            self._row.cell.append("\n")
        elif self._items:
            self._text.append(" ")  # a <br> inside a list item keeps the item whole
        else:
            self._flush()

    def _flush(self) -> None:
        text = _collapse("".join(self._text))
        self._text = []
        if not text:
            return
        indent, marker = 0, None
        heading = self._heading
        if self._items and heading is not None:
            if len(text.split()) <= 8 and not text.endswith((".", ":", ";")):
                # <li><h4>Stop and search</h4><p>The force should ...</p></li>: the
                # item's label; its words, and its marker, are in what follows
                return
            heading = None  # a whole finding set as a heading inside a list item
        if self._items:
            item = self._items[-1]
            if item.marker_used:  # a later paragraph of the item: indented under it
                indent = 2 * item.depth + 2
            else:
                indent, marker, item.marker_used = 2 * item.depth, item.marker, True
        self._emit(text, indent, marker, heading=heading, line=self._text_line)

    def _emit(
        self,
        text: str,
        indent: int,
        marker: str | None,
        *,
        heading: int | None,
        line: int,
    ) -> None:
        prefix = " " * indent + (f"{marker} " if marker else "")
        self.lines.append(TextLine(line, prefix + text, heading, term=self._term))
        self.lines.append(TextLine(line, ""))


def _is_footnote(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    """A footnote's marker (<sup>1</sup>) or the footnotes themselves: notes on the
    report's words, never its findings."""
    if tag == "sup":
        return True
    attributes = dict(attrs)
    classes = (attributes.get("class") or "").lower()
    role = (attributes.get("role") or "").lower()
    return (
        "footnote" in classes
        or "endnote" in classes
        or role in ("doc-footnote", "doc-endnotes", "doc-noteref")
    )


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _roman(number: int) -> str:
    digits = []
    for value, numeral in _ROMAN:
        while number >= value:
            digits.append(numeral)
            number -= value
    return "".join(digits)
