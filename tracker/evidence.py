"""What may be uploaded as evidence: allow-listed types checked by content, and the limits.

The limits (files and links per update, sizes, each force's storage quota) are
settings; the form, the service and the README say the same numbers.
"""

import codecs
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import PurePath
from urllib.parse import urlsplit

import filetype
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.files.uploadhandler import FileUploadHandler
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat

MB = 1024 * 1024
GB = 1024 * MB

# Extension -> the types its content may really be (sniffed from the first bytes).
# Word and Excel files are ZIP (docx, xlsx) or OLE (doc, xls) containers.
_OLE = "application/x-ole-storage"
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EVIDENCE_TYPES = {
    ".pdf": {"application/pdf"},
    ".docx": {"application/zip", _DOCX},
    ".doc": {_OLE, "application/msword"},
    ".xlsx": {"application/zip", _XLSX},
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
# An Office Open XML file is a ZIP whose parts say what it is: the content types
# and the main part's folder. A ZIP holding a web page is not a Word file.
_OFFICE_PACKAGES = {".docx": ("word/", _DOCX), ".xlsx": ("xl/", _XLSX)}
# What a browser would take for a web page if it ever sniffed the file.
_HTML_START = re.compile(
    rb"\s*<(!doctype\s+html|html|head|body|script|iframe|svg)\b", re.IGNORECASE
)


def max_file_bytes() -> int:
    return settings.EVIDENCE_MAX_FILE_MB * MB


def max_update_bytes() -> int:
    return settings.EVIDENCE_MAX_UPDATE_MB * MB


def force_quota_bytes(force) -> int:
    if force.evidence_quota_gb is not None:
        return force.evidence_quota_gb * GB
    return int(settings.EVIDENCE_FORCE_QUOTA_GB * GB)


def max_request_bytes() -> int:
    # The largest request a form can still answer with its own message: every
    # file an update may take at its largest, and the words and links.
    return (
        settings.EVIDENCE_MAX_FILES_PER_UPDATE * max_file_bytes()
        + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    )


class UploadTooLarge(RequestDataTooBig):
    """A request larger than any progress update could be; Django answers 400."""


class RequestSizeLimit(FileUploadHandler):
    """Refuse an oversized upload before reading it, rather than after writing it out."""

    def handle_raw_input(
        self, input_data, META, content_length, boundary, encoding=None
    ):
        if content_length > max_request_bytes():
            raise UploadTooLarge(
                f"The request body ({content_length} bytes) exceeds "
                f"{max_request_bytes()} bytes."
            )

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None


def files_help_text() -> str:
    return (
        f"{ALLOWED_EXTENSIONS}; at most {settings.EVIDENCE_MAX_FILES_PER_UPDATE} files "
        f"and {settings.EVIDENCE_MAX_UPDATE_MB} MB an update, "
        f"{settings.EVIDENCE_MAX_FILE_MB} MB each."
    )


def links_help_text() -> str:
    return (
        "One web address (https://…) per line; at most "
        f"{settings.EVIDENCE_MAX_LINKS_PER_UPDATE} links."
    )


def _is_office_package(upload, extension: str) -> bool:
    folder, _ = _OFFICE_PACKAGES[extension]
    upload.seek(0)
    try:
        # Only the central directory is read: nothing is extracted, so a ZIP
        # bomb costs no more than its own size.
        with zipfile.ZipFile(upload) as package:
            names = package.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        return False
    finally:
        upload.seek(0)
    return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)


def _is_text(upload) -> bool:
    """The whole file is UTF-8 or Windows-1252 text, with no NUL and not a web page."""
    decoders = {
        "utf-8": codecs.getincrementaldecoder("utf-8")(),
        "cp1252": codecs.getincrementaldecoder("cp1252")(),
    }
    start = b""
    upload.seek(0)
    try:
        for chunk in upload.chunks():
            start += chunk[: max(0, 1024 - len(start))]
            if b"\x00" in chunk:
                return False
            for encoding, decoder in list(decoders.items()):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    del decoders[encoding]
            if not decoders:
                return False
    finally:
        upload.seek(0)
    try:
        for decoder in decoders.values():
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        # A UTF-8 file cut in the middle of a character may still be 1252.
        decoders.pop("utf-8")
        if not decoders:
            return False
    return not _HTML_START.match(start.removeprefix(codecs.BOM_UTF8))


def _sniff(upload) -> str:
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _OLE
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    return "text" if _is_text(upload) else "application/octet-stream"


def check_evidence_file(upload) -> str:
    """Refuse files that are too big or not of an allowed type; return the sniffed type."""
    name = PurePath(upload.name or "").name
    if upload.size > max_file_bytes():
        raise ValidationError(
            f"“{name}” is {filesizeformat(upload.size)}; evidence files can be at most "
            f"{settings.EVIDENCE_MAX_FILE_MB} MB."
        )
    if upload.size == 0:
        raise ValidationError(f"“{name}” is empty.")
    extension = PurePath(name).suffix.lower()
    if extension not in EVIDENCE_TYPES:
        raise ValidationError(
            f"“{name}” is not an allowed type of evidence. Allowed: {ALLOWED_EXTENSIONS}."
        )
    sniffed = _sniff(upload)
    if sniffed not in EVIDENCE_TYPES[extension] or (
        extension in _OFFICE_PACKAGES and not _is_office_package(upload, extension)
    ):
        raise ValidationError(
            f"“{name}” does not contain what its name says ({extension} expected): "
            "it was not accepted."
        )
    if extension in _OFFICE_PACKAGES:
        return _OFFICE_PACKAGES[extension][1]
    return (
        "text/csv"
        if extension == ".csv"
        else "text/plain"
        if sniffed == "text"
        else sniffed
    )


def check_evidence_files(uploads: Sequence) -> dict[int, str]:
    """Check one update's files together and each alone; map id(upload) to its type.

    Every problem is reported at once, so that a person fixes them in one go.
    """
    limit = settings.EVIDENCE_MAX_FILES_PER_UPDATE
    if len(uploads) > limit:
        raise ValidationError(
            f"You chose {len(uploads)} files; an update can have at most {limit} files."
            " Choose fewer, or spread them over more than one update."
        )
    total = sum(upload.size for upload in uploads)
    if total > max_update_bytes():
        raise ValidationError(
            f"These files come to {filesizeformat(total)}; an update can have at most "
            f"{settings.EVIDENCE_MAX_UPDATE_MB} MB in total."
        )
    checked, errors = {}, []
    for upload in uploads:
        try:
            checked[id(upload)] = check_evidence_file(upload)
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return checked


def storage_used(force_id: int) -> int:
    """Bytes of evidence files stored for a force's actions."""
    from .models import Evidence

    used = Evidence.objects.filter(update__action__force_id=force_id).aggregate(
        used=Sum("size")
    )["used"]
    return used or 0


def recount_storage(force_id: int) -> int:
    """Count the force's stored evidence again and keep the figure on the force.

    Pages show the kept figure: summing a force's evidence grows with its years
    of history (50 ms at national scale), while an upload, which counts anyway
    under the force's lock, is rare. Counting rather than adding corrects any
    drift, such as files deleted with an action in the admin.
    """
    from .models import Force

    used = storage_used(force_id)
    Force.objects.filter(pk=force_id).update(evidence_bytes=used)
    return used


def check_force_quota(force, uploads: Sequence) -> None:
    adding = sum(upload.size for upload in uploads)
    if not adding:
        return
    used, quota = storage_used(force.pk), force_quota_bytes(force)
    if used + adding > quota:
        raise ValidationError(
            f"Your force’s evidence storage is full: {filesizeformat(used)} of "
            f"{filesizeformat(quota)} is used, and these files need "
            f"{filesizeformat(adding)}. Give a link to where the document is kept "
            "instead, or ask the tracker's administrator for more room."
        )


def _shortened(link: str) -> str:
    return link if len(link) <= 60 else f"{link[:57]}…"


def check_links(lines: Iterable[str]) -> list[str]:
    """The non-blank lines as links, each a full http(s) address with a host.

    Messages name the line (counted as given, blank lines included).
    """
    numbered = [
        (number, line.strip())
        for number, line in enumerate(lines, start=1)
        if line and line.strip()
    ]
    from .models import Evidence

    max_length = Evidence._meta.get_field("link").max_length
    limit = settings.EVIDENCE_MAX_LINKS_PER_UPDATE
    if len(numbered) > limit:
        raise ValidationError(
            f"You gave {len(numbered)} links; an update can have at most {limit} links."
        )
    errors = []
    for number, link in numbered:
        where = f"Line {number} (“{_shortened(link)}”)"
        if len(link) > max_length:
            errors.append(
                f"{where} is {len(link):,} characters long; a link can be at most "
                f"{max_length:,} characters."
            )
            continue
        try:
            parts = urlsplit(link)
            parts.port  # noqa: B018 - raises ValueError for a port out of range
        except ValueError:
            errors.append(f"{where} is not a valid web address.")
            continue
        if parts.scheme.lower() not in ("http", "https"):
            errors.append(
                f"{where} is not a web address: links start with https:// (or http://)."
            )
        elif not parts.hostname or any(ord(c) < 32 or ord(c) == 127 for c in link):
            errors.append(f"{where} is not a valid web address.")
    if errors:
        raise ValidationError(errors)
    return [link for _, link in numbered]
