"""Every page each role can reach, at 1280 px and at 390 px (issue 15).

Signed in with the demo data, a crawler follows every link a person can follow from
their home page (one page of each kind: /actions/7/ and /actions/9/ are one kind),
and on each page checks, at both widths, that axe-core finds no WCAG 2.2 AA
violation and that at 390 px nothing is wider than the screen. Downloads (CSV,
Excel, calendar, evidence) and signing out are left out; of Django's
administration (an administrator's), its index, lists and change pages are visited.
"""

import re
from collections import deque
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.browser_support import AXE, WCAG
from tracker.demo import DEMO_PASSWORD, load_demo

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROLES = {
    "force staff": "officer@westmercia.demo",
    "force lead": "lead@westmercia.demo",
    "inspector": "inspector@hmicfrs.demo",
    "administrator": "admin@hmicfrs.demo",
}
NOT_PAGES = re.compile(
    r"^/evidence/|\.(csv|xlsx|ics|pdf|docx)$|logout|"
    # The API's schema is a file the browser downloads. Its docs page is Swagger
    # UI's markup, not ours (its operations are buttons in buttons, which axe
    # refuses): tests/test_api.py draws it in the browser.
    r"^/api/v1/(schema|docs)/|"
    # Of Django's administration, its index, lists and change pages; its add,
    # delete, history and password forms are Django's own, and a list's every
    # filter is the same page.
    r"^/admin/.*/(add|delete|history|password)/|^/admin/(jsi18n|r)/"
)
SAMPLE = (
    Path(__file__).resolve().parent.parent
    / "tracker/data/west-mercia-peel-2016-effectiveness.txt"
)
ENOUGH = 150  # kinds of page per role; the demo holds fewer


def kind(url: str) -> tuple:
    """/actions/12/?page=2 and /actions/9/?page=3 are one kind of page; so are an
    admin list and the same list filtered."""
    parts = urlsplit(url)
    path = re.sub(r"\d+", "N", parts.path)
    if path.startswith("/admin/"):
        return (path, ())
    return (path, tuple(sorted(k for k, _ in parse_qsl(parts.query))))


def links(page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll("a[href]")]
             .map(a => new URL(a.href, location.href))
             .filter(u => u.origin === location.origin)
             .map(u => u.pathname + u.search)"""
    )


def problems_here(page, width) -> list[str]:
    page.set_viewport_size({"width": width, "height": 900})
    found = []
    if width < 641:
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > width:
            culprit = page.evaluate(
                f"""() => [...document.querySelectorAll("body *")]
                      .filter(el => el.getBoundingClientRect().right > {width} + 1)
                      .map(el => el.tagName.toLowerCase() + (el.className ? "." + String(el.className).split(" ").join(".") : ""))
                      .slice(-3).join(", ")"""
            )
            found.append(f"{wide} px wide at {width} px ({culprit})")
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG,
    )
    found += [
        f"axe at {width} px: {v['id']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['html'][:100]})"
        for v in result["violations"]
    ]
    return found


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_a_role_reaches_passes_axe_and_fits_a_phone(
    browser, live_server, static_files, role
):
    load_demo()
    page = browser.new_context(base_url=live_server.url).new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(ROLES[role])
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")

    axe = AXE.read_text()
    seen, queue, report = {kind("/")}, deque(["/"]), {}
    while queue and len(report) < ENOUGH:
        url = queue.popleft()
        response = page.goto(url)
        assert response is not None
        if response.status != 200:
            report[url] = [f"answered {response.status}"]
            continue
        page.evaluate(axe)
        report[url] = problems_here(page, 1280) + problems_here(page, 390)
        for link in links(page):
            if NOT_PAGES.search(urlsplit(link).path) or kind(link) in seen:
                continue
            seen.add(kind(link))
            queue.append(link)

    if role in ("inspector", "administrator"):
        # The import preview is reached by sending a report, not by a link.
        page.goto("/import/")
        page.get_by_label("Or paste the report's text").fill(SAMPLE.read_text())
        with page.expect_navigation():
            page.get_by_role("button", name="Read the report").click()
        page.evaluate(axe)
        report["the import preview"] = problems_here(page, 1280) + problems_here(
            page, 390
        )

    # The crawl reached the pages a person of this role works in.
    assert len(report) >= 8, sorted(report)
    failures = {url: found for url, found in report.items() if found}
    assert not failures, "\n".join(
        f"{url}: {'; '.join(found)}" for url, found in sorted(failures.items())
    )
