"""Reading an upload: size and type checks, decoding, splitting into numbered lines."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from .errors import ReportParseError

MAX_BYTES = 5 * 1024 * 1024
_NOT_TEXT = "This looks like a binary file, not a report's text or HTML."

# Magic numbers of the files most often uploaded by mistake for a report's text.
_MAGIC_NUMBERS: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive, such as a Word or Excel file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old-style Office document"),
    (b"\x1f\x8b", "gzip archive"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
)


@dataclass
class TextLine:
    """One line of a report as text: `number` is where it came from in the upload."""

    number: int
    text: str
    heading: int | None = None  # HTML heading level, when the line came from <h1>-<h6>
    page: int | None = None  # the PDF's page it starts on
    term: bool = False  # a term a definition list defines (<dt>): never a heading


def read_source(source: str | bytes) -> str:
    """Return the upload as text with "\\n" line ends, or raise ReportParseError."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        text = _decode(bytes(source))
    elif isinstance(source, str):
        # Every character is at least one byte, so a long string is too big unencoded.
        check_size(len(source))
        check_size(len(source.encode("utf-8", "surrogatepass")))
        if not source.strip():
            raise ReportParseError("The file is empty.")
        _reject_binary(source[:16].encode("latin-1", "replace"), "\x00" in source)
        text = source
    else:
        kind = type(source).__name__
        raise TypeError(f"parse_report() takes str or bytes, not {kind}")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # UTF-16 passes the binary check above, and no database stores a NUL.
    if "\x00" in text:
        raise ReportParseError(
            "The file contains a NUL character (\\x00), which a report's text "
            "never has: save the report's page again, or paste its text."
        )
    if not text.strip():
        raise ReportParseError("The file is empty.")
    if _mostly_control_characters(text[:4096]):
        raise ReportParseError(_NOT_TEXT)
    return text


def text_lines(text: str) -> list[TextLine]:
    return [TextLine(number, line) for number, line in enumerate(text.split("\n"), 1)]


def check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise ReportParseError("The file is larger than 5 MB.")


def _decode(data: bytes) -> str:
    check_size(len(data))
    if not data.strip():
        raise ReportParseError("The file is empty.")
    # UTF-16 is full of NUL bytes, so it has to be recognised before the binary check.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    _reject_binary(data[:16], b"\x00" in data)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReportParseError(
        "The file's characters could not be read: "
        "it is neither UTF-8 nor Windows-1252 text."
    )


def _reject_binary(head: bytes, has_nul: bool) -> None:
    for magic, description in _MAGIC_NUMBERS:
        if head.startswith(magic):
            raise ReportParseError(
                f"This looks like a binary file ({description}), "
                "not a report's text or HTML."
            )
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        raise ReportParseError(
            "This looks like a binary file (WebP image), not a report's text or HTML."
        )
    if has_nul:
        raise ReportParseError(_NOT_TEXT)


def _mostly_control_characters(sample: str) -> bool:
    # A binary file that happens to decode as Windows-1252 is mostly control characters.
    controls = sum(
        1
        for char in sample
        if char not in "\t\n\f\v" and unicodedata.category(char) == "Cc"
    )
    return controls > 8 and controls > len(sample) // 10
