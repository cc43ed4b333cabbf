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
from datetime import date

from .addressees import national_report
from .blocks import TERMINAL, Block, is_table_row
from .dates import ParsedDeadline, parse_date_text, split_sentences
from .deadlines import block_deadlines
from .errors import ReportParseError
from .findings import FindingsSection
from .grades import GRADE_LABEL_RE, grade_from_line, grade_from_prose, grade_key
from .headings import (
    FINDINGS_HEADING_RE,
    INSTRUCTION_RE,
    QUESTIONS_FOR_RE,
    addressee_heading,
    finding_kind,
    is_meta,
    lead_in_kind,
    looks_like_heading,
    question_heading,
)
from .metadata import read_metadata
from .parsed import (
    AREA_FOR_IMPROVEMENT,
    CAUSE_OF_CONCERN,
    RECOMMENDATION,
    ParsedFinding,
    ParsedQuestion,
    ParsedReport,
)
from .repeats import drop_repeats

_OVERALL_RE = re.compile(
    r"keeping\s+people\s+safe\s+and\s+reducing\s+crime\?$", re.IGNORECASE
)
_PILLAR_VERBS = {
    "effective": "Effectiveness",
    "efficient": "Efficiency",
    "legitimate": "Legitimacy",
}
# A letter that goes back to an earlier report: "Revisit to assess ...", "In our 2022
# report, we identified ...", "our previous inspection".
_REVISIT_RE = re.compile(r"\brevisit(?:s|ed|ing)?\b|\bpost-inspection\s+review\b", re.I)
# "In our PEEL 2021/22 inspection ..., we identified a cause of concern": one
# sentence naming the earlier report and what it found or asked
_EARLIER_REPORT_RE = re.compile(
    r"\bin\s+our\s+(?:PEEL\s+)?(?:(?:19|20)\d{2}(?:\s*[/–-]\s*\d{2,4})?|previous"
    r"|earlier|last|original)\b|\bour\s+(?:previous|earlier|original)\s+"
    r"(?:report|inspection)",
    re.IGNORECASE,
)
_FOUND_OR_ASKED_RE = re.compile(
    r"\bwe\s+(?:identified|made|recommended|raised|issued|said)\b", re.I
)
_OPENING_BLOCKS = 15  # where a letter says what it is
_NAMES_CAUSE_RE = re.compile(
    r"\b(?:identified|raised|found|have)\s+(?:a|an|the\s+following)\s+(?:accelerated\s+)?"
    r"cause\s+of\s+concern\s*:\s*(?P<cause>\S.*)$",
    re.IGNORECASE,
)
_WE_RECOMMEND_RE = re.compile(r"^We\s+(?:also\s+)?recommend\s+that,?\s+", re.I)
_GRADED_HEADING_RE = re.compile(
    r"^(?P<area>[A-Z][^:–—|]{3,100}?)(?:\s*[:–—|]\s*(?P<grade>(?i:outstanding|good"
    r"|adequate|requires\s+improvement|inadequate|not\s+graded))"
    # "Investigating crime Adequate": the grade as a badge, with its capital
    r"|\s+(?P<badge>Outstanding|Good|Adequate|Requires\s+improvement|Inadequate"
    r"|Not\s+graded))$"
)
_PILLAR_RE = re.compile(r"^(?:effectiveness|efficiency|legitimacy|leadership)\b", re.I)
_LISTING_DATES = 3  # a page giving this many publication dates lists publications
# "This follow-up report makes three new recommendations": its own, not recalled
_MAKES_NEW_RE = re.compile(
    r"\b(?:report|letter|inspection)\s+makes\b|\bmakes?\s+(?:\w+\s+)?new\s+"
    r"(?:recommendations?|causes?\s+of\s+concern)",
    re.IGNORECASE,
)
_PUBLISHED_ON_RE = re.compile(
    r"(?<=\s)published\s+on\s+(?P<date>\d{1,2}\s+[A-Z][a-z]+\s+\d{4})", re.IGNORECASE
)
_ANNOUNCES_CAUSE_RE = re.compile(
    r"\b(?:rais(?:e|ed|ing)|identif(?:y|ied)|publish(?:ed|ing)?|issu(?:e|ed|ing))\s+"
    r"(?:a|an|one|this)\s+(?:accelerated\s+)?cause\s+of\s+concern(?:\s+now)?\s*[.!]$",
    re.IGNORECASE,
)
_ASKS_RE = re.compile(r"\b(?:should|must|needs?\s+to)\s*:$", re.I)
# A sentence that is an area for improvement without a heading over it ("The force
# needs to improve how it investigates crime" states a grade, so only "should").
_FORCE_SHOULD_RE = re.compile(
    r"^(?:The\s+(?:force|service|constabulary)|[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*\s+"
    r"(?:Police|Constabulary|Fire\s+and\s+Rescue\s+Service))\s+should"
    r"\s+(?!be\s+(?:commended|congratulated|proud|pleased|recognised)\b)"
)
# "Summary of findings" over a grade is the report's summary box, not an area.
_SUMMARY_HEADING_RE = re.compile(
    r"^(?:summary|overview|overall|conclusions?|our\s+judge?ments?)\b", re.I
)
# Headings of a report's boxes and parts, never an area of policing
_BOX_HEADING_RE = re.compile(
    r"^(?:main\s+findings|(?:innovative|promising|notable)\s+practice|findings"
    r"|force\s+in\s+context|introduction|background|context|methodology"
    r"|what\s+we\s+found|our\s+findings|next\s+steps|summary)\b",
    re.I,
)
# "How well does the force ...?   6": a contents entry with its page number
_PAGE_REFERENCE_RE = re.compile(r"^\D.{2,200}?\s\d{1,3}$")
_CONTENTS_RE = re.compile(
    r"^(?:contents|table\s+of\s+contents|on\s+this\s+page)$", re.I
)
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
        # Relative deadlines count from publication only: "Last updated" is when the
        # page last changed, and counting from it would invent a date.
        self.reference_date = self.meta.published
        # A revisit letter quotes an earlier report's findings: "within three months"
        # there counts from that report, which the letter does not date.
        opening = [block.text for block in blocks[:_OPENING_BLOCKS]]
        self.recalls_earlier = _recalls_earlier(opening)
        # "Our inspection ... was published on 18 October 2023": what it counts from
        self.earlier_published = (
            _earlier_publication(blocks[: 2 * _OPENING_BLOCKS])
            if self.recalls_earlier
            else None
        )
        self.questions: list[ParsedQuestion] = []
        self.prose: list[list[str]] = []  # per question, its narrative paragraphs
        self.report_findings: list[ParsedFinding] = []
        self.sections: list[FindingsSection] = []
        self.section: FindingsSection | None = None
        self.in_question = False
        self.awaiting_grade = False
        self.pillar: str | None = None
        self.pillar_follows_first_question = False
        # the entries of a "Contents" list, while it is being read
        self.contents: set[str] | None = None
        self.areas_seen = False  # the report grades areas under headings

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
            earlier=self.recalls_earlier,
            earlier_published=self.earlier_published,
        )

    def _read_block(self, index: int, block: Block) -> None:
        text = block.text
        if text.lower() in _CHROME or (block.marker is None and is_meta(text)):
            return
        if self._in_contents(block):
            return
        question = question_heading(block)
        if question:
            self._open_question(block, *question)
            return
        graded = _GRADED_HEADING_RE.match(text) if block.heading is not None else None
        if (
            graded
            and not _SUMMARY_HEADING_RE.match(text)
            and not _PILLAR_RE.match(text)
        ):
            # <h3>Investigating crime: Requires improvement</h3>: an area and its grade
            grade = graded.group("grade") or graded.group("badge")
            self._open_question(block, graded.group("area"), grade_key(grade))
            self.areas_seen = True
            return
        if self._is_area_heading(index, block):
            # "Investigating crime" then "Requires improvement": an area, graded
            self._open_question(block, text, None)
            self.areas_seen = True
            return
        if self.areas_seen and self._is_ungraded_area(index, block):
            # the same report's next area, its grade not given, then its finding
            self._open_question(block, text, None)
            self.awaiting_grade = False
            return
        pillar = QUESTIONS_FOR_RE.match(text)
        if pillar and block.marker is None:
            self.pillar = pillar.group("pillar").capitalize()
            self.pillar_follows_first_question = len(self.questions) == 1
            self.section, self.in_question, self.awaiting_grade = None, False, False
            return
        heading = FINDINGS_HEADING_RE.match(text) if not block.term else None
        if heading and block.marker is not None:
            # "1. Cause of concern: Use of force was not governed well." opens a
            # finding of its kind; any other list item naming a kind is an item.
            # "1. Cause of concern" alone (an <li> whose title it is) opens one too.
            rest = heading.group("rest")
            heading = heading if not rest or _reads_as_finding(rest) else None
        if heading and (heading.group("rest") or len(text) <= 60):
            rest = heading.group("rest")
            if rest and not _reads_as_finding(rest):
                if heading.group("accelerated"):
                    # "Accelerated cause of concern: X Police's response to ...",
                    # a letter's title: the cause is stated below it.
                    self.section = None
                    return
                rest = None  # "Cause of concern 1: Protecting vulnerable people"
            kind = finding_kind(heading.group("kind"))
            self._open_findings(block, kind, rest)
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
        listed = following
        if following is not None and addressee_heading(following):
            # "We make the following recommendations." "To chief constables" "1. ..."
            listed = self.blocks[index + 2] if index + 2 < len(self.blocks) else None
        lead_in = lead_in_kind(block, listed)
        if lead_in:  # a letter's "We made the following recommendations:"
            section = self._open_findings(block, lead_in, None)
            # "By 30 September 2024, the force should act on the following ...:"
            section.lead_in(block)
            return
        if self.section is not None and self.section.take(index, block):
            return
        self.section = None
        if self._unheaded_finding(index, block, following):
            return
        announced = _announced_cause(text)
        if announced:  # "We have decided to raise a cause of concern now. The ..."
            self._open_findings(block, CAUSE_OF_CONCERN, announced)
            return
        in_prose = _cause_in_prose(text)
        if (
            in_prose
        ):  # "... identified a cause of concern: the force ... We recommend that"
            cause, recommendations = in_prose
            section = self._open_findings(block, CAUSE_OF_CONCERN, cause)
            section.answer(block, recommendations)
            return
        if self.in_question:
            self.prose[-1].append(text)

    def _unheaded_finding(
        self, index: int, block: Block, following: Block | None
    ) -> bool:
        """Areas for improvement a question states with no heading above them: "To
        improve, the force should:" then bullets, or "• The force should ..." and
        "The force should improve ..." after the question's narrative. Outside any
        question (a letter), "The service should immediately:" and its bullets are
        recommendations, answering the cause of concern before them."""
        text = block.text
        if not self.in_question:
            if not self._asks_with_a_list(block, following):
                return False
            section = self._open_findings(block, RECOMMENDATION, None)
            section.lead_in(block)
            section.mode = "list"
            return True
        if self._asks_with_a_list(block, following):
            section = self._open_findings(block, AREA_FOR_IMPROVEMENT, None)
            section.lead_in(block)
            section.mode = "list"
            return True
        if not _FORCE_SHOULD_RE.match(text):
            return False
        section = self._open_findings(block, AREA_FOR_IMPROVEMENT, None)
        if not section.take(index, block):
            self.section = None
            return False
        return True

    @staticmethod
    def _asks_with_a_list(block: Block, following: Block | None) -> bool:
        """ "The force should:" (short, asking, ending in a colon) before a list."""
        return (
            block.marker is None
            and block.text.endswith(":")
            and _ASKS_RE.search(block.text) is not None
            and len(block.text.split()) <= 25
            and following is not None
            and following.marker is not None
        )

    def _is_ungraded_area(self, index: int, block: Block) -> bool:
        """An area heading with no grade under it, straight before its finding."""
        following = self.blocks[index + 1] if index + 1 < len(self.blocks) else None
        return (
            following is not None
            and following.marker is None
            and following.heading is None
            and _FORCE_SHOULD_RE.match(following.text) is not None
            and block.marker is None
            and looks_like_heading(block)
            and not FINDINGS_HEADING_RE.match(block.text)
            and not _SUMMARY_HEADING_RE.match(block.text)
            and not _BOX_HEADING_RE.match(block.text)
        )

    def _in_contents(self, block: Block) -> bool:
        """Whether the block is an entry of a "Contents" list (which names headings
        that come again below it, and opens nothing itself)."""
        if _CONTENTS_RE.match(block.text):
            self.contents = set()
            return True
        if self.contents is None:
            return False
        text = block.text
        entry = text not in self.contents and (
            bool(_PAGE_REFERENCE_RE.search(text))
            or looks_like_heading(replace(block, marker=None))
            or question_heading(replace(block, marker=None)) is not None
            or bool(FINDINGS_HEADING_RE.match(text))
        )
        if entry:
            self.contents.add(text)
            return True
        self.contents = None  # the first heading again, or the text itself
        return False

    def _is_area_heading(self, index: int, block: Block) -> bool:
        """A heading naming an area of policing, with its grade on the next line."""
        following = self.blocks[index + 1] if index + 1 < len(self.blocks) else None
        graded_below = following is not None and (
            grade_from_line(following.text) is not None
            # "We don't make graded judgments in this area."
            or (
                len(following.text) <= 80
                and grade_from_prose([following.text]) == "not_graded"
            )
        )
        return (
            following is not None
            and following.marker is None
            and graded_below
            and not _SUMMARY_HEADING_RE.match(block.text)
            and looks_like_heading(block)
            and not FINDINGS_HEADING_RE.match(block.text)
            and not grade_from_line(block.text)
            and not GRADE_LABEL_RE.match(block.text)
        )

    def _open_question(self, block: Block, text: str, grade: str | None) -> None:
        asked = " ".join(text.split()).casefold()
        for number, earlier in enumerate(self.questions):
            if (
                " ".join(earlier.text.split()).casefold() == asked
                and not earlier.findings
            ):
                # The same question in a summary table of grades, now asked in full:
                # one question, with the grade the summary gave if it has none here.
                del self.questions[number], self.prose[number]
                for order, question in enumerate(self.questions, start=1):
                    question.order = order
                summary = earlier if earlier.grade_source == "line" else None
                break
        else:
            summary = None
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
        if grade is None and summary is not None:  # a grade line below still wins
            self.questions[-1].grade, self.questions[-1].grade_source = (
                summary.grade,
                "line",
            )

    def _open_findings(
        self, block: Block, kind: str, inline_text: str | None
    ) -> FindingsSection:
        self.awaiting_grade = False
        cause = None
        section = self.section
        if kind == CAUSE_OF_CONCERN and not inline_text:
            self._drop_letter_narrative()
        if section is None and self.sections:
            # "Recommendation 2" after "Recommendation 1" and its "Progress": still
            # the cause of concern they answer, in the same question.
            last = self.sections[-1]
            section = last if last.question == len(self.questions) else None
        # A list of causes of concern, then "We made the following recommendations:",
        # answers them together: the recommendations are nobody's in particular.
        if kind == RECOMMENDATION and section is not None:
            listed_causes = section.kind == CAUSE_OF_CONCERN and section.created > 1
            cause = None if listed_causes else section.current_cause
        if cause is not None:
            target = cause.recommendations
        elif self.in_question:
            target = self.questions[-1].findings
        else:
            target = self.report_findings
        self.section = FindingsSection(self, kind, target, block, cause)
        self.section.question = len(self.questions)
        self.sections.append(self.section)
        if inline_text:  # "Area for improvement: The force should ..."
            self.section.add_paragraph(replace(block, text=inline_text, offsets=[]))
        return self.section

    def _drop_letter_narrative(self) -> None:
        """A letter's "Accelerated cause of concern" heading, then its narrative, then
        "Cause of concern": what was read under the first was the narrative."""
        if not self.sections:
            return
        last = self.sections[-1]
        heading = FINDINGS_HEADING_RE.match(last.heading.text)
        if (
            heading
            and heading.group("accelerated")
            and last.kind == CAUSE_OF_CONCERN
            and last.created
            and not any(f.recommendations for f in last.target[-last.created :])
        ):
            del last.target[-last.created :]
            last.created = 0
            self.sections.remove(last)

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
        if len(self.meta.publication_dates) >= _LISTING_DATES:
            raise ReportParseError(
                "No inspection questions or findings were found: this looks like a list "
                f"of publications ({len(self.meta.publication_dates)} publication dates), "
                "not one report. Open the report itself and import that."
            )
        if not questions and not has_findings:
            raise ReportParseError(
                "No inspection questions or findings were found: is this the text or "
                "HTML of a PEEL report?"
            )
        drop_repeats(self.questions, self.report_findings, self.warnings)
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
        position = {id(block): index for index, block in enumerate(self.blocks)}
        headings = {position[id(section.heading)] for section in self.sections}
        for section in self.sections:
            # "Recommendations for chief constables" over "Recommendation 1" ...
            over_another = position[id(section.heading)] + 1 in headings
            if not section.created and not over_another:
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


def _recalls_earlier(opening: list[str]) -> bool:
    """Whether a letter's opening goes back to an earlier report whose findings it
    quotes ("Revisit to assess ...", "In our 2022 report, we identified ..."), and
    makes no new ones of its own ("This follow-up report makes three new ...")."""
    if any(map(_MAKES_NEW_RE.search, opening)):
        return False
    if any(map(_REVISIT_RE.search, opening)):
        return True
    return any(
        _EARLIER_REPORT_RE.search(sentence) and _FOUND_OR_ASKED_RE.search(sentence)
        for text in opening
        for _, sentence in split_sentences(text)
    )


def _earlier_publication(blocks: list[Block]) -> date | None:
    """The day a revisit letter says the earlier report was published, if it says
    ("... was published on 18 October 2023", "In our 2022 report, published on 1
    July 2022, ..."); not the letter's own "Published on" line."""
    for block in blocks:
        if block.marker is not None or is_meta(block.text):
            continue
        for match in _PUBLISHED_ON_RE.finditer(block.text):
            day = parse_date_text(match.group("date"))
            if day is not None:
                return day
    return None


def _announced_cause(text: str) -> str | None:
    """The cause of concern a paragraph states after announcing it: "We have decided
    to raise a cause of concern now. The service's values ... aren't ...". None when
    the paragraph only announces one, or introduces it with a colon."""
    sentences = split_sentences(text)
    for number, (_, sentence) in enumerate(sentences[:-1]):
        if _ANNOUNCES_CAUSE_RE.search(sentence):
            rest = text[sentences[number + 1][0] :].strip()
            if rest.endswith(":") or not _reads_as_finding(rest):
                return None
            return rest
    return None


def _cause_in_prose(text: str) -> tuple[str, list[str]] | None:
    """A cause of concern and its recommendations run into one paragraph of a letter:
    "We have therefore identified a cause of concern: the force doesn't ... We
    recommend that, by 31 July 2025, the force should ... We also recommend that
    ..." (the cause after its colon, each recommendation after "recommend that")."""
    sentences = [sentence for _, sentence in split_sentences(text)]
    for number, sentence in enumerate(sentences):
        named = _NAMES_CAUSE_RE.search(sentence)
        if not named:
            continue
        recommendations = []
        for following in sentences[number + 1 :]:
            asked = _WE_RECOMMEND_RE.match(following)
            if not asked:
                break
            recommendations.append(following[asked.end() :].strip())
        if recommendations and _reads_as_finding(named.group("cause")):
            return named.group("cause").strip(), recommendations
    return None


def _reads_as_finding(text: str) -> bool:
    """Words after "Cause of concern:" that state one, not a title naming its subject
    ("X Police's response to missing children", "X Police (PDF document)")."""
    ends_a_sentence = text.rstrip("\"'”’)").endswith((".", "!", "?", ";"))
    return ends_a_sentence or bool(INSTRUCTION_RE.search(text))
