"""The change history says who changed what, when, from what to what."""

import datetime

from tracker import services
from tracker.selectors import change_history


def test_action_history_records_who_changed_what(action, lead, colleague):
    services.action_assign(
        lead,
        action,
        expected_version=action.version,
        owner=colleague,
        contributors=[],
        deadline=datetime.date(2031, 3, 31),
    )
    latest = action.history.latest()
    assert latest.history_user == lead
    entries = change_history(action)
    assert all(entry["record"].history_user == lead for entry in entries)
    changes = {
        change["field"]: (change["old"], change["new"])
        for entry in reversed(entries)  # oldest first, so the newest change wins
        for change in entry["changes"]
    }
    assert changes["deadline"] == ("1 May 2030", "31 March 2031")
    assert changes["owner"] == ("Olive", str(colleague))
    assert changes["contributors"] == ("contributor@westmercia.test", "")
    assert entries[-1]["record"].history_type == "+"


def test_status_moves_are_in_the_history(action, owner):
    services.action_record_progress(owner, action, text="Begun", percent=5)
    record = action.history.latest()
    assert record.status == "in_progress"
    assert record.history_user == owner


def test_finding_history_records_the_inspectors_decision(
    finding, action, owner, lead, inspector
):
    services.action_record_progress(owner, action, text="Begun", percent=5)
    services.action_mark_done(owner, action)
    services.action_sign_off(lead, action)
    services.finding_request_closure(lead, finding, "Delivered")
    services.finding_authorise_closure(inspector, finding, "Agreed")
    record = finding.history.latest()
    assert (record.status, record.history_user) == ("complete", inspector)
    statuses = [
        entry["changes"][0]["new"]
        for entry in change_history(finding)
        if entry["changes"]
    ]
    assert statuses[:2] == ["Complete", "Closure requested"]


def test_each_move_writes_one_history_record(action, owner):
    before = action.history.count()
    services.action_record_progress(owner, action, text="Begun", percent=5)
    services.action_mark_done(owner, action)
    assert action.history.count() == before + 2
