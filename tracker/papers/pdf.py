"""Packs as tagged PDF (PDF/UA-1), A4, with the marking and page numbers on every page."""

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from .chart import terms_chart

# A pack is drawn from its own text alone: the chart is a data: URL, and nothing
# else (no file on the server, no address on the network) may be fetched.
ONLY_DATA = URLFetcher(allowed_protocols=["data"])


def _pdf(template: str, context: dict, request) -> bytes:
    site = request.build_absolute_uri("/").rstrip("/")
    html = render_to_string(template, {**context, "site": site}, request=request)
    # PDF/UA-1: tagged, with the title and language, so screen readers can read it.
    document = HTML(string=html, base_url=site + "/", url_fetcher=ONLY_DATA)
    return document.write_pdf(pdf_variant="pdf/ua-1")


def pack_pdf(pack, request) -> bytes:
    chart, alt = terms_chart(pack.terms)
    return _pdf(
        "papers/committee_pack.html",
        {"pack": pack, "chart": chart, "chart_alt": alt},
        request,
    )


def brief_pdf(brief, request) -> bytes:
    return _pdf("papers/national_brief.html", {"brief": brief}, request)
