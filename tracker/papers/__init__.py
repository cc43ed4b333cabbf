"""The papers as files: a pack drawn as PDF (WeasyPrint, from a template), as
Word (python-docx) and its tables as Excel, from the one reading in `selectors.papers`."""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify

from .pdf import brief_pdf, pack_pdf
from .sheets import brief_xlsx, pack_xlsx
from .word import brief_docx, pack_docx

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def filename(name: str, fmt: str) -> str:
    return f"{slugify(name)}-{timezone.localdate():%Y-%m-%d}.{fmt}"


def download(content: bytes, name: str, fmt: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename(name, fmt)}"'
    return response


def pack_file(pack, fmt: str, request) -> HttpResponse:
    if fmt == "xlsx":
        return pack_xlsx(pack, request, filename(pack.title, fmt))
    content = pack_pdf(pack, request) if fmt == "pdf" else pack_docx(pack, request)
    return download(content, pack.title, fmt)


def brief_file(brief, fmt: str, request) -> HttpResponse:
    if fmt == "xlsx":
        return brief_xlsx(brief, request, filename(brief.title, fmt))
    content = brief_pdf(brief, request) if fmt == "pdf" else brief_docx(brief, request)
    return download(content, brief.title, fmt)


__all__ = ["brief_file", "pack_file"]
