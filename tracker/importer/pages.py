"""Page furniture in text copied out of a PDF: page numbers and running headers.

A report copied from its PDF keeps, at every page break, the page's number and its
running header or footer ("PEEL 2021/22 – Police effectiveness … – X Police" then
"14"), often in the middle of a paragraph or a list item. They are dropped, and a
sentence the page break cut is joined again.

A page number is a line that is only a number ("14", "Page 3 of 40", "- 3 -"); a
running header or footer is a line that stands beside a page number at two page
breaks or more, or that carries the page number itself ("Page 11    PEEL 2023–2025
– X Police", at two pages or more). A heading never is, however often it comes back.
"""

from __future__ import annotations

import re
from collections import Counter

from .blocks import TERMINAL
from .headings import stands_alone
from .source import TextLine

_PAGE_NUMBER_RE = re.compile(
    r"^(?:page\s+)?\d{1,4}(?:\s+of\s+\d{1,4})?$|^[-–—]\s*\d{1,4}\s*[-–—]$",
    re.IGNORECASE,
)
_NUMBERED_LINE_RE = re.compile(
    r"^(?:page\s+)?\d{1,4}\s{2,}(?P<after>\S.*)$|^(?P<before>.*\S)\s{2,}(?:page\s+)?\d{1,4}$",
    re.IGNORECASE,
)
# Beside a page number: this many lines before or after it (blank lines skipped).
_REACH = 2


def drop_page_furniture(lines: list[TextLine]) -> list[TextLine]:
    """The lines without page numbers and running headers, cut sentences joined."""
    texts = [_normal(line.text) for line in lines]
    # "Page 11   PEEL 2023–2025 – X Police": the number and the running text in one
    stems = [_numbered_stem(line.text) for line in lines]
    repeated = Counter(stem for stem in stems if stem)
    numbers = [
        bool(_PAGE_NUMBER_RE.match(text)) or (stem is not None and repeated[stem] >= 2)
        for text, stem in zip(texts, stems, strict=True)
    ]
    if sum(numbers) < 2:
        return lines  # not copied from pages, or too few to tell
    beside = Counter(
        texts[index]
        for index in range(len(lines))
        if texts[index] and not numbers[index] and _beside_number(index, texts, numbers)
    )
    running = {
        text for text, count in beside.items() if count >= 2 and not stands_alone(text)
    }
    furniture = [
        number or (text in running) for number, text in zip(numbers, texts, strict=True)
    ]
    kept: list[TextLine] = []
    index = 0
    while index < len(lines):
        if not furniture[index]:
            kept.append(lines[index])
            index += 1
            continue
        end = index
        while end < len(lines) and (furniture[end] or not texts[end]):
            end += 1
        # The last words before the page break: a sentence they leave unfinished
        # goes on after it ("... enough staff with the" / "right skills in ...").
        last = next((line for line in reversed(kept) if line.text.strip()), None)
        cut = last is not None and not last.text.rstrip().endswith(TERMINAL)
        if cut:
            while kept and not kept[-1].text.strip():
                kept.pop()  # the gap the page break left is no paragraph's end
        elif end < len(lines):
            kept.append(TextLine(lines[index].number, ""))  # the page break's gap
        index = end
    return kept


def _numbered_stem(raw: str) -> str | None:
    """The running text of a line that is a page number and a header or footer."""
    match = _NUMBERED_LINE_RE.match(raw.strip())
    if not match:
        return None
    stem = _normal(match.group("before") or match.group("after") or "")
    return stem if len(stem) >= 10 and not stands_alone(stem) else None


def _beside_number(index: int, texts: list[str], numbers: list[bool]) -> bool:
    for step in (-1, 1):
        seen, position = 0, index + step
        while 0 <= position < len(texts) and seen < _REACH:
            if texts[position]:
                if numbers[position]:
                    return True
                seen += 1
            position += step
    return False


def _normal(text: str) -> str:
    return " ".join(text.split())
