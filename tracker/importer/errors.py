"""The one error the importer raises: a report that cannot be read."""

from __future__ import annotations


class ReportParseError(Exception):
    """A report could not be read; `message` is written for whoever uploaded it."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message, line)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return f"line {self.line}: {self.message}"
