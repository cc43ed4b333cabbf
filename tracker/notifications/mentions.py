"""Mentions: `@name` in an update or a comment names a person who may see the work.

A person is written as the part of their email address before the @
(`@jane.smith`), or as the whole address where two people share that part
(`@jane.smith@kent.police.uk`). Plain text: it works without JavaScript, and the
page's autocompletion only types the same thing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol, TypeVar

# An @ that starts a word (not the one inside an email address), then a handle.
MENTION = re.compile(
    r"(?<![\w.@])@([A-Za-z0-9][\w.'+-]*(?:@[A-Za-z0-9.-]+\.[A-Za-z]{2,})?)"
)


class Person(Protocol):
    pk: int
    email: str


P = TypeVar("P", bound="Person")


def handle(person: Person) -> str:
    """What a person is mentioned as, when the local part of their address is theirs alone."""
    return person.email.split("@", 1)[0].lower()


def mentioned_people(text: str, candidates: Iterable[P]) -> list[P]:
    """The candidates `text` mentions, each once, in the order first mentioned."""
    candidates = list(candidates)
    by_email = {person.email.lower(): person for person in candidates}
    by_handle: dict[str, list[P]] = {}
    for person in candidates:
        by_handle.setdefault(handle(person), []).append(person)
    found: dict[int, P] = {}
    for match in MENTION.finditer(text or ""):
        written = match.group(1).lower().rstrip(".'-")
        chosen: P | None
        if "@" in written:
            chosen = by_email.get(written)
        else:
            people = by_handle.get(written, [])
            chosen = people[0] if len(people) == 1 else None
        if chosen is not None:
            found.setdefault(chosen.pk, chosen)
    return list(found.values())


def mention_list(people: Iterable[Person]) -> list[dict[str, str]]:
    """The people a page's text boxes offer after "@": handle and name, for the script."""
    people = list(people)
    counts: dict[str, int] = {}
    for person in people:
        counts[handle(person)] = counts.get(handle(person), 0) + 1
    return [
        {
            # Where two people share a handle, only the whole address names one.
            "handle": handle(person)
            if counts[handle(person)] == 1
            else person.email.lower(),
            "name": str(person),
        }
        for person in people
    ]
