"""The importer's corpus: documents in the inspectorate's shapes, each with its expected outline.

Each document in tests/reports/corpus/ (text or HTML) has a sibling `.expected` file:
the outline a careful reader takes from the document, written by hand. One line per
question, finding, sub-step and deadline, indented two spaces a level:

    published: 2024-06-12
    Q requires_improvement | How good is the force at investigating crime?
      AFI | The force should improve how it
        deadline 2017-05-01 | by 1 May 2017
        - | the first sub-step's opening words
    COC | The force isn't managing the risk
      REC | By 30 September 2024, the force should
        deadline 2024-09-30 | By 30 September 2024
        deadline none | within three months

`Q` lines carry the question's grade; `COC`, `REC` and `AFI` are findings (a `REC`
under a `COC` answers it), `-` a sub-step, `deadline` a due date (`none` when the
text counts from a publication date it does not give) with the report's words.
The text after `|` is the opening of the verbatim text: the parsed text must start
with it. Header lines (`force:`, `published:`) check the page's metadata; a page
that is not a report has `refused:` and the opening of the message it is refused with.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tracker.importer import ReportParseError, parse_report

CORPUS = Path(__file__).parent / "reports" / "corpus"
DOCUMENTS = sorted(
    path for path in CORPUS.iterdir() if path.suffix in {".txt", ".html", ".pdf"}
)
KIND_TAGS = {
    "cause_of_concern": "COC",
    "recommendation": "REC",
    "area_for_improvement": "AFI",
}
HEADER_KEYS = ("force", "published", "refused")


def outline(report) -> tuple[dict[str, str], list[tuple[int, str, str]]]:
    """The report as (depth, tag, text) lines, in the expected files' terms."""
    lines: list[tuple[int, str, str]] = []

    def deadlines(entry, depth):
        for deadline in entry.deadlines:
            due = deadline.due.isoformat() if deadline.due else "none"
            lines.append((depth, f"deadline {due}", deadline.wording))

    def items(entries, depth):
        for item in entries:
            lines.append((depth, "-", item.text))
            deadlines(item, depth + 1)
            items(item.children, depth + 1)

    def findings(entries, depth):
        for finding in entries:
            lines.append((depth, KIND_TAGS[finding.kind], finding.text))
            deadlines(finding, depth + 1)
            items(finding.children, depth + 1)
            findings(finding.recommendations, depth + 1)

    for question in report.questions:
        lines.append((0, f"Q {question.grade}", question.text))
        findings(question.findings, 1)
    findings(report.findings, 0)
    header = {
        "force": report.force_name or "none",
        "published": report.published.isoformat() if report.published else "none",
    }
    return header, lines


def read_expected(path: Path) -> tuple[dict[str, str], list[tuple[int, str, str]]]:
    header: dict[str, str] = {}
    lines = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        key, colon, value = raw.partition(":")
        if colon and key in HEADER_KEYS and "|" not in key:
            header[key] = value.strip()
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        assert indent % 2 == 0, f"{path.name}:{number}: indent by two spaces"
        tag, bar, text = raw.strip().partition("|")
        assert bar, f"{path.name}:{number}: expected 'TAG | text'"
        lines.append((indent // 2, " ".join(tag.split()), " ".join(text.split())))
    return header, lines


def _shown(lines, width=90):
    return "\n".join(
        f"{'  ' * depth}{tag} | {text[:width]}" for depth, tag, text in lines
    )


def test_the_corpus_has_thirty_documents_each_with_its_outline():
    assert len(DOCUMENTS) >= 30
    missing = [p.name for p in DOCUMENTS if not p.with_suffix(".expected").exists()]
    assert missing == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_document_reads_as_its_outline(document):
    expected_header, expected = read_expected(document.with_suffix(".expected"))
    if "refused" in expected_header:
        with pytest.raises(ReportParseError) as refusal:
            parse_report(document.read_bytes(), filename=document.name)
        assert str(refusal.value).startswith(expected_header["refused"])
        return
    report = parse_report(document.read_bytes(), filename=document.name)
    header, actual = outline(report)
    for key, value in expected_header.items():
        assert header[key] == value, f"{key}: {header[key]!r}, expected {value!r}"
    matches = len(actual) == len(expected) and all(
        (depth, tag) == (want_depth, want_tag)
        and " ".join(text.split()).startswith(want)
        for (depth, tag, text), (want_depth, want_tag, want) in zip(
            actual, expected, strict=True
        )
    )
    assert matches, (
        f"\n--- read from {document.name}:\n{_shown(actual)}"
        f"\n--- expected:\n{_shown(expected)}"
    )


def test_no_deadline_in_the_corpus_is_a_date_its_document_does_not_contain():
    """Every deadline's words are in the document, and its date is theirs or counted."""
    for document in DOCUMENTS:
        try:
            report = parse_report(document.read_bytes(), filename=document.name)
        except ReportParseError:
            continue  # a page that is not a report, checked above
        text = " ".join(document.read_text(encoding="utf-8", errors="replace").split())
        for _, tag, wording in outline(report)[1]:
            if tag.startswith("deadline"):
                assert wording in text, f"{document.name}: {wording!r} not in the text"


def test_outline_parser_reads_its_own_format(tmp_path):
    expected = tmp_path / "x.expected"
    expected.write_text(
        "published: 2024-06-12\nCOC | The force\n  REC | By 30 September\n"
        "    deadline 2024-09-30 | By 30 September 2024\n",
        encoding="utf-8",
    )
    header, lines = read_expected(expected)
    assert header == {"published": date(2024, 6, 12).isoformat()}
    assert lines == [
        (0, "COC", "The force"),
        (1, "REC", "By 30 September"),
        (2, "deadline 2024-09-30", "By 30 September 2024"),
    ]
