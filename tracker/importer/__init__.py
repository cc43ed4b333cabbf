"""The report importer: plain Python (no Django) that reads a PEEL report into data.

    report = parse_report(uploaded_bytes, filename="report.html")
    report.questions[0].findings[0].deadlines[0].due

parse_report() raises ReportParseError, with a message for the uploader, for anything it
cannot read; non-fatal problems are listed in report.warnings.

    for place in walk(report.to_dict()):  # every finding, in report order
        place.item["kind"]
"""

from .dates import ParsedDeadline
from .errors import ReportParseError
from .parsed import (
    ParsedEntry,
    ParsedFinding,
    ParsedItem,
    ParsedQuestion,
    ParsedReport,
)
from .parser import parse_report
from .walk import Place, walk

__all__ = [
    "ParsedDeadline",
    "ParsedEntry",
    "ParsedFinding",
    "ParsedItem",
    "ParsedQuestion",
    "ParsedReport",
    "Place",
    "ReportParseError",
    "parse_report",
    "walk",
]
