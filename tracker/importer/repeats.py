"""A finding a report states twice, read once.

Reports repeat themselves: a summary lists the recommendations that each chapter
states again, a thematic report ends with an annex table of them (often shortened:
"Officers consider pre-charge bail ..." for "chief constables should make sure
that their officers consider pre-charge bail ..."), areas for improvement are listed
before the questions they belong to. Each is one finding: the copy under a
question is kept (it knows its question), otherwise the first, and a date only the
repeat gives (an annex's "By when" column) goes to it.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from .parsed import ParsedFinding, ParsedQuestion

# "By 31 March 2025, chief constables should make sure that ...": who is asked and
# the modal verb, which a shortened repeat leaves out
_OPENING_RE = re.compile(
    r"^.*?\b(?:should|must|needs?\s+to)\b(?:\s*,[^,]{0,80},)?\s*(?:also\s+)?"
    r"(?:(?:make\s+sure|ensure)\s+(?:that\s+)?)?",
    re.IGNORECASE,
)
_SHARED_RUN = 8  # words a shortened repeat keeps in a row from the finding it repeats
_SHARED_SHARE = 0.6  # and the share of its words they are


def drop_repeats(
    questions: list[ParsedQuestion],
    report_findings: list[ParsedFinding],
    warnings: list[str],
) -> None:
    lists = [question.findings for question in questions] + [report_findings]
    in_questions = {_key(f) for findings in lists[:-1] for f in findings}
    seen: dict[tuple[str, str], ParsedFinding] = {}
    for findings in lists:
        kept: list[ParsedFinding] = []
        for finding in findings:
            first = seen.get(_key(finding))
            if first is None and findings is report_findings:
                first = next((k for k in kept if _restates(finding, k)), None)
            repeated = first is not None or (
                findings is report_findings and _key(finding) in in_questions
            )
            if not repeated:
                seen[_key(finding)] = finding
                kept.append(finding)
                continue
            if first is not None and not first.deadlines:
                first.deadlines = finding.deadlines
            warnings.append(
                f"Line {finding.line}: the same {finding.kind.replace('_', ' ')} "
                "is stated again; it was read once."
            )
        for order, finding in enumerate(kept, start=1):
            finding.order = order
        findings[:] = kept


def _key(finding: ParsedFinding) -> tuple[str, str]:
    return finding.kind, " ".join(finding.text.split()).casefold()


def _restates(later: ParsedFinding, earlier: ParsedFinding) -> bool:
    """Whether `later` repeats `earlier` in fewer words (an annex, a summary table)."""
    if later.kind != earlier.kind:
        return False
    words = [_words(later.text), _words(earlier.text)]
    shorter = min(words, key=len)
    if len(shorter) < _SHARED_RUN:
        return False
    match = SequenceMatcher(None, *words, autojunk=False).find_longest_match()
    return match.size >= _SHARED_RUN and match.size >= _SHARED_SHARE * len(shorter)


def _words(text: str) -> list[str]:
    body = _OPENING_RE.sub("", " ".join(text.split()), count=1)
    return re.findall(r"[\w’'-]+", body.casefold())
