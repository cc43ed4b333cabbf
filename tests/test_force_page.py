"""A force's page lists its inspections a page at a time, the latest first: a force
gathers more every year, and the page costs the same however many."""

import pytest

from tests.conftest import make_inspection
from tracker.models import Inspection

pytestmark = pytest.mark.django_db


def inspections_listed(page: str) -> list[str]:
    table = page.split('id="inspections"')[1].split("</table>")[0]
    return [
        part.split("<")[0] for part in table.split("PEEL ")[1:] if part[:4].isdigit()
    ]


def test_the_inspections_come_twenty_a_page_the_latest_first(client, lead, force):
    for year in range(2000, 2025):
        make_inspection(force, year=year)
    Inspection.objects.filter(force=force, programme="PEEL 2024").update(
        published_on=None
    )
    client.force_login(lead)
    url = force.get_absolute_url()

    first = client.get(url).content.decode()
    assert "1 to 20 of 25, the latest first." in first
    assert 'aria-label="Pages of inspections"' in first
    years = [int(year[:4]) for year in inspections_listed(first)]
    assert years == sorted(set(years), reverse=True)
    assert (years[0], years[-1], len(set(years))) == (2023, 2004, 20)

    second = client.get(f"{url}?page=2").content.decode()
    assert "21 to 25 of 25, the latest first." in second
    years = [int(year[:4]) for year in inspections_listed(second)]
    # The one with no date comes after every dated one.
    assert list(dict.fromkeys(years)) == [2003, 2002, 2001, 2000, 2024]
    # A page past the last shows the last; nonsense shows the first.
    assert "21 to 25 of 25" in client.get(f"{url}?page=9").content.decode()
    assert "1 to 20 of 25" in client.get(f"{url}?page=x").content.decode()


def test_a_force_with_few_inspections_has_no_pages(client, lead, force):
    make_inspection(force, year=2016)
    client.force_login(lead)
    page = client.get(force.get_absolute_url()).content.decode()
    assert inspections_listed(page)
    assert "the latest first" not in page
    assert "Pages of inspections" not in page
