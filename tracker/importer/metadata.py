"""The page's metadata: the title line (force, programme, pillar), "Last updated", "Published"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from .blocks import Block
from .dates import parse_date_text
from .headings import LAST_UPDATED_RE, PUBLISHED_RE, question_heading

_PILLAR_RE = re.compile(
    r"\b(effectiveness|efficiency|legitimacy|leadership)\b", re.IGNORECASE
)
_PROGRAMME = r"(?P<programme>(?:19|20)\d{2}(?:\s*/\s*\d{2,4})?)\b"
_NAME = r"[A-Z][\w’'&.-]*(?:\s+(?:[A-Z][\w’'&.-]*|and|of|&)){0,5}"
_TITLE_FORCE_FIRST_RE = re.compile(
    rf"^(?P<force>{_NAME})\s+PEEL:?\s+{_PROGRAMME}(?P<rest>.*)$"
)
_TITLE_PEEL_FIRST_RE = re.compile(
    rf"^PEEL:?\s+{_PROGRAMME}\s*[:\-–—|]\s*(?:(?:an|the)\s+inspection\s+of\s+)?"
    r"(?P<force>[A-Z][\w’'&,. ]{1,60}?)\s*(?P<rest>[-–—|].*)?$",
    re.IGNORECASE,
)
_PROGRAMME_RE = re.compile(rf"\bPEEL:?\s+{_PROGRAMME}")
_FORCE_IN_PROSE_RE = re.compile(
    r"\b(?P<name>[A-Z][\w’'-]+(?:\s+(?:[A-Z][\w’'-]+|and|of|&)){0,4}?)\s+"
    r"(?:Police(?:\s+Service)?|Constabulary)\s+(?:is|requires|remains)\b"
)
_NOT_A_NAME = {
    "overall", "however", "the", "in", "we", "that", "therefore", "also", "but", "and",
    "hmic", "hmicfrs", "so", "this", "while",
}  # fmt: skip


_LABEL_ALONE_RE = re.compile(
    r"^(?:(?:first\s+)?published(?:\s+on)?|last\s+updated(?:\s+on)?"
    r"|date\s+(?:of\s+publication|published)|publication\s+date)\s*:?$",
    re.IGNORECASE,
)


@dataclass
class Metadata:
    force_name: str | None = None
    programme: str | None = None
    year: int | None = None
    title_pillar: str | None = None
    last_updated: date | None = None
    published: date | None = None
    # every "Published:" date the page gives: a list of publications gives many
    publication_dates: set[date] = field(default_factory=set)


def read_metadata(blocks: list[Block]) -> Metadata:
    meta = Metadata()
    before_first_question = []
    for block in blocks:
        if question_heading(block):
            break
        before_first_question.append(block)
    for block in before_first_question:
        text = block.text
        title = _TITLE_FORCE_FIRST_RE.match(text) or _TITLE_PEEL_FIRST_RE.match(text)
        if title:
            meta.force_name = _force_name(title.group("force"))
            meta.programme = _programme(title.group("programme"))
            pillars = _PILLAR_RE.findall(title.group("rest") or "")
            if len({pillar.lower() for pillar in pillars}) == 1:
                meta.title_pillar = pillars[0].capitalize()
            break
    if meta.programme is None:
        for block in before_first_question:
            programme = _PROGRAMME_RE.search(block.text)
            if programme:
                meta.programme = _programme(programme.group("programme"))
                break
    if meta.programme:
        meta.year = int(meta.programme[5:9])
    for index, block in enumerate(blocks):
        text = block.text
        if _LABEL_ALONE_RE.match(text) and index + 1 < len(blocks):
            # "Published on" with its date on the next line (a <dt> and its <dd>)
            text = f"{text} {blocks[index + 1].text}"
        updated = LAST_UPDATED_RE.match(text)
        if updated and meta.last_updated is None:
            meta.last_updated = parse_date_text(updated.group("date"))
        published = PUBLISHED_RE.match(text)
        day = parse_date_text(published.group("date")) if published else None
        if day is not None:
            meta.publication_dates.add(day)
        if published and meta.published is None:
            meta.published = day
        if meta.force_name is None:
            named = _FORCE_IN_PROSE_RE.search(block.text)
            if named:
                meta.force_name = _force_name(named.group("name"))
    return meta


def _force_name(raw: str) -> str | None:
    words = raw.replace("’s", "").split()
    while words and words[0].lower() in _NOT_A_NAME:
        words.pop(0)
    name = re.sub(r"\s+(?:Police(?:\s+Service)?|Constabulary)$", "", " ".join(words))
    name = name.strip(" ,.-–—:")
    if not name or len(name) > 40 or any(char.isdigit() for char in name):
        return None
    return name


def _programme(raw: str) -> str:
    years = [part.strip() for part in raw.split("/")]
    if len(years) == 2:
        return f"PEEL {years[0]}/{years[1][-2:]}"
    return f"PEEL {years[0]}"
