"""The one error the importer raises: a report that cannot be read."""

from __future__ import annotations


class ReportParseError(Exception):
    """A report could not be read; `message` is written for whoever uploaded it."""

    def __init__(
        self, message: str, line: int | None = None, page: int | None = None
    ) -> None:
        super().__init__(message, line, page)
        self.message = message
        self.line = line
        self.page = page  # a PDF's page, where the line is on one

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        if self.page is not None:
            return f"page {self.page}, line {self.line}: {self.message}"
        return f"line {self.line}: {self.message}"
