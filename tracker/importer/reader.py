"""The reader: one pass over the blocks, assembling the report.

Question headings open questions, a grade line directly under a question grades
it, findings headings open findings sections (findings.py), and the rest is
prose, read only for grades stated in sentences. At the end it grades from prose
the questions no grade line graded, finds the overall question and the pillar,
and warns about headings with nothing under them and a page cut off.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .addressees import national_report
from .blocks import TERMINAL, Block, is_table_row
from .dates import ParsedDeadline
from .deadlines import block_deadlines
from .errors import ReportParseError
from .findings import FindingsSection
from .grades import GRADE_LABEL_RE, grade_from_line, grade_from_prose
from .headings import (
    FINDINGS_HEADING_RE,
    QUESTIONS_FOR_RE,
    finding_kind,
    is_meta,
    lead_in_kind,
    looks_like_heading,
    question_heading,
)
from .metadata import read_metadata
from .parsed import (
    RECOMMENDATION,
    ParsedFinding,
    ParsedQuestion,
    ParsedReport,
)

_OVERALL_RE = re.compile(
    r"keeping\s+people\s+safe\s+and\s+reducing\s+crime\?$", re.IGNORECASE
)
_PILLAR_VERBS = {
    "effective": "Effectiveness",
    "efficient": "Efficiency",
    "legitimate": "Legitimacy",
}
_CHROME = {
    "skip to content", "skip to main content", "back to top", "print this page",
    "share this page", "menu", "search",
}  # fmt: skip


class Reader:
    """One pass over a report's blocks, read into a ParsedReport."""

    def __init__(self, blocks: list[Block], warnings: list[str]) -> None:
        self.blocks = blocks
        self.warnings = warnings
        self.meta = read_metadata(blocks)
        # Relative deadlines count from publication; a page that only says when it
        # was last updated gives no better date.
        self.reference_date = self.meta.published or self.meta.last_updated
        self.questions: list[ParsedQuestion] = []
        self.prose: list[list[str]] = []  # per question, its narrative paragraphs
        self.report_findings: list[ParsedFinding] = []
        self.sections: list[FindingsSection] = []
        self.section: FindingsSection | None = None
        self.in_question = False
        self.awaiting_grade = False
        self.pillar: str | None = None
        self.pillar_follows_first_question = False

    def read(self) -> ParsedReport:
        for index, block in enumerate(self.blocks):
            self._read_block(index, block)
        return self._report()

    def deadlines(
        self, block: Block, text: str | None = None, *, instruction: bool | None = None
    ) -> list[ParsedDeadline]:
        """The deadlines in a block's text (or in `text`, read from that block)."""
        return block_deadlines(
            block,
            text,
            published=self.reference_date,
            warnings=self.warnings,
            instruction=instruction,
        )

    def _read_block(self, index: int, block: Block) -> None:
        text = block.text
        if text.lower() in _CHROME or (block.marker is None and is_meta(text)):
            return
        question = question_heading(block)
        if question:
            self._open_question(block, *question)
            return
        pillar = QUESTIONS_FOR_RE.match(text)
        if pillar and block.marker is None:
            self.pillar = pillar.group("pillar").capitalize()
            self.pillar_follows_first_question = len(self.questions) == 1
            self.section, self.in_question, self.awaiting_grade = None, False, False
            return
        heading = FINDINGS_HEADING_RE.match(text) if block.marker is None else None
        if heading and (heading.group("rest") or len(text) <= 60):
            kind = finding_kind(heading.group("kind"))
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
        following = self.blocks[index + 1] if index + 1 < len(self.blocks) else None
        lead_in = lead_in_kind(block, following)
        if lead_in:  # a letter's "We made the following recommendations:"
            section = self._open_findings(block, lead_in, None)
            # "By 30 September 2024, the force should act on the following ...:"
            section.lead_in(block)
            return
        if self.section is not None and self.section.take(index, block):
            return
        self.section = None
        if self.in_question:
            self.prose[-1].append(text)

    def _open_question(self, block: Block, text: str, grade: str | None) -> None:
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

    def _open_findings(
        self, block: Block, kind: str, inline_text: str | None
    ) -> FindingsSection:
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
        self.section = FindingsSection(self, kind, target, block, cause)
        self.sections.append(self.section)
        if inline_text:  # "Area for improvement: The force should ..."
            self.section.add_paragraph(replace(block, text=inline_text, offsets=[]))
        return self.section

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
        every_finding = [
            *self.report_findings,
            *(f for q in questions for f in q.findings),
        ]
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
            national=national_report(meta.force_name, every_finding),
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
            and not is_table_row(block.text)
        ]
        if content:
            last = content[-1]
            if not last.text.endswith(TERMINAL) and len(last.text.split()) >= 4:
                if not looks_like_heading(last) and not question_heading(last):
                    self.warnings.append(
                        f"Line {last.line}: the text stops mid-sentence, so the page "
                        "may be cut off; only the part that is there was read."
                    )
