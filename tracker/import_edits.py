"""The inspector's changes to a parsed report's structure, made in the import preview.

Plain functions on the parsed data (`ParsedReport.to_dict()`, as the preview keeps
it in the session), each naming its item by its path in `importer.walk` ("q4.1",
"q4.1.c.2", "q3.1.r.1"). Each returns what it did, in words for the inspector, and
the item to show them (`path_of` gives its path once all is done); each raises
EditError, changing nothing, for input it cannot take. After every change the orders are renumbered, so the paths,
the walk and what `save_import` saves stay the preview's.

    done = split(data, "q4.1", "First part.\\n\\nSecond part.")
    done.message, done.focus
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from .importer import walk
from .importer.parsed import AREA_FOR_IMPROVEMENT, CAUSE_OF_CONCERN, RECOMMENDATION
from .importer.walk import ITEM

KIND_NAMES = {
    CAUSE_OF_CONCERN: "cause of concern",
    RECOMMENDATION: "recommendation",
    AREA_FOR_IMPROVEMENT: "area for improvement",
}
OUTSIDE = "none"  # the question value of a finding outside any question
NO_PARENT = "none"  # the parent value of a recommendation standing on its own
# An empty line in a text box is where the inspector splits the item.
_SPLIT_RE = re.compile(r"\n[ \t\r\f\v]*\n")


class EditError(Exception):
    """A change the preview cannot make, with a sentence for the inspector."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Done:
    """What a change did, for the inspector, and the item (or question) it leaves in view."""

    message: str
    focus: dict[str, Any] | None


@dataclass(frozen=True)
class _Spot:
    """An item, the list it is in and its index there."""

    item: dict[str, Any]
    siblings: list[dict[str, Any]]
    index: int
    role: str
    question: dict[str, Any] | None
    parent: dict[str, Any] | None

    @property
    def is_finding(self) -> bool:
        return self.role != ITEM


# Naming things -----------------------------------------------------------------------


def short(text: str, count: int = 8) -> str:
    """The first words of a text, to name it."""
    words = text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


def _where(item: dict[str, Any]) -> str:
    line = item.get("line")
    return f" (line {line})" if line is not None else ""


def describe(item: dict[str, Any]) -> str:
    """“the area for improvement “The force should …” (line 40)”, to name it in a message."""
    what = KIND_NAMES.get(item.get("kind", ""), "sub-step")
    return f"the {what} “{short(item['text'])}”{_where(item)}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _question_name(question: dict[str, Any] | None) -> str:
    return f"question {question['order']}" if question else "no question"


def _in(question: dict[str, Any] | None) -> str:
    if question is None:
        return " among the findings outside any question"
    return f" in question {question['order']}"


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


# Finding things ----------------------------------------------------------------------


def _locate(data: dict[str, Any], path: str) -> _Spot:
    for place in walk(data, items=True):
        if place.path != path:
            continue
        if place.role == ITEM:
            siblings = place.parent["children"]  # type: ignore[index]
        elif place.is_recommendation:
            siblings = place.parent["recommendations"]  # type: ignore[index]
        elif place.question is not None:
            siblings = place.question["findings"]
        else:
            siblings = data["findings"]
        index = int(path.rsplit(".", 1)[1]) - 1
        return _Spot(
            place.item, siblings, index, place.role, place.question, place.parent
        )
    raise EditError(
        f"There is no item {path} in this report (any more): the page below shows it"
        " as it is now."
    )


def path_of(data: dict[str, Any], item: dict[str, Any] | None) -> str:
    """The path a question, finding or sub-step has now ("" for None or one not there)."""
    for place in walk(data, items=True, questions=True):
        if place.item is item:
            return place.path
    return ""


def _question(data: dict[str, Any], value: str) -> dict[str, Any] | None:
    """The question a form's value names (its order, or OUTSIDE), or EditError."""
    value = (value or "").strip()
    if not value:
        raise EditError(
            "Choose the question it answers from the list (or “Not under any question”)."
        )
    if value == OUTSIDE:
        return None
    for question in data.get("questions", []):
        if str(question["order"]) == value:
            return question
    raise EditError(f"This report has no question “{value}”: choose one from the list.")


def _cause(data: dict[str, Any], value: str) -> dict[str, Any] | None:
    """The cause of concern a form's value names (its path, or NO_PARENT), or EditError."""
    value = (value or "").strip()
    if value == NO_PARENT:
        return None
    for place in walk(data, recommendations=False):
        if place.path == value:
            if place.item["kind"] != CAUSE_OF_CONCERN:
                raise EditError(
                    f"A recommendation goes only under a cause of concern, and"
                    f" {describe(place.item)} is not one."
                )
            return place.item
    raise EditError(
        f"There is no finding {value} in this report to put a recommendation under:"
        " choose a cause of concern from the list."
    )


def _findings_of(data: dict[str, Any], question: dict[str, Any] | None) -> list:
    if question is not None:
        return question.setdefault("findings", [])
    return data.setdefault("findings", [])


def _insert_by_line(entries: list[dict[str, Any]], item: dict[str, Any]) -> None:
    """In report order where the source line says where it goes, else at the end."""
    line = item.get("line")
    if line is not None:
        for index, entry in enumerate(entries):
            if entry.get("line") is not None and entry["line"] > line:
                entries.insert(index, item)
                return
    entries.append(item)


def _text(value: str, what: str) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise EditError(f"{what} cannot be empty.")
    if "\x00" in text:
        raise EditError(
            f"{what} contains a NUL character (\\x00), which cannot be saved: remove it."
        )
    return text


# Keeping the structure whole -----------------------------------------------------------


def renumber(data: dict[str, Any]) -> None:
    """Each finding, recommendation and sub-step numbered by its place among its siblings."""

    def items(entries):
        for order, entry in enumerate(entries, start=1):
            entry["order"] = order
            items(entry.get("children", []))

    def findings(entries):
        for order, entry in enumerate(entries, start=1):
            entry["order"] = order
            items(entry.get("children", []))
            findings(entry.get("recommendations", []))

    for question in data.get("questions", []):
        findings(question.get("findings", []))
    findings(data.get("findings", []))


def settle(data: dict[str, Any]) -> list[str]:
    """Only causes of concern have recommendations under them, and only recommendations
    are under one; a kind changed in the preview moves what no longer fits, and says so.

    A recommendation whose kind became another stands on its own after its cause; a
    cause of concern that became another kind leaves its recommendations, as
    recommendations, on their own after it.
    """
    notes = []
    containers = [q.setdefault("findings", []) for q in data.get("questions", [])]
    containers.append(data.setdefault("findings", []))
    for question, entries in zip(
        [*data.get("questions", []), None], containers, strict=True
    ):
        index = 0
        while index < len(entries):
            entry = entries[index]
            under = entry.get("recommendations") or []
            if entry["kind"] != CAUSE_OF_CONCERN and under:
                entry["recommendations"] = []
                entries[index + 1 : index + 1] = under
                stay = (
                    "its recommendation stays a recommendation, on its own"
                    if len(under) == 1
                    else f"its {len(under)} recommendations stay recommendations,"
                    " each on its own"
                )
                notes.append(
                    f"{_capital(describe(entry))} is now {_a(entry['kind'])}:"
                    f" {stay} after it{_in(question)}."
                )
            elif under:
                moved = [r for r in under if r["kind"] != RECOMMENDATION]
                if moved:
                    entry["recommendations"] = [
                        r for r in under if r["kind"] == RECOMMENDATION
                    ]
                    entries[index + 1 : index + 1] = moved
                    for finding in moved:
                        notes.append(
                            f"{_capital(describe(finding))} no longer sits under"
                            f" {describe(entry)}: it follows it{_in(question)}."
                        )
            index += 1
    renumber(data)
    return notes


def _a(kind: str) -> str:
    name = KIND_NAMES[kind]
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"


# The changes -----------------------------------------------------------------------------


def add_finding(
    data: dict[str, Any],
    *,
    text: str,
    kind: str,
    question: str,
    parent: str = NO_PARENT,
    due: str = "",
    wording: str = "",
) -> Done:
    """A finding the reading missed, in the inspector's (pasted) words: at the end of
    its question's findings, or of its cause of concern's recommendations."""
    text = _text(text, "The text of the finding to add")
    if kind not in KIND_NAMES:
        raise EditError("Choose the kind of the finding to add from the list.")
    cause = _cause(data, parent)
    # Under a cause of concern it answers the cause's question.
    target_question = _question(data, question) if cause is None else None
    if cause is not None and kind != RECOMMENDATION:
        raise EditError(
            "Only a recommendation goes under a cause of concern: choose “Recommendation”"
            " as its kind, or no cause of concern."
        )
    deadlines = []
    due, wording = (due or "").strip(), " ".join((wording or "").split())
    if due:
        try:
            day = datetime.date.fromisoformat(due)
        except ValueError:
            raise EditError(
                f"“{due}” is not a date: give the deadline of the finding to add as a"
                " date, or leave it empty."
            ) from None
        if "\x00" in wording:
            raise EditError(
                "The deadline's wording contains a NUL character: remove it."
            )
        deadlines.append(
            {
                "due": day.isoformat(),
                "wording": wording,
                "deliverable": None,
                "relative": False,
                "immediate": False,
                "line": None,
                "month_only": False,
            }
        )
    elif wording:
        raise EditError(
            f"Give the date “{wording}” means as the deadline, or leave both empty."
        )
    finding = {
        "kind": kind,
        "text": text,
        "order": 0,
        "line": None,  # not read from the source: the inspector added it
        "children": [],
        "deadlines": deadlines,
        "trailing_text": None,
        "recommendations": [],
    }
    if cause is not None:
        cause.setdefault("recommendations", []).append(finding)
        where = f"under {describe(cause)}"
    else:
        _findings_of(data, target_question).append(finding)
        where = (
            f"at the end of {_question_name(target_question)}"
            if target_question
            else "at the end of the findings outside any question"
        )
    renumber(data)
    return Done(
        f"Added {describe(finding)} {where}. Nothing is saved until you confirm.",
        finding,
    )


def delete(data: dict[str, Any], path: str) -> Done:
    """A finding or sub-step the reading wrongly took, with everything under it."""
    spot = _locate(data, path)
    item = spot.item
    removed = []
    steps = sum(1 for _ in _all_items(item.get("children", [])))
    if steps:
        removed.append(_count(steps, "sub-step", "sub-steps"))
    recommendations = item.get("recommendations") or []
    if recommendations:
        removed.append(
            _count(len(recommendations), "recommendation", "recommendations")
        )
    deadlines = len(item.get("deadlines", [])) + sum(
        len(step.get("deadlines", [])) for step in _all_items(item.get("children", []))
    )
    if deadlines:
        removed.append(_count(deadlines, "deadline", "deadlines"))
    del spot.siblings[spot.index]
    renumber(data)
    # What is left in view: the one before it, else what it was under.
    if spot.index > 0:
        focus = spot.siblings[spot.index - 1]
    else:
        focus = spot.parent or spot.question
    with_ = f" with its {' and '.join(removed)}" if removed else ""
    return Done(
        f"Removed {describe(item)}{with_}. Nothing is saved until you confirm.", focus
    )


def _all_items(children):
    for child in children:
        yield child
        yield from _all_items(child.get("children", []))


def split(data: dict[str, Any], path: str, text: str) -> Done:
    """An item cut in two (or more) where the inspector left an empty line in its text.

    Each deadline goes with the part its words are in; sub-steps, closing paragraph
    and recommendations go with the last part (in a report they follow all of it).
    """
    spot = _locate(data, path)
    item = spot.item
    raw = (text or "").replace("\r\n", "\n")
    parts = [" ".join(part.split()) for part in _SPLIT_RE.split(raw)]
    if len(parts) < 2:
        raise EditError(
            f"To split {describe(item)}, put an empty line in its text where the"
            " second part begins (press Enter twice there), then “Split”."
        )
    if not all(parts):
        raise EditError(
            f"Both sides of the empty line in {describe(item)} need words: put the"
            " empty line between two sentences."
        )
    if any("\x00" in part for part in parts):
        raise EditError(f"The text of {describe(item)} contains a NUL character.")
    found: list[list[dict]] = [[] for _ in parts]
    for deadline in item.get("deadlines", []):
        found[_part_with(parts, deadline)].append(deadline)
    pieces = []
    for number, part in enumerate(parts):
        last = number == len(parts) - 1
        piece = {**item, "text": part, "deadlines": found[number]}
        if not last:
            piece["children"] = []
            if "trailing_text" in item:
                piece["trailing_text"] = None
            if "recommendations" in item:
                piece["recommendations"] = []
        pieces.append(piece)
    spot.siblings[spot.index : spot.index + 1] = pieces
    renumber(data)
    moved = [
        f"{_count(len(found[n]), 'deadline', 'deadlines')} to part {n + 1}"
        for n in range(len(parts))
        if found[n]
    ]
    deadlines = (
        f" Deadlines went with their words: {', '.join(moved)}." if moved else ""
    )
    return Done(
        f"Split {describe(item)} into {len(parts)} parts.{deadlines}"
        " Nothing is saved until you confirm.",
        pieces[0],
    )


def _part_with(parts: list[str], deadline: dict[str, Any]) -> int:
    """The part a deadline's words are in (the report's words, or the inspector's)."""
    published = deadline.get("published") or {}
    for wording in (deadline.get("wording"), published.get("wording")):
        if not wording:
            continue
        wording = " ".join(wording.split()).casefold()
        for number, part in enumerate(parts):
            if wording in part.casefold():
                return number
    return 0


def merge(data: dict[str, Any], path: str) -> Done:
    """An item joined onto the one before it (its previous sibling, or for a first
    sub-step or recommendation what it is under): texts joined, deadlines, sub-steps
    and recommendations kept."""
    spot = _locate(data, path)
    item = spot.item
    if spot.index > 0:
        target = spot.siblings[spot.index - 1]
    elif spot.parent is not None:
        target = spot.parent
    else:
        raise EditError(
            f"{_capital(describe(item))} is the first finding"
            f"{_in(spot.question)}: there is nothing before it to merge it"
            " into."
        )
    del spot.siblings[spot.index]
    target["text"] = f"{target['text']} {item['text']}"
    target.setdefault("deadlines", []).extend(item.get("deadlines", []))
    children = target.setdefault("children", [])
    # A first sub-step's own sub-steps take its place among its parent's.
    at = spot.index if spot.siblings is children else len(children)
    children[at:at] = item.get("children", [])
    if item.get("trailing_text"):
        target["trailing_text"] = " ".join(
            t for t in (target.get("trailing_text"), item["trailing_text"]) if t
        )
    if item.get("recommendations"):
        target.setdefault("recommendations", []).extend(item["recommendations"])
    notes = settle(data)
    return Done(
        " ".join(
            [
                f"Merged {describe(item)} into {describe(target)}; its deadlines and"
                " sub-steps are kept.",
                *notes,
                "Nothing is saved until you confirm.",
            ]
        ),
        target,
    )


def move(data: dict[str, Any], path: str, *, question: str, parent: str) -> Done:
    """A finding to another question, or a recommendation under another cause of
    concern (or none). What changed decides: a new cause takes the recommendation to
    its question; a new question alone takes it out from under its cause."""
    spot = _locate(data, path)
    item = spot.item
    if not spot.is_finding:
        raise EditError("A sub-step moves with its finding: move the finding instead.")
    target_question = _question(data, question)
    cause = _cause(data, parent) if parent is not None else spot.parent
    if cause is not None and item["kind"] != RECOMMENDATION:
        raise EditError(
            f"Only a recommendation goes under a cause of concern: make"
            f" {describe(item)} a recommendation (Kind of finding) first, or choose no"
            " cause of concern."
        )
    if cause is spot.parent and target_question is not spot.question:
        cause = None  # a new question takes it out from under its cause
    if cause is spot.parent and target_question is spot.question:
        return Done(
            f"{_capital(describe(item))} stays where it is: choose another"
            " question or cause of concern to move it.",
            path,
        )
    del spot.siblings[spot.index]
    if cause is not None:
        _insert_by_line(cause.setdefault("recommendations", []), item)
        owner = next(
            (q for q in data.get("questions", []) if cause in q.get("findings", [])),
            None,
        )
        where = f"under {describe(cause)}{_in(owner)}"
    else:
        _insert_by_line(_findings_of(data, target_question), item)
        where = (
            f"to {_question_name(target_question)}"
            if target_question
            else "outside any question"
        )
        if spot.parent is not None:
            where += f", no longer under {describe(spot.parent)}"
    renumber(data)
    return Done(
        f"Moved {describe(item)} {where}. Nothing is saved until you confirm.",
        item,
    )
