"""The closure evidence pack: on the finding page of the inspector deciding a closure
request, every action's last update, evidence, done date against deadline and sign-off."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tracker import services
from tracker.models import Finding

DEADLINE = datetime.date(2030, 3, 31)


def finish(owner, lead, finding, title, *, done_on, signer=None, files=()):
    action = services.action_create(
        lead, finding=finding, title=title, owner=owner, deadline=DEADLINE
    )
    services.action_record_progress(
        owner, action, text=f"{title}: the work, described.", files=list(files)
    )
    with time_machine.travel(datetime.datetime.combine(done_on, datetime.time(12))):
        services.action_mark_done(owner, action, f"{title}: delivered.")
    services.action_sign_off(signer or lead, action, "Checked against the plan.")
    return action


@pytest.fixture
def requested(finding, owner, lead):
    """A finding whose three actions are signed off, one late and one by its own owner."""
    owner_lead = lead
    on_time = finish(
        owner,
        lead,
        finding,
        "Publish the plan",
        done_on=datetime.date(2030, 3, 1),
        files=[SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan", "application/pdf")],
    )
    late = finish(
        owner, lead, finding, "Train the teams", done_on=datetime.date(2030, 4, 4)
    )
    own = services.action_create(
        lead, finding=finding, title="Report to the board", owner=owner_lead
    )
    services.action_record_progress(lead, own, text="Board paper written.")
    services.action_mark_done(lead, own, "Presented.")
    services.action_sign_off(lead, own, "")
    services.finding_request_closure(lead, finding, "All three actions are done.")
    return {"on_time": on_time, "late": late, "own": own}


def test_the_inspector_reads_every_actions_evidence_in_the_pack(
    client, inspector, finding, requested
):
    client.force_login(inspector)
    page = client.get(finding.get_absolute_url()).content.decode()
    pack = page[page.index('id="closure-pack"') :]
    assert f"Closure evidence pack: {finding.reference}" in pack
    for title in ("Publish the plan", "Train the teams", "Report to the board"):
        assert title in pack
    assert "Publish the plan: delivered." in pack  # the last word on the work
    assert "plan.pdf" in pack
    assert "1 March 2030, deadline 31 March 2030 (on time)" in pack
    assert (
        "4 April 2030, deadline 31 March 2030 <strong>(late: 4 days after the deadline)"
        in pack
    )
    assert "(self sign-off: its own owner; no one else checked the work)" in pack
    assert "Checked against the plan." in pack


def test_only_the_inspector_deciding_sees_the_pack(
    client, lead, owner, outsider, finding, requested
):
    for person in (lead, owner):
        client.force_login(person)
        page = client.get(finding.get_absolute_url()).content.decode()
        assert 'id="closure-pack"' not in page
    client.force_login(outsider)
    assert client.get(finding.get_absolute_url()).status_code == 404


def test_no_pack_once_the_request_is_decided(client, inspector, finding, requested):
    services.finding_authorise_closure(inspector, finding, "Done.")
    client.force_login(inspector)
    page = client.get(finding.get_absolute_url()).content.decode()
    assert Finding.objects.get(pk=finding.pk).status == Finding.Status.COMPLETE
    assert 'id="closure-pack"' not in page


def test_the_pack_costs_the_same_queries_for_three_or_twelve_actions(
    client, inspector, owner, lead, finding, inspection
):
    from tests.conftest import make_finding

    counts = []
    for number, size in ((5, 3), (6, 12)):
        other = make_finding(inspection, number=number)
        for n in range(size):
            finish(owner, lead, other, f"Step {n}", done_on=datetime.date(2030, 3, 1))
        services.finding_request_closure(lead, other, "Done.")
        client.force_login(inspector)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(other.get_absolute_url()).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
