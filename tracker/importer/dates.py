"""Deadlines in findings: "by 1 May 2017", "within three months", "immediately".

The rules, and why:

* A date is a deadline only after a deadline preposition: "by", "no/not later than",
  "on or before", "by the end of". Narrative dates ("in November 2015", "during 2017",
  "since 2015") are history, not instructions.
* Numeric dates are British, day first: "by 01/05/2017" is 1 May 2017.
* "by the end of March 2018" is that month's last day; "by the end of 2019" is
  31 December. "by September 2014", a month with no day, is that month's last day
  too, marked `month_only` (the report gave no day).
* "within three months" counts from the publication date (relative=True). Without one
  the deadline is kept with its words and no date (`due` None), with a warning: the
  preview asks for the publication date and counts from it (`due_from_publication`);
  an invented date would look authoritative, and a dropped one is a lost deadline. It
  is not a deadline when it measures something else ("within 28 days of reporting") or
  when the sentence asks nothing of anyone (no "should", "must", "recommend" ...).
* "immediately" is a deadline (due on publication, immediate=True) only when it times a
  required act: "should immediately review", "must, immediately, ...", "Immediately,
  the force should", "with immediate effect". "take immediate steps/action/measures"
  describes urgency, not a due date, so it yields nothing (the West Mercia 2016 report
  relies on this).
* A date that cannot exist ("by 31 April 2017") raises ReportParseError: dropping it
  would lose a deadline, and guessing would invent one.
"""

from __future__ import annotations

import bisect
import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .errors import ReportParseError


@dataclass
class ParsedDeadline:
    """A date by which something is due, with the words that set it."""

    due: date | None  # None: counted from a publication date the text does not give
    wording: str  # the phrase as the report has it, e.g. "by 1 May 2017"
    deliverable: str | None  # what is due, e.g. "action plan"
    relative: bool = False  # counted from publication ("within three months")
    immediate: bool = False
    line: int | None = None
    month_only: bool = False  # "by September 2014": the month's last day, no day given
    # "we recommended that, within six months, ...": counted from an earlier report
    # the text quotes, so no date (not the quoting letter's date)
    earlier: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "due": self.due.isoformat() if self.due else None,
            "wording": self.wording,
            "deliverable": self.deliverable,
            "relative": self.relative,
            "immediate": self.immediate,
            "line": self.line,
            "month_only": self.month_only,
            "earlier": self.earlier,
        }


_MONTH_NUMBERS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "(?:" + "|".join(sorted(_MONTH_NUMBERS, key=len, reverse=True)) + r")\b\.?"
_ORDINAL = r"(?:st|nd|rd|th)?"

# The date forms; group names tell _absolute_due() which one matched.
_DAY_MONTH_YEAR = (
    rf"(?P<d1>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?(?P<m1>{_MONTH}),?\s+(?P<y1>\d{{4}})\b"
)
_MONTH_DAY_YEAR = (
    rf"(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}}){_ORDINAL},?\s+(?P<y2>\d{{4}})\b"
)
_NUMERIC = (
    r"(?P<d3>\d{1,2})(?P<sep>[/.\-])(?P<m3>\d{1,2})(?P=sep)(?P<y3>\d{4}|\d{2})"
    r"(?!\d)(?![/.\-]\d)"
)
_END_OF = rf"end\s+of\s+(?:(?P<m4>{_MONTH})\s+)?(?P<y4>\d{{4}})\b"
_ISO = r"(?P<y5>\d{4})-(?P<m5>\d{2})-(?P<d5>\d{2})\b"
_MONTH_YEAR = rf"(?P<m6>{_MONTH})\s+(?P<y6>\d{{4}})\b"
_ANY_DATE = (
    rf"(?:(?:the\s+)?{_END_OF}|(?:the\s+)?{_DAY_MONTH_YEAR}|{_MONTH_DAY_YEAR}"
    rf"|{_ISO}|{_NUMERIC}|{_MONTH_YEAR})"
)

_LEAD = (
    r"(?:by\s+no\s+later\s+than|by\s+not\s+later\s+than|no\s+later\s+than"
    r"|not\s+later\s+than|on\s+or\s+before|by)"
)
_ABSOLUTE_RE = re.compile(rf"\b{_LEAD}\s+{_ANY_DATE}", re.IGNORECASE)
_FROM_PUBLICATION_RE = re.compile(
    r"(?:\s+(?:of|from|after)\s+(?:the\s+)?(?:date\s+of\s+)?(?:publication|this\s+report)"
    r"(?:\s+of\s+this\s+report)?)?\s*\.?",
    re.IGNORECASE,
)
_BEFORE_RE = re.compile(rf"\bbefore\s+{_ANY_DATE}", re.IGNORECASE)
# a public body's financial year ends on 31 March
_FINANCIAL_YEAR_RE = re.compile(
    r"\bby\s+the\s+end\s+of\s+(?:the\s+|this\s+)?(?:(?P<start>(?:19|20)\d{2})\s*[/–-]\s*"
    r"(?P<end>\d{2}(?:\d{2})?)\s+)?financial\s+year\b",
    re.IGNORECASE,
)

_SMALL_NUMBERS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_NUMBER_WORDS: dict[str, int] = {"a": 1, "an": 1}
_NUMBER_WORDS.update({word: n for n, word in enumerate(_SMALL_NUMBERS, 1)})
for _tens, _value in (("twenty", 20), ("thirty", 30)):
    _NUMBER_WORDS[_tens] = _value
    for _n, _unit in enumerate(_SMALL_NUMBERS[:9], 1):
        _NUMBER_WORDS[f"{_tens}-{_unit}"] = _value + _n
        _NUMBER_WORDS[f"{_tens} {_unit}"] = _value + _n
_NUMBER_WORDS.update({"forty": 40, "fifty": 50, "sixty": 60, "ninety": 90})
_NUMBER = "(?:" + "|".join(sorted(map(re.escape, _NUMBER_WORDS), key=len)[::-1]) + ")"

_RELATIVE_RE = re.compile(
    rf"\b(?:within(?:\s+the\s+next)?|in\s+the\s+next|(?:no|not)\s+later\s+than)\s+(?P<count>\d{{1,3}}|{_NUMBER})\s+"
    r"(?:calendar\s+)?(?P<unit>days?|weeks?|months?|years?)\b",
    re.IGNORECASE,
)
# "within 28 days of reporting" measures something else; "of publication" does not.
_OF_SOMETHING_ELSE_RE = re.compile(
    r"\s+(?:of|from|after)\s+"
    r"(?!(?:the\s+)?(?:publication|date\s+of|this\s+(?:report|letter)|receiv|receipt))",
    re.IGNORECASE,
)
_MODAL = r"(?:should|must|shall|needs?\s+to|is\s+to|are\s+to)"
# "In the next six months, the force should", "should, in the next six months,":
# the phrase times what is asked only at the sentence's start or after the modal
_TIMES_THE_ASK_RE = re.compile(rf"(?:^\W*|\b(?:{_MODAL}|will)\s*,?\s*)$", re.IGNORECASE)
_IMMEDIATE_RE = re.compile(
    rf"\b(?:{_MODAL}|will)\s*,?\s+(?P<adverb>immediately)\b"
    r"(?!\s+(?:after|before|following|upon|on|when|if|once|available))"
    r"|^\W*(?P<opening>immediately)\b\s*,"
    # "We recommend that the force immediately reviews ..."
    r"|\brecommends?\s+that\s+[^.,;:]{1,60}?\s(?P<subjunctive>immediately)\b"
    r"(?!\s+(?:after|before|following|upon|on|when|if|once|available))"
    r"|\b(?P<effect>with\s+immediate\s+effect)\b",
    re.IGNORECASE,
)
# "we recommended that ...", "HMIC said that ...": the sentence recalls an earlier report
_EARLIER_RE = re.compile(
    r"\b(?:we|HMIC(?:FRS)?|the\s+inspectorate)\s+(?:had\s+)?"
    r"(?:recommended|said\s+that|asked\s+(?:that|the\s+force))\b",
    re.IGNORECASE,
)
_IMMEDIATE_CELL_RE = re.compile(
    r"immediate(?:ly)?|with\s+immediate\s+effect", re.IGNORECASE
)
_INSTRUCTION_RE = re.compile(
    r"\b(?:should|must|shall|needs?\s+to|recommend\w*"
    r"|(?:is|are)\s+(?:required|expected)\s+to)\b",
    re.IGNORECASE,
)

# Verbs whose object is handed over: "produce and submit to HMIC an action plan".
_PRODUCE = (
    r"(?:produc|submit|provid|send|publish|prepar|develop|deliver|writ|draw\s+up|suppl"
    r"|creat|agree)\w*"
)
_RECIPIENT = r"(?:HMICFRS|HMIC|the\s+inspectorate|(?:the|its)\s+[\w-]+(?:\s+[\w-]+)?)"
_DELIVERABLE_RE = re.compile(
    rf"\b{_PRODUCE}(?:\s*,?\s*(?:and|or)\s+{_PRODUCE})*"
    rf"(?:\s+(?:to|with)\s+{_RECIPIENT}|\s+{_RECIPIENT}\s+with)?"
    r"\s+(?:a|an|the|its|their)\s+(?P<phrase>[^,;:.()]+?)"
    # The phrase stops before "and submit ..." so that each verb's object is found.
    rf"(?=\s*(?:[,;:.()]|$)|\s+(?:and|or)\s+{_PRODUCE})",
    re.IGNORECASE,
)
_ACTION_RE = re.compile(
    rf"\b{_MODAL}[\s,]+(?:also\s+)?(?P<phrase>[^,;:.()]+)", re.IGNORECASE
)
# A description ends where a clause about it starts; "make sure that ..." is kept whole.
_PHRASE_STOP_RE = re.compile(
    r"(?<!\bsure)(?<!\bensure)\s+(?:that|which|who|whom|whose|setting|showing|detailing"
    r"|explaining|outlining|describing|so\s+that|in\s+order|as\s+well\s+as)\b.*",
    re.IGNORECASE | re.DOTALL,
)
_DANGLING_WORDS = {"and", "or", "to", "for", "by", "of", "the", "a", "an"}
_SENTENCE_BREAK_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9‘“\"'(\[])")


def split_sentences(text: str) -> list[tuple[int, str]]:
    """Split a paragraph into (offset, sentence) pairs."""
    pieces: list[tuple[int, str]] = []
    start = 0
    for match in _SENTENCE_BREAK_RE.finditer(text):
        pieces.append((start, text[start : match.start()]))
        start = match.end()
    pieces.append((start, text[start:]))
    return [(offset, sentence) for offset, sentence in pieces if sentence.strip()]


def find_deadlines(
    sentence_text: str,
    *,
    published: date | None,
    line: int | None = None,
    warnings: list[str] | None = None,
    instruction: bool = False,
    earlier: bool = False,
    earlier_published: date | None = None,
) -> list[ParsedDeadline]:
    """Return the deadlines one sentence sets, in the order they appear.

    `published` is the date relative deadlines count from; without it they have no
    date (`due` None) and a warning is appended to `warnings`. In a sentence that
    recalls an earlier report ("we recommended that, within six months, ...") or with
    `earlier=True` (the text is a revisit letter quoting one) they count from that
    report, from `earlier_published` when the text dates that report and otherwise
    with no date, and are marked `earlier`. `instruction=True` says the sentence is an
    instruction even without "should" (a list item after "the force should:").
    """
    found: list[tuple[int, int, ParsedDeadline]] = []
    earlier = earlier or bool(_EARLIER_RE.search(sentence_text))
    if earlier:  # counted from the report the sentence recalls, not this one
        published, relative_warnings = earlier_published, None
    else:
        relative_warnings = warnings
    for match in _ABSOLUTE_RE.finditer(sentence_text):
        deadline = _absolute_deadline(match, match.group(0), line)
        found.append((match.start(), match.end(), deadline))
    for match in _FINANCIAL_YEAR_RE.finditer(sentence_text):
        deadline = _financial_year_deadline(match, line, warnings)
        found.append((match.start(), match.end(), deadline))

    instructs = instruction or bool(_INSTRUCTION_RE.search(sentence_text))
    # "Before 31 March 2025, chief constables should ...": a deadline only where the
    # sentence asks something ("before 2019 the force used ..." is history)
    for match in _BEFORE_RE.finditer(sentence_text) if instructs else ():
        if any(start <= match.start() < end for start, end, _ in found):
            continue  # "on or before 31 March 2025", read above
        deadline = _absolute_deadline(match, match.group(0), line)
        found.append((match.start(), match.end(), deadline))
    for match in _RELATIVE_RE.finditer(sentence_text):
        if not instructs or _OF_SOMETHING_ELSE_RE.match(sentence_text, match.end()):
            continue
        if match.group(0).lower().startswith("in") and not _TIMES_THE_ASK_RE.search(
            sentence_text[: match.start()]
        ):
            continue  # "how it will meet demand in the next two years": a horizon
        deadline = _relative_deadline(match, published, line, relative_warnings)
        if deadline is not None:
            found.append((match.start(), match.end(), deadline))

    for match in _IMMEDIATE_RE.finditer(sentence_text):
        group = next(
            name
            for name in ("adverb", "opening", "subjunctive", "effect")
            if match[name]
        )
        if group in ("opening", "effect") and not instructs:
            continue  # "was withdrawn with immediate effect" reports history
        deadline = _immediate_deadline(
            match.group(group), published, line, relative_warnings
        )
        found.append((match.start(group), match.end(group), deadline))

    if earlier:
        for _, _, deadline in found:
            if deadline.relative or deadline.immediate:
                deadline.earlier = True
                if deadline.due is None:
                    _warn(warnings, line, deadline.wording, earlier=True)

    if not found:
        return []
    found.sort(key=lambda item: item[0])
    spans = [(start, end) for start, end, _ in found]
    descriptions = describe_deliverables(sentence_text, spans, whole_clause=instruction)
    for (_, _, deadline), description in zip(found, descriptions, strict=True):
        deadline.deliverable = description
    return [deadline for _, _, deadline in found]


def deadline_in_cell(
    cell: str,
    *,
    published: date | None,
    line: int | None = None,
    warnings: list[str] | None = None,
) -> ParsedDeadline | None:
    """Read a cell that is only a due date: "31 March 2019", "Within 6 months"."""
    text = cell.strip()
    absolute = re.fullmatch(rf"(?:{_LEAD}\s+|due\s+)?{_ANY_DATE}", text, re.IGNORECASE)
    if absolute:
        return _absolute_deadline(absolute, text, line)
    relative = _RELATIVE_RE.match(text)
    if relative and _FROM_PUBLICATION_RE.fullmatch(text, relative.end()):
        # "Within six months", "Within six months of publication"
        return _relative_deadline(relative, published, line, warnings)
    if _IMMEDIATE_CELL_RE.fullmatch(text):
        return _immediate_deadline(text, published, line, warnings)
    return None


def due_from_publication(wording: str, published: date) -> date | None:
    """The date a deadline counted from publication falls on: "Within three months",
    "immediately" or "with immediate effect" (as the report words it), from `published`.

    None for words that count from nothing (an absolute date, or other words).
    """
    relative = _RELATIVE_RE.search(wording)
    if relative:
        return _relative_due(relative, published)
    if _IMMEDIATE_CELL_RE.fullmatch(wording.strip()):
        return published
    return None


def parse_date_text(text: str) -> date | None:
    """Read the date `text` starts with: "02/03/2017", "12 March 2019 by HMICFRS".

    None if there is none, or if it is impossible: a metadata date is not worth refusing
    a report for.
    """
    match = re.match(_ANY_DATE, text.strip(), re.IGNORECASE)
    if not match or match.group("y4"):
        return None
    try:
        return _absolute_due(match, None)
    except ReportParseError:
        return None


def leading_day(text: str, line: int | None = None) -> tuple[date, int] | None:
    """The day `text` starts with ("12 March 2023 – complete") and where its words end.

    None when it starts with no date or with a month or year alone: a status log's
    entry is dated to the day or not at all. A day that cannot exist raises
    ReportParseError, as a deadline's would.
    """
    match = re.match(_ANY_DATE, text, re.IGNORECASE)
    if not match or match.group("y4") or match.group("y6"):
        return None
    return _absolute_due(match, line), match.end()


def describe_deliverables(
    sentence: str, spans: list[tuple[int, int]], *, whole_clause: bool = False
) -> list[str | None]:
    """Name what each deadline (given by its span in `sentence`) asks for.

    The object of "produce/submit/provide ..." nearest to the deadline, else the action
    after "should/must", else (with `whole_clause`, for a list item that is itself the
    instruction) the first clause, else None.
    """
    masked = _mask(sentence, spans)  # no deadline phrase may end up in a description
    finders = [_Phrases(_DELIVERABLE_RE, masked), _Phrases(_ACTION_RE, masked)]
    fallback = _first_clause(masked) if whole_clause else None
    described = []
    for span in spans:
        nearest = (finder.nearest(span) for finder in finders)
        described.append(next((phrase for phrase in nearest if phrase), fallback))
    return described


def is_handed_over(text: str, deliverable: str) -> bool:
    """Whether `deliverable` is a thing `text` asks to be produced ("produce an action
    plan"), not the action it asks for ("make sure that ...", "review its vetting")."""
    return any(
        match.group("phrase").strip().lower().startswith(deliverable.lower())
        for match in _DELIVERABLE_RE.finditer(text)
    )


def describe_action(text: str) -> str | None:
    """Name what a list item asks for, for a deadline it inherits from its lead-in."""
    return describe_deliverables(text, [(0, 0)], whole_clause=True)[0]


class _Phrases:
    """What a pattern finds in a sentence, to look up by nearness to a deadline."""

    def __init__(self, pattern: re.Pattern[str], text: str) -> None:
        self.found = [
            (match.start(), match.end(), phrase)
            for match in pattern.finditer(text)
            if (phrase := _trim_phrase(match.group("phrase")))
        ]
        self.starts = [start for start, _, _ in self.found]

    def nearest(self, span: tuple[int, int]) -> str | None:
        # Matches do not overlap, so the nearest one is beside the deadline's position.
        index = bisect.bisect_left(self.starts, span[0])
        nearby = self.found[max(index - 1, 0) : index + 1]
        if not nearby:
            return None
        return min(nearby, key=lambda found: _distance((found[0], found[1]), span))[2]


def _mask(sentence: str, spans: list[tuple[int, int]]) -> str:
    pieces, position = [], 0
    for start, end in sorted(spans):
        if start >= position:
            pieces += [sentence[position:start], " " * (end - start)]
            position = end
    pieces.append(sentence[position:])
    return "".join(pieces)


def _first_clause(text: str) -> str | None:
    # "Not later than ..., the force should:" names no action; its list items do.
    clauses = (_trim_phrase(clause) for clause in re.split(r"[,;:.()]", text))
    return next((c for c in clauses if c and not _INSTRUCTION_RE.search(c)), None)


def _absolute_due(match: re.Match[str], line: int | None) -> date:
    groups = match.groupdict()
    if groups.get("y4"):
        year = int(groups["y4"])
        month = _month_number(groups["m4"]) if groups.get("m4") else 12
        return _month_end(year, month, _written(match, "m4", "y4"), line)
    if groups.get("d1"):
        year, month, day = groups["y1"], _month_number(groups["m1"]), groups["d1"]
        return _real_date(int(year), month, int(day), _written(match, "d1"), line)
    if groups.get("d2"):
        year, month, day = groups["y2"], _month_number(groups["m2"]), groups["d2"]
        return _real_date(int(year), month, int(day), _written(match, "m2"), line)
    if groups.get("y5"):
        year, month, day = int(groups["y5"]), int(groups["m5"]), int(groups["d5"])
        return _real_date(year, month, day, _written(match, "y5"), line)
    if groups.get("y6"):
        year, month = int(groups["y6"]), _month_number(groups["m6"])
        return _month_end(year, month, _written(match, "m6"), line)
    year = int(groups["y3"]) + (2000 if len(groups["y3"]) == 2 else 0)
    month, day = int(groups["m3"]), int(groups["d3"])
    return _real_date(year, month, day, _written(match, "d3"), line, numeric=True)


def _written(match: re.Match[str], *first_groups: str) -> str:
    """The date as the report writes it, without its "by": "31 April 2017"."""
    start = next(match.start(name) for name in first_groups if match.group(name))
    return " ".join(match.string[start : match.end()].split())


def _real_date(
    year: int,
    month: int,
    day: int,
    written: str,
    line: int | None,
    numeric: bool = False,
) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        hint = " (dates are read day first)" if numeric else ""
        message = f"{written} is not a real date{hint}"
        raise ReportParseError(message, line=line) from None


def _relative_deadline(
    match: re.Match[str],
    published: date | None,
    line: int | None,
    warnings: list[str] | None,
) -> ParsedDeadline | None:
    """ "within three months": counted from `published`, or with no date without one."""
    if published is None:
        _warn(warnings, line, match.group(0))
        return _deadline(None, match.group(0), line)
    due = _relative_due(match, published)
    return None if due is None else _deadline(due, match.group(0), line)


def _immediate_deadline(
    wording: str,
    published: date | None,
    line: int | None,
    warnings: list[str] | None,
) -> ParsedDeadline:
    if published is None:
        _warn(warnings, line, wording)
    deadline = _deadline(published, wording, line)
    deadline.immediate = True
    return deadline


def _financial_year_deadline(
    match: re.Match[str], line: int | None, warnings: list[str] | None
) -> ParsedDeadline:
    """ "by the end of the 2025/26 financial year" is 31 March 2026; "by the end of
    the financial year" names no year, so it keeps its words and has no date."""
    wording = " ".join(match.group(0).split())
    if not match.group("start"):
        if warnings is not None:
            where = f"Line {line}: " if line is not None else ""
            warnings.append(
                f"{where}“{wording}” names no year, so it has no date: enter the "
                "deadline's date."
            )
        return _deadline(None, wording, line)
    start = int(match.group("start"))
    end = match.group("end")
    year = int(end) if len(end) == 4 else start // 100 * 100 + int(end)
    if year != start + 1:
        year = start + 1  # "2025/26", "2025-2026": the year ending in March
    return _deadline(_real_date(year, 3, 31, wording, line), wording, line)


def _relative_due(match: re.Match[str], published: date) -> date | None:
    count_text = match.group("count").lower()
    count = int(count_text) if count_text.isdigit() else _NUMBER_WORDS[count_text]
    unit = match.group("unit").lower().rstrip("s")
    try:
        if unit == "day":
            return published + timedelta(days=count)
        if unit == "week":
            return published + timedelta(weeks=count)
        return add_months(published, count * (12 if unit == "year" else 1))
    except (ValueError, OverflowError):
        return None  # beyond the calendar's range: no sensible deadline to record


def add_months(start: date, months: int) -> date:
    """`start` plus whole months, kept within the month: 31 Jan + 1 month = 28 Feb."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _month_number(name: str) -> int:
    return _MONTH_NUMBERS[name.lower().rstrip(".")]


def _month_end(year: int, month: int, written: str, line: int | None) -> date:
    last_day = calendar.monthrange(year, month)[1] if 1 <= year <= 9999 else 31
    return _real_date(year, month, last_day, written, line)


def _absolute_deadline(
    match: re.Match[str], wording: str, line: int | None
) -> ParsedDeadline:
    """The deadline a matched date sets; `month_only` when it named no day."""
    deadline = _deadline(_absolute_due(match, line), wording, line)
    deadline.month_only = bool(match.group("y6"))
    return deadline


def _deadline(due: date | None, wording: str, line: int | None) -> ParsedDeadline:
    return ParsedDeadline(
        due=due,
        wording=" ".join(wording.split()),
        deliverable=None,
        relative=_RELATIVE_RE.match(wording) is not None,
        line=line,
    )


def _warn(
    warnings: list[str] | None, line: int | None, wording: str, *, earlier=False
) -> None:
    if warnings is None:
        return
    where = f"Line {line}: " if line is not None else ""
    if earlier:
        warnings.append(
            f"{where}“{' '.join(wording.split())}” counts from the earlier report this "
            "recalls, which it does not date: enter the deadline's date if you know it."
        )
        return
    warnings.append(
        f"{where}“{' '.join(wording.split())}” counts from the publication date, which "
        "the report does not give: enter the publication date below and its date is "
        "counted from it."
    )


def _trim_phrase(phrase: str) -> str:
    phrase = _PHRASE_STOP_RE.sub("", " ".join(phrase.split()))
    words = phrase.split()[:12]
    while words and words[-1].lower() in _DANGLING_WORDS:
        words.pop()
    if words and words[0].lower() == "immediately":
        words.pop(0)
    return " ".join(words)


def _distance(span: tuple[int, int], other: tuple[int, int]) -> int:
    if span[0] <= other[0] < span[1] or other[0] <= span[0] < other[1]:
        return 0
    return min(abs(other[0] - span[1]), abs(span[0] - other[1]))
