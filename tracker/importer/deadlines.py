"""The deadlines a block states, each with the line it is on.

The date grammar is in dates.py; this reads a block's text sentence by sentence
with it and gives each deadline found the source line its words are on (a
hard-wrapped sentence spans lines).
"""

from __future__ import annotations

from datetime import date

from .blocks import Block
from .dates import ParsedDeadline, find_deadlines, split_sentences


def block_deadlines(
    block: Block,
    text: str | None = None,
    *,
    published: date | None,
    warnings: list[str],
    instruction: bool | None = None,
    earlier: bool = False,
    earlier_published: date | None = None,
) -> list[ParsedDeadline]:
    """The deadlines in a block's text (or in `text`, read from that block).

    `published` is the date relative deadlines count from; problems go to `warnings`.
    `instruction` says the text is an instruction even without "should"; by default
    a list item is one, being introduced by "the force should:".
    """
    text = block.text if text is None else text
    # Offsets into the block's lines say nothing about where other text came from.
    own_text = text == block.text
    if instruction is None:
        instruction = block.marker is not None
    found: list[ParsedDeadline] = []
    for offset, sentence in split_sentences(text):
        deadlines = find_deadlines(
            sentence,
            published=published,
            line=block.line_at(offset) if own_text else block.line,
            warnings=warnings,
            instruction=instruction,
            earlier=earlier,
            earlier_published=earlier_published,
        )
        if own_text:  # a sentence may span lines: give each deadline its own line
            position = 0
            for deadline in deadlines:
                position = max(sentence.find(deadline.wording, position), 0)
                deadline.line = block.line_at(offset + position)
        found += deadlines
    return found
