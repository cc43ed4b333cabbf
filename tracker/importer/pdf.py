"""Turn a PDF report's text layer into the line-based text the parser reads.

1. The file is opened with pypdf: not over the size limit, not broken, not locked by a
   password (a PDF encrypted only against editing, with an empty password, opens).
2. Each page is read line by line with the place, size and weight of its type
   (pypdf's extract_text with visitors); runs of text far apart on one line are a
   table's cells ("a | b"), and a dot drawn just left of a line is its bullet.
3. Running headers and footers go: page numbers ("3", "Page 3 of 40"), protective
   markings ("OFFICIAL"), and any line standing at the same place at the top or foot
   of most pages; so do a contents page's entries and footnotes in small type.
4. The lines are grouped, as html.py groups a page's elements, into one line per
   heading (bigger or bold type), paragraph or list item, joined across page breaks;
   list items are indented by how far in their marker stands.
"""

from __future__ import annotations

import io
import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

# pypdf's own reading of a font's character widths (not exported, so pinned with it)
from pypdf.generic._font import Font

from .blocks import MARKER_RE, dehyphenated, is_table_row
from .errors import ReportParseError
from .headings import stands_alone
from .source import TextLine, check_size

_NO_TEXT = (
    "This PDF has no text layer: it looks like scanned pages. Ask for the report as "
    "a PDF with text (the published one has it), or paste the report's text."
)
_BROKEN = (
    "This PDF could not be read: it seems damaged or cut off. Download it again, "
    "or paste the report's text."
)
_LOCKED = (
    "This PDF is password protected, so its text cannot be read: save it again "
    "without a password, or paste the report's text."
)
_PAGE_NUMBER_RE = re.compile(
    r"^(?:page\s+)?(?:\d{1,4}|[ivxlc]{1,6})(?:\s*(?:of|/)\s*\d{1,4})?$"
    r"|^[-–—]\s*\d{1,4}\s*[-–—]$",
    re.IGNORECASE,
)
_MARKING_RE = re.compile(
    r"^(?:official|official[\s:–—-]+sensitive|not\s+protectively\s+marked"
    r"|unclassified)$",
    re.IGNORECASE,
)
# Glyphs that fonts such as Symbol and Wingdings draw as bullets.
_BULLET_GLYPHS = str.maketrans({"\uf0b7": "•", "\uf0a7": "▪", "\uf0d8": "➢"})
_LIGATURES = str.maketrans(
    {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "\xad": ""}
)
# What a font without a character map gives for its glyphs; no database keeps a NUL.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_GLUED_BULLET_RE = re.compile(r"^([•●▪■◦‣➢])(?=\S)")
_FOOTNOTE_RE = re.compile(r"^(?:\d{1,3}|[*†‡¹²³⁴⁵⁶⁷⁸⁹⁰]+)\s*\S")
# "Areas for improvement ........ 12": a line of a contents page
_CONTENTS_LINE_RE = re.compile(r"^\D.*?(?:\s*[.·…_]{2,}\s*|\s+\|?\s*)\d{1,3}$")
_CONTENTS_RE = re.compile(r"^(?:table\s+of\s+)?contents$", re.IGNORECASE)
_PATH_OPERATORS = {b"m", b"l", b"c", b"v", b"y", b"re"}
_PAINT_OPERATORS = {b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*", b"S", b"s", b"n"}
_BOLD_RE = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
_EDGE = 2  # lines at the top and the foot of a page that may be running furniture
_SAME_PLACE = 4.0  # points: how far apart the "same" place may be on two pages
_HEADING_SCALE = 1.15  # type this much bigger than the body's is a heading


@dataclass
class _Line:
    page: int
    text: str
    x: float
    y: float
    size: float
    bold: bool
    number: int = 0


@dataclass
class _Block:
    lines: list[_Line]
    heading: int | None
    marker: bool


@dataclass
class _Part:
    """A run of text as pypdf hands it over, with where it starts and ends."""

    text: str
    x: float
    y: float
    size: float
    bold: bool
    end: float | None  # None where the font gives no widths


@dataclass
class _Dot:
    """A small shape drawn on the page: a bullet, if it stands left of a line."""

    left: float
    right: float
    bottom: float
    top: float
    ring: bool  # stroked, not filled: a second-level bullet

    def is_bullet_sized(self) -> bool:
        width, height = self.right - self.left, self.top - self.bottom
        return 1 <= width <= 8 and 1 <= height <= 8 and 0.6 <= width / height <= 1.6


@dataclass
class _Page:
    number: int
    lines: list[_Line] = field(default_factory=list)
    parts: list[_Part] = field(default_factory=list)
    # by id, with the font dictionary itself kept so that its id is not reused
    fonts: dict[int, tuple[Any, Font | None]] = field(default_factory=dict)
    path: list[tuple[float, float]] = field(default_factory=list)
    # small dots and rings drawn as shapes, as browsers draw a list's bullets
    dots: list[_Dot] = field(default_factory=list)

    def visit(self, text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        """pypdf's visitor_text: a run of text, its matrices, font and size."""
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        height = math.hypot(
            tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]
        )
        width = math.hypot(tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3])
        bold = _is_bold(font)
        for index, piece in enumerate(text.split("\n")):
            if index:
                self.end_line()
            if piece:
                drawn = self._width(font, piece.lstrip())
                end = None if drawn is None else x + drawn * size * (width or 1)
                self.parts.append(_Part(piece, x, y, size * (height or 1), bold, end))

    def operate(self, operator: bytes, operands: list[Any], cm: Any, tm: Any) -> None:
        """pypdf's visitor_operand_before: every operator, to see the shapes drawn."""
        numbers = [float(n) for n in operands if isinstance(n, (int, float))]
        if operator in _PATH_OPERATORS:
            points = list(zip(numbers[::2], numbers[1::2], strict=False))
            if operator == b"re" and len(numbers) == 4:
                x, y, width, height = numbers
                points = [(x, y), (x + width, y + height)]
            self.path += [
                (x * cm[0] + y * cm[2] + cm[4], x * cm[1] + y * cm[3] + cm[5])
                for x, y in points
            ]
        elif operator in _PAINT_OPERATORS:
            path, self.path = self.path, []
            if path and operator != b"n":  # "n" ends a clipping path, drawn nowhere
                xs, ys = [x for x, _ in path], [y for _, y in path]
                dot = _Dot(min(xs), max(xs), min(ys), max(ys), operator in b"Ss")
                if dot.is_bullet_sized():
                    self.dots.append(dot)

    def mark_bullets(self) -> None:
        """Give a line the bullet drawn as a shape just left of it."""
        for line in self.lines:
            if MARKER_RE.match(line.text):
                continue
            for dot in self.dots:
                middle = (dot.bottom + dot.top) / 2
                if (
                    dot.right < line.x <= dot.right + 3 * line.size
                    and line.y - 0.1 * line.size <= middle <= line.y + 0.8 * line.size
                    and dot.right - dot.left <= 0.6 * line.size
                ):
                    line.text = ("◦ " if dot.ring else "• ") + line.text
                    line.x = dot.left
                    self.dots.remove(dot)
                    break

    def end_line(self) -> None:
        parts, self.parts = self.parts, []
        inked = [part for part in parts if part.text.strip()]
        if not inked:
            return
        text, end = "", None
        for part in parts:
            if (
                end is not None
                and part.text.strip()
                and part.x - end > 2 * part.size
                and not MARKER_RE.fullmatch(text.strip() + " ")  # "•" then its text
            ):
                # a gap of several spaces between two runs: two cells of a table
                text = text.rstrip() + " | " + part.text.lstrip()
            else:
                text += part.text
            if part.text.strip():
                end = part.end
        text = _CONTROL_RE.sub("", text.translate(_LIGATURES).translate(_BULLET_GLYPHS))
        # "•The force": a bullet glyph set close to its text is still a marker
        text = _GLUED_BULLET_RE.sub(r"\1 ", " ".join(text.split()))
        if not text:
            return
        weight: Counter[float] = Counter()
        for part in inked:
            weight[round(part.size, 1)] += len(part.text.strip())
        in_bold = sum(len(part.text.strip()) for part in inked if part.bold)
        first = inked[0]
        size = weight.most_common(1)[0][0]
        bold = in_bold >= 0.9 * sum(weight.values())
        self.lines.append(_Line(self.number, text, first.x, first.y, size, bold))

    def _width(self, font: Any, text: str) -> float | None:
        """The text's width in ems, from the font's widths, if it has them."""
        if font is None:
            return None
        if id(font) not in self.fonts:
            try:
                metrics: Font | None = Font.from_font_resource(font.get_object())
            except Exception:  # a damaged font dictionary: no widths
                metrics = None
            self.fonts[id(font)] = (font, metrics)
        metrics = self.fonts[id(font)][1]
        if metrics is None or len(metrics.character_widths) < 2:
            return None
        return float(metrics.get_text_width(text)) / 1000


def looks_like_pdf(data: bytes) -> bool:
    # The header may follow a little junk, as readers allow.
    return b"%PDF-" in data[:1024]


def pdf_to_lines(data: bytes) -> tuple[list[TextLine], list[str]]:
    """Render a PDF as text lines, one per heading, paragraph or list item.

    A line's number is its place in the text read from the PDF (running headers and
    footers left out); its page is the page it starts on.
    """
    check_size(len(data))
    warnings: list[str] = []
    pages, scanned = _read_pages(data, warnings)
    lines = _without_furniture(pages)
    # Scanned pages may still carry a page number or a marking as text.
    words = sum(len(line.text.split()) for line in lines)
    if not words or (scanned * 2 >= len(pages) and words < 15 * len(pages)):
        raise ReportParseError(_NO_TEXT)
    for number, line in enumerate(lines, 1):
        line.number = number
    return _Layout(lines).text_lines(), warnings


def _read_pages(data: bytes, warnings: list[str]) -> tuple[list[list[_Line]], int]:
    """Each page's lines, and how many pages hold an image (a scan, if little text)."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ReportParseError(_LOCKED)
        count = len(reader.pages)
    except ReportParseError:
        raise
    except (DependencyError, FileNotDecryptedError) as error:
        raise ReportParseError(_LOCKED) from error
    except Exception as error:  # pypdf raises many kinds on a broken file
        raise ReportParseError(_BROKEN) from error
    pages = []
    unread = []
    scanned = 0
    for index in range(count):
        page = _Page(index + 1)
        try:
            reader.pages[index].extract_text(
                visitor_text=page.visit, visitor_operand_before=page.operate
            )
        except Exception:  # one damaged page need not lose the others
            unread.append(index + 1)
            continue
        page.end_line()
        page.mark_bullets()
        pages.append(page.lines)
        scanned += _has_image(reader.pages[index])
    if unread and len(unread) == count:
        raise ReportParseError(_BROKEN)
    if unread:
        listed = ", ".join(str(number) for number in unread)
        warnings.append(f"Page {listed} of the PDF could not be read and was left out.")
    return pages, scanned


def _has_image(page: Any) -> bool:
    try:
        xobjects = page["/Resources"].get_object().get("/XObject")
        if xobjects is None:
            return False
        return any(
            xobject.get_object().get("/Subtype") == "/Image"
            for xobject in xobjects.get_object().values()
        )
    except Exception:  # no resources, or damaged ones: no image to count
        return False


def _without_furniture(pages: list[list[_Line]]) -> list[_Line]:
    """Every page's lines, less its running header, footer and page number."""
    pages = [_without_contents(lines) for lines in pages]
    edges = [_edge_lines(lines) for lines in pages]
    places: dict[str, list[float]] = {}
    for edge in edges:
        for line in edge:
            places.setdefault(_furniture_key(line.text), []).append(line.y)
    with_text = sum(1 for lines in pages if lines)
    running = set()
    for key, ys in places.items():
        middle = sorted(ys)[len(ys) // 2]
        same_place = sum(1 for y in ys if abs(y - middle) <= _SAME_PLACE)
        if same_place >= 2 and same_place * 2 >= with_text:
            running.add((key, middle))
    kept = []
    for lines, edge in zip(pages, edges, strict=True):
        at_edge = {id(line) for line in edge}
        for line in lines:
            if id(line) in at_edge and _is_furniture(line, running):
                continue
            kept.append(line)
    return kept


def _without_contents(lines: list[_Line]) -> list[_Line]:
    """A contents page's entries go: they name every heading, and are none."""
    entries = {id(line) for line in lines if _CONTENTS_LINE_RE.match(line.text)}
    titled = any(_CONTENTS_RE.match(line.text) for line in lines[:5])
    if len(entries) < 3 or not (titled or len(entries) >= max(5, 0.6 * len(lines))):
        return lines
    return [
        line
        for line in lines
        if id(line) not in entries and not _CONTENTS_RE.match(line.text)
    ]


def _edge_lines(lines: list[_Line]) -> list[_Line]:
    by_height = sorted(lines, key=lambda line: -line.y)
    return by_height[:_EDGE] + by_height[_EDGE:][-_EDGE:]


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower())


def _is_furniture(line: _Line, running: set[tuple[str, float]]) -> bool:
    if _PAGE_NUMBER_RE.match(line.text) or _MARKING_RE.match(line.text):
        return True
    key = _furniture_key(line.text)
    return any(key == place and abs(line.y - y) <= _SAME_PLACE for place, y in running)


def _is_bold(font: Any) -> bool:
    try:
        font = font.get_object() if font is not None else None
        name = str(font.get("/BaseFont", "")) if font is not None else ""
        descriptor = font.get("/FontDescriptor") if font is not None else None
        descriptor = descriptor.get_object() if descriptor is not None else None
        weight = float(descriptor.get("/FontWeight", 0)) if descriptor else 0
    except Exception:  # a damaged font dictionary: read the text as regular type
        return False
    return bool(_BOLD_RE.search(name)) or weight >= 600


class _Layout:
    """The page's lines grouped into headings, paragraphs and list items."""

    def __init__(self, lines: list[_Line]) -> None:
        sizes: Counter[float] = Counter()
        for line in lines:
            sizes[round(line.size * 2) / 2] += len(line.text)
        self.body = sizes.most_common(1)[0][0]
        self.lines = _without_footnotes(lines, self.body)
        # the document's words, to tell a hyphenated word from a compound
        self.words = " ".join(line.text for line in self.lines).lower()
        big = {round(line.size) for line in self.lines if self._is_big(line)}
        self.heading_sizes = sorted(big, reverse=True)
        self.leading = self._usual_leading()
        lengths = sorted(len(line.text) for line in self.lines if self._is_body(line))
        self.full_length = lengths[int(len(lengths) * 0.9)] if lengths else 0
        self.levels = {
            id(line): self._level(line, following)
            for line, following in itertools.zip_longest(self.lines, self.lines[1:])
        }
        self.indents = _indent_ranks(
            [line.x for line in self.lines if self.levels[id(line)] is None]
        )

    def text_lines(self) -> list[TextLine]:
        result: list[TextLine] = []
        for block in self._blocks():
            first = block.lines[0]
            text = _joined([line.text for line in block.lines], self.words)
            heading = block.heading
            sentences = text.endswith(".") and len(text.split()) > 15
            if heading and (sentences or len(text) > 200):
                heading = None  # a paragraph set in bigger type, such as a summary
            indent = 0 if heading else self.indents.get(round(first.x, 1), 0)
            line = " " * indent + text
            result.append(TextLine(first.number, line, heading, page=first.page))
            result.append(TextLine(first.number, "", page=first.page))
        return result

    def _blocks(self) -> list[_Block]:
        blocks: list[_Block] = []
        for line in self.lines:
            level = self.levels[id(line)]
            marker = level is None and bool(MARKER_RE.match(line.text))
            if blocks and self._continues(blocks[-1], line, level, marker):
                blocks[-1].lines.append(line)
            else:
                blocks.append(_Block([line], level, marker))
        return blocks

    def _continues(
        self, block: _Block, line: _Line, level: int | None, marker: bool
    ) -> bool:
        previous = block.lines[-1]
        if marker or level != block.heading:
            return False
        if block.heading is not None:
            gap = previous.y - line.y
            same_page = line.page == previous.page
            return (
                same_page
                and 0 < gap <= previous.size * 1.6
                and previous.text[-1:] != "?"
            )
        runs_on = line.text[:1].islower()
        if stands_alone(previous.text) or (stands_alone(line.text) and not runs_on):
            return False  # "Good" under a question, "Published 1 May 2017"
        if is_table_row(previous.text) or is_table_row(line.text):
            return False
        if not self._lines_up(block, line):
            return False
        # A page break, or the usual space between lines, goes on with the
        # paragraph where the line before was full or the sentence runs on.
        if line.page == previous.page:
            gap = previous.y - line.y
            if not 0 < gap <= self.leading * 1.3:
                return False
        return runs_on or self._is_full(previous, line)

    def _lines_up(self, block: _Block, line: _Line) -> bool:
        """Whether the line starts where the block's lines go on."""
        if len(block.lines) >= 2:
            return abs(line.x - block.lines[-1].x) <= _SAME_PLACE
        first = block.lines[0].x
        if block.marker:  # the text after a bullet hangs right of it
            return line.x >= first - _SAME_PLACE
        return line.x <= first + _SAME_PLACE  # a first line may be indented

    def _is_full(self, previous: _Line, line: _Line) -> bool:
        """Whether the next line's first word would not have fitted on the line before."""
        first_word = line.text.split(" ", 1)[0]
        return len(previous.text) + 1 + len(first_word) >= 0.8 * self.full_length

    def _level(self, line: _Line, following: _Line | None) -> int | None:
        if self._is_big(line):
            return min(self.heading_sizes.index(round(line.size)) + 1, 5)
        runs_on = (
            following is not None
            and following.page == line.page
            and 0 < line.y - following.y <= self.leading * 1.3
            and (self._is_full(line, following) or following.text[:1].islower())
        )
        if (
            line.bold
            and line.size >= self.body * 0.95
            and len(line.text.split()) <= 15
            and not line.text.endswith(tuple(".,;:"))
            and not MARKER_RE.match(line.text)
            and not runs_on  # a bold sentence, not a heading
        ):
            return min(len(self.heading_sizes) + 1, 6)
        return None

    def _is_big(self, line: _Line) -> bool:
        return line.size >= self.body * _HEADING_SCALE

    def _is_body(self, line: _Line) -> bool:
        return abs(line.size - self.body) < 0.5 and not line.bold

    def _usual_leading(self) -> float:
        gaps: Counter[float] = Counter()
        for previous, line in itertools.pairwise(self.lines):
            if previous.page == line.page and self._is_body(previous):
                gap = previous.y - line.y
                if self._is_body(line) and 0 < gap < 3 * self.body:
                    gaps[round(gap * 2) / 2] += 1
        return gaps.most_common(1)[0][0] if gaps else self.body * 1.2


def _without_footnotes(lines: list[_Line], body: float) -> list[_Line]:
    """The lines less each page's footnotes: small type under its last line of text."""
    kept: list[_Line] = []
    for _, page in itertools.groupby(lines, key=lambda line: line.page):
        page_lines = list(page)
        text_ys = [line.y for line in page_lines if line.size >= body * 0.95]
        lowest = min(text_ys, default=math.inf)
        below = [
            line
            for line in page_lines
            if line.y < lowest - _SAME_PLACE and line.size <= body * 0.85
        ]
        below.sort(key=lambda line: -line.y)
        if below and _FOOTNOTE_RE.match(below[0].text):
            dropped = {id(line) for line in below}
            page_lines = [line for line in page_lines if id(line) not in dropped]
        kept.extend(page_lines)
    return kept


def _indent_ranks(xs: list[float]) -> dict[float, int]:
    """Two spaces of indent per place a block starts at, left to right."""
    ranks: dict[float, int] = {}
    start: float | None = None
    rank = -1
    for x in sorted({round(x, 1) for x in xs}):
        if start is None or x - start > _SAME_PLACE:
            start, rank = x, rank + 1
        ranks[x] = 2 * rank
    return ranks


def _joined(texts: list[str], words: str) -> str:
    text = texts[0]
    for following in texts[1:]:
        if text.endswith("-") and text[-2:-1].isalpha():
            # "over-" then "sight" was "oversight"; "multi-" then "agency" keeps it
            text = (dehyphenated(text, following, words) or text) + following
        else:
            text += " " + following
    return text
