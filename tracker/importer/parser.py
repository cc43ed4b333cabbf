"""Read a PEEL inspection report (text, HTML or PDF): questions, grades, findings, deadlines.

How a report is read, one module a layer:
1. The upload is checked and decoded (source.py); HTML is rendered as text (html.py),
   and so is a PDF's text layer (pdf.py).
2. Lines are grouped into blocks: paragraphs, list items (marker and indent kept) and
   headings (blocks.py), the lines that stand alone told by their grammar
   (headings.py).
3. A first pass reads the page's metadata: the title line (force, programme, pillar),
   "Last updated" and "Published" (metadata.py).
4. A second pass walks the blocks (reader.py): question headings open questions, a
   grade line directly under a question grades it (grades.py), findings headings open
   findings sections (findings.py), and the rest is prose, read only for grades
   stated in sentences. Each block's deadlines are read as it is taken (deadlines.py,
   with the date grammar in dates.py).
5. The reader assembles what it read into a ParsedReport (parsed.py).

A register page (one finding and its dated status log) is read by register.py
instead of steps 3-5: the log is the finding's timeline, never its deadlines.
"""

from __future__ import annotations

from .blocks import read_blocks
from .errors import ReportParseError
from .html import html_to_lines, looks_like_html
from .pages import drop_page_furniture
from .parsed import ParsedReport
from .pdf import looks_like_pdf, pdf_to_lines
from .reader import Reader
from .register import read_register
from .source import TextLine, read_source, text_lines

__all__ = ["parse_report"]


def parse_report(source: str | bytes, *, filename: str | None = None) -> ParsedReport:
    """Read a report's text, HTML or PDF; raise ReportParseError if it cannot be read."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if looks_like_pdf(data):
            lines, warnings = pdf_to_lines(data)
            try:
                return _read(lines, warnings)
            except ReportParseError as error:
                pages = {line.number: line.page for line in lines}
                error.page = pages.get(error.line) if error.line else None
                raise
    text = read_source(source)
    warnings: list[str] = []
    named_html = (filename or "").lower().endswith((".html", ".htm"))
    if named_html or looks_like_html(text):
        try:
            lines, warnings = html_to_lines(text)
        except Exception as error:  # html.parser can still fail on broken markup
            raise ReportParseError("The HTML could not be read.") from error
    else:
        lines = drop_page_furniture(text_lines(text))
    return _read(lines, warnings)


def _read(lines: list[TextLine], warnings: list[str]) -> ParsedReport:
    blocks = read_blocks(lines)
    # A register page is one finding and its status log, whose dates are history.
    register_page = read_register(blocks, warnings)
    if register_page is not None:
        return register_page
    return Reader(blocks, warnings).read()
