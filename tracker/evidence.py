"""What may be uploaded as evidence: allow-listed types, checked by content, at most 20 MB."""

from pathlib import PurePath

import filetype
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

EVIDENCE_MAX_BYTES = 20 * 1024 * 1024

# Extension -> the types its content may really be (sniffed from the first bytes).
# Word and Excel files are ZIP (docx, xlsx) or OLE (doc, xls) containers.
_OLE = "application/x-ole-storage"
EVIDENCE_TYPES = {
    ".pdf": {"application/pdf"},
    ".docx": {
        "application/zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    },
    ".doc": {_OLE, "application/msword"},
    ".xlsx": {
        "application/zip",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    },
    ".xls": {_OLE, "application/vnd.ms-excel"},
    ".png": {"image/png"},
    ".jpg": {"image/jpeg"},
    ".jpeg": {"image/jpeg"},
    ".csv": {"text"},
    ".txt": {"text"},
}
ALLOWED_EXTENSIONS = ", ".join(
    sorted(ext.lstrip(".").upper() for ext in EVIDENCE_TYPES)
)


def _sniff(head: bytes) -> str:
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _OLE
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    if b"\x00" in head:
        return "application/octet-stream"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut by the end of the sample is still text.
        if error.start < len(head) - 4:
            try:
                head.decode("cp1252")
            except UnicodeDecodeError:
                return "application/octet-stream"
    return "text"


def check_evidence_file(upload) -> str:
    """Refuse files that are too big or not of an allowed type; return the sniffed type."""
    name = PurePath(upload.name or "").name
    if upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError(
            f"“{name}” is {filesizeformat(upload.size)}; evidence files can be at most 20 MB."
        )
    if upload.size == 0:
        raise ValidationError(f"“{name}” is empty.")
    extension = PurePath(name).suffix.lower()
    if extension not in EVIDENCE_TYPES:
        raise ValidationError(
            f"“{name}” is not an allowed type of evidence. Allowed: {ALLOWED_EXTENSIONS}."
        )
    upload.seek(0)
    sniffed = _sniff(upload.read(2048))
    upload.seek(0)
    if sniffed not in EVIDENCE_TYPES[extension]:
        raise ValidationError(
            f"“{name}” does not contain what its name says ({extension} expected): "
            "it was not accepted."
        )
    return (
        "text/csv"
        if extension == ".csv"
        else "text/plain"
        if sniffed == "text"
        else sniffed
    )
