"""Saving a parsed report: the command, the inspectors' page, re-imports and revisions."""

import datetime
import io
import json
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from tracker import services
from tracker.importer import parse_report, walk
from tracker.importing import (
    PCC_RESPONSE_TITLE,
    plan_import,
    planned_actions,
    save_import,
)
from tracker.models import Action, Finding, Force, Inspection, Question

SAMPLE = (
    Path(__file__).resolve().parent.parent
    / "tracker"
    / "data"
    / "west-mercia-peel-2016-effectiveness.txt"
)
REPORTS = Path(__file__).resolve().parent / "reports"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_report", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def import_sample(user=None, text=None):
    raw = text.encode() if text else SAMPLE.read_bytes()
    plan = plan_import(parse_report(raw).to_dict(), Force.objects.get(code="WMP"), raw)
    return plan, (
        save_import(plan, user) if not plan.already_imported else plan.already_imported
    )


def test_the_sample_saves_as_the_report_states_it(db, lead):
    _, inspection = import_sample()
    assert (inspection.programme, inspection.pillar, inspection.published_on) == (
        "PEEL 2016",
        "Effectiveness",
        datetime.date(2017, 3, 2),
    )
    assert inspection.overall_grade == "good"
    assert [q.grade for q in inspection.questions.all()] == [
        "good",
        "requires_improvement",
        "not_stated",
        "not_stated",
        "requires_improvement",
        "not_stated",
    ]
    findings = list(inspection.findings.order_by("order"))
    assert [f.reference for f in findings] == [
        f"WMP-2016-EFF-AFI-{n}" for n in range(1, 6)
    ]
    assert [f.question.order for f in findings] == [2, 2, 4, 5, 5]
    dated = findings[2]
    assert "by 1 May 2017" in dated.text and "• review the extent" in dated.text
    plan = dated.actions.get(parent=None)
    assert (plan.title, plan.deadline, plan.deadline_set_by) == (
        "Produce the action plan",
        datetime.date(2017, 5, 1),
        Action.DeadlineSetBy.INSPECTORATE,
    )
    steps = list(plan.children.order_by("order"))
    assert len(steps) == 3
    assert steps[0].deadline == datetime.date(2017, 6, 1)
    assert steps[0].deadline_wording == "by 1 June 2017"
    assert [s.deadline for s in steps[1:]] == [None, None]
    assert (
        Action.objects.filter(deadline__isnull=False, finding__isnull=False).count()
        == 2
    )
    pcc = Action.objects.get(finding__isnull=True)
    assert pcc.title == PCC_RESPONSE_TITLE
    assert pcc.deadline == datetime.date(2017, 3, 2) + datetime.timedelta(days=56)
    assert pcc.owner == lead


def test_importing_the_same_report_again_creates_nothing(db):
    import_sample()
    before = (
        Inspection.objects.count(),
        Finding.objects.count(),
        Action.objects.count(),
    )
    plan, _ = import_sample()
    assert plan.already_imported is not None
    assert (
        Inspection.objects.count(),
        Finding.objects.count(),
        Action.objects.count(),
    ) == before


def test_a_revised_report_keeps_the_work_on_unchanged_findings(db, lead, owner):
    _, inspection = import_sample()
    first = inspection.findings.get(reference="WMP-2016-EFF-AFI-1")
    action = first.actions.get()
    action = services.action_assign(
        lead,
        action,
        expected_version=action.version,
        owner=owner,
        contributors=[],
        deadline=datetime.date(2030, 1, 1),
    )
    services.action_record_progress(
        owner, action, text="Community survey done.", percent=30
    )
    text = SAMPLE.read_text()
    text = text.replace(
        "to continually improve its problem-solving approach",
        "to keep improving its problem-solving approach",
    )
    text = text.replace(
        "  • The force should engage routinely with partner agencies",
        "  • The force should publish its serious and organised crime profile by 30 June 2017.\n"
        "  • The force should engage routinely with partner agencies",
    )
    plan, _ = import_sample(text=text)
    assert plan.is_revision
    assert (len(plan.unchanged), len(plan.changed), len(plan.new), len(plan.gone)) == (
        4,
        1,
        1,
        0,
    )
    assert plan.changed[0].old.reference == "WMP-2016-EFF-AFI-2"
    first.refresh_from_db()
    action.refresh_from_db()
    assert action.owner == owner and action.updates.count() == 1
    assert inspection.findings.count() == 6
    assert (
        "keep improving" in inspection.findings.get(reference="WMP-2016-EFF-AFI-2").text
    )
    new = inspection.findings.get(reference="WMP-2016-EFF-AFI-6")
    assert new.actions.get().deadline == datetime.date(2017, 6, 30)
    assert Inspection.objects.count() == 1


def test_command_dry_run_prints_the_tree_and_saves_nothing(db):
    out, _ = run(str(SAMPLE), "--dry-run")
    assert (
        "6 questions; 0 causes of concern, 0 recommendations, 5 areas for improvement"
        in out
    )
    assert "[due 2017-05-01: by 1 May 2017 → action plan]" in out
    assert (
        "[due 2017-06-01: by 1 June 2017 → accompanying report for scrutiny by HMIC]"
        in out
    )
    assert "— Requires improvement" in out
    assert not Inspection.objects.exists()


def test_command_json_has_iso_dates(db):
    out, _ = run(str(SAMPLE), "--dry-run", "--json")
    data = json.loads(out)
    assert data["last_updated"] == "2017-03-02"
    assert len(data["questions"]) == 6


def test_command_saves_with_the_force_the_report_names_then_refuses_a_repeat(db):
    _, err = run(str(SAMPLE))
    assert "Saved" in err
    assert Inspection.objects.get().force.code == "WMP"
    out, _ = run(str(SAMPLE), "--force", "West Mercia")
    assert "Already imported" in out
    assert Inspection.objects.count() == 1


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"Just a shopping list\nmilk\neggs\n", "questions"),
    ],
)
def test_command_explains_bad_files_and_saves_nothing(db, tmp_path, content, message):
    path = tmp_path / "report.txt"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run(str(path))
    assert not Inspection.objects.exists()


def test_command_needs_a_known_force(db, tmp_path):
    with pytest.raises(CommandError, match="No force called “Atlantis”"):
        run(str(SAMPLE), "--force", "Atlantis")


def test_import_page_previews_corrects_and_confirms(client, inspector, lead):
    client.force_login(inspector)
    response = client.post(
        "/import/", {"file": SimpleUploadedFile("wm.txt", SAMPLE.read_bytes())}
    )
    assert response.status_code == 302
    preview = client.get(response["Location"])
    body = preview.content.decode()
    assert "by 1 May 2017" in body and "Question 6" in body
    assert not Inspection.objects.exists()  # nothing saved before confirmation
    form = {
        "force": Force.objects.get(code="WMP").pk,
        "q3-grade": "good",
        "q4.1-kind": "recommendation",
        "q4.1.c.1-d0-due": "2017-06-02",
        "confirm": "1",
    }
    done = client.post(response["Location"], form)
    assert done.status_code == 302
    inspection = Inspection.objects.get()
    assert Question.objects.get(inspection=inspection, order=3).grade == "good"
    finding = inspection.findings.get(order=3)
    assert finding.kind == Finding.Kind.RECOMMENDATION
    assert finding.reference == "WMP-2016-EFF-REC-1"
    assert Action.objects.filter(deadline=datetime.date(2017, 6, 2)).exists()


def test_import_page_refuses_a_date_that_does_not_exist(client, inspector):
    client.force_login(inspector)
    text = SAMPLE.read_text().replace("by 1 May 2017", "by 31 April 2017")
    response = client.post("/import/", {"text": text})
    assert response.status_code == 400
    assert "31 April 2017" in response.content.decode()
    assert "line 72" in response.content.decode()


def test_import_page_escapes_markup_from_the_report(client, inspector):
    client.force_login(inspector)
    html = (REPORTS / "peel-2021-22-nested.html").read_bytes()
    response = client.post("/import/", {"file": SimpleUploadedFile("r.html", html)})
    preview = client.get(response["Location"]).content.decode()
    body = preview.split("</head>", 1)[1]
    assert "window.dataLayer" not in body and "injected" not in body  # scripts dropped
    assert "onclick" not in body and "track()" not in body  # event handlers dropped
    assert "<b>" not in body and "answers emergency calls" in body
    assert "Scripts were removed" in body  # and the inspector is told


@pytest.mark.parametrize("who", ["owner", "lead"])
def test_only_inspectors_import(client, db, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/import/").status_code == 403
    assert client.post("/import/", {"text": "x"}).status_code == 403


def test_import_page_rejects_a_file_over_5_mb(client, inspector):
    client.force_login(inspector)
    big = SimpleUploadedFile("big.txt", b"a" * (5 * 1024 * 1024 + 1))
    response = client.post("/import/", {"file": big})
    assert response.status_code == 400
    assert "larger than 5 MB" in response.content.decode()


def test_an_import_waiting_in_one_session_is_invisible_to_another(
    client, inspector, db
):
    from django.test import Client

    from tracker.models import Role, User

    client.force_login(inspector)
    response = client.post(
        "/import/", {"file": SimpleUploadedFile("wm.txt", SAMPLE.read_bytes())}
    )
    colleague = User.objects.create_user(
        "second@hmicfrs.test", "x" * 20, role=Role.INSPECTOR
    )
    other = Client()
    other.force_login(colleague)
    assert other.get(response["Location"]).status_code == 404
    assert other.post(response["Location"], {"confirm": "1"}).status_code == 404
    assert not Inspection.objects.exists()


def test_confirming_without_corrections_invents_no_grade(client, inspector):
    from tracker.importing import find_force

    client.force_login(inspector)
    raw = (REPORTS / "peel-2018-19-integrated.txt").read_bytes()
    parsed = parse_report(raw).to_dict()
    response = client.post("/import/", {"file": SimpleUploadedFile("r.txt", raw)})
    preview = client.get(response["Location"]).content.decode()
    overall = preview.split('id="overall_grade"', 1)[1].split("</select>", 1)[0]
    expected = parsed["overall_grade"] or "not_stated"
    assert f'value="{expected}" selected' in overall
    # Post back exactly what the form shows, as a browser would.
    form = {
        "force": Force.objects.get(code="KEN").pk,
        "overall_grade": expected,
        "confirm": "1",
    }
    for question in parsed["questions"]:
        form[f"q{question['order']}-grade"] = question["grade"]
    client.post(response["Location"], form)
    inspection = Inspection.objects.get()
    assert inspection.overall_grade == expected
    assert [q.grade for q in inspection.questions.all()] == [
        q["grade"] for q in parsed["questions"]
    ]
    assert find_force("Kent") == inspection.force


def test_a_later_revision_never_reuses_a_removed_findings_number(db):
    _, inspection = import_sample()
    text = SAMPLE.read_text()
    second_afi = next(
        line
        for line in text.splitlines()
        if "evaluate and share effective practice" in line
    )
    without = text.replace(second_afi + "\n", "")
    plan, _ = import_sample(text=without)
    assert [f.reference for f in plan.gone] == ["WMP-2016-EFF-AFI-2"]
    assert not inspection.findings.filter(reference="WMP-2016-EFF-AFI-2").exists()
    with_new = without.replace(
        "  • The force should engage routinely with partner agencies",
        "  • The force should publish its serious and organised crime profile.\n"
        "  • The force should engage routinely with partner agencies",
    )
    plan, _ = import_sample(text=with_new)
    assert len(plan.new) == 1
    assert inspection.findings.filter(reference="WMP-2016-EFF-AFI-6").exists()
    assert inspection.findings.count() == 5


def import_report(raw: bytes, force: Force):
    plan = plan_import(parse_report(raw).to_dict(), force, raw)
    return plan, save_import(plan, None)


@pytest.mark.parametrize("cause_changed", [False, True], ids=["same", "reworded"])
def test_a_revision_adds_a_new_recommendation_under_its_cause_of_concern(
    db, cause_changed
):
    """The preview lists it as new, so saving adds it, under the matching cause."""
    force = Force.objects.get(code="KEN")
    text = (REPORTS / "peel-2018-19-integrated.txt").read_text()
    _, inspection = import_report(text.encode(), force)
    cause = inspection.findings.get(
        kind=Finding.Kind.CAUSE_OF_CONCERN, text__contains="first point of"
    )
    before = set(cause.recommendations.values_list("reference", flat=True))
    assert len(before) == 3

    revised = text.replace(
        "3. The force should monitor the quality of its risk assessments.",
        "3. The force should monitor the quality of its risk assessments.\n"
        "4. By 30 June 2019, the force should audit repeat callers' risk assessments.",
    )
    if cause_changed:
        revised = revised.replace("too many of them", "too many vulnerable callers")
    plan, saved = import_report(revised.encode(), force)

    assert saved == inspection and plan.is_revision
    assert [change.text for change in plan.new] == [
        "By 30 June 2019, the force should audit repeat callers' risk assessments."
    ]
    assert len(plan.changed) == int(cause_changed)
    cause.refresh_from_db()
    added = cause.recommendations.exclude(reference__in=before).get()
    assert added.kind == Finding.Kind.RECOMMENDATION
    assert added.question == cause.question
    assert added.actions.get().deadline == datetime.date(2019, 6, 30)
    # Nothing else was added or duplicated.
    assert inspection.findings.count() == len(list(walk(plan.data)))


FIRST_CAUSE = (
    "The force is not consistently identifying vulnerable people at the first point of\n"
    "contact, so too many of them do not get the help they need.\n\n"
    "This puts victims at risk of further harm."
)


def test_a_new_recommendation_worded_like_a_kept_one_is_added_once(db):
    """Matching goes by place in the report, not by wording alone."""
    force = Force.objects.get(code="KEN")
    text = (REPORTS / "peel-2018-19-integrated.txt").read_text()
    _, inspection = import_report(text.encode(), force)
    second_cause = (
        "Cause of concern\n\n"
        "Repeat victims are not identified when they call again.\n\n"
        "Recommendation\n\n"
        "1. The force should monitor the quality of its risk assessments.\n\n"
    )
    revised = text.replace(
        "How efficient is the force", second_cause + "How efficient is the force"
    )
    plan, _ = import_report(revised.encode(), force)
    assert len(plan.new) == 2
    assert inspection.findings.count() == len(list(walk(plan.data)))
    monitoring = inspection.findings.filter(
        text="The force should monitor the quality of its risk assessments."
    )
    assert sorted(f.parent.text[:10] for f in monitoring) == [
        "Repeat vic",
        "The force ",
    ]


def test_a_cause_reworded_beyond_matching_takes_its_kept_recommendations_and_their_work(
    db, lead, owner
):
    force = lead.force  # West Mercia, where the lead may record progress
    text = (REPORTS / "peel-2018-19-integrated.txt").read_text()
    assert FIRST_CAUSE in text
    _, inspection = import_report(text.encode(), force)
    old_cause = inspection.findings.get(
        text__startswith="The force is not consistently"
    )
    recommendations = list(old_cause.recommendations.order_by("order"))
    worked_on = recommendations[2].actions.get()
    services.action_record_progress(lead, worked_on, text="Audit begun.", percent=10)

    revised = text.replace(
        FIRST_CAUSE, "Call handlers miss the risk that callers face, every shift."
    )
    plan, _ = import_report(revised.encode(), force)

    assert [c.text for c in plan.new] == [
        "Call handlers miss the risk that callers face, every shift."
    ]
    assert [f.reference for f in plan.gone] == [old_cause.reference]
    assert not Finding.objects.filter(pk=old_cause.pk).exists()
    new_cause = inspection.findings.get(text__startswith="Call handlers miss")
    # The same three recommendations, same references, now under the new cause.
    assert list(new_cause.recommendations.order_by("order")) == recommendations
    assert worked_on.updates.get().text == "Audit begun."
    assert inspection.findings.count() == len(list(walk(plan.data)))


def test_a_removed_cause_stays_while_work_is_recorded_on_its_recommendations(db, lead):
    force = lead.force  # West Mercia, where the lead may record progress
    text = (REPORTS / "peel-2018-19-integrated.txt").read_text()
    _, inspection = import_report(text.encode(), force)
    cause = inspection.findings.get(text__startswith="The force is not consistently")
    worked_on = cause.recommendations.order_by("order").first().actions.first()
    services.action_record_progress(lead, worked_on, text="Draft done.", percent=50)
    start = text.index("Cause of concern\n\nThe force is not consistently")
    end = text.index("How efficient is the force")
    plan, _ = import_report((text[:start] + text[end:]).encode(), force)
    assert cause in plan.gone and len(plan.gone) == 4
    assert Finding.objects.filter(pk=cause.pk).exists()
    assert worked_on.updates.get().text == "Draft done."


def test_identical_recommendations_under_two_causes_keep_their_own_work(db, lead):
    """When the report reorders two causes, each recommendation stays with its cause."""
    force = lead.force
    text = (REPORTS / "peel-2018-19-integrated.txt").read_text()
    repeat_cause = (
        "Cause of concern\n\n"
        "Repeat victims are not identified when they call again.\n\n"
        "Recommendation\n\n"
        "1. The force should monitor the quality of its risk assessments.\n\n"
    )
    first_cause_at = text.index("Cause of concern\n\nThe force is not consistently")
    original = text.replace(
        "How efficient is the force", repeat_cause + "How efficient is the force"
    )
    _, inspection = import_report(original.encode(), force)
    repeat = inspection.findings.get(text__startswith="Repeat victims")
    worked_on = repeat.recommendations.get().actions.get()
    services.action_record_progress(lead, worked_on, text="Dip sample.", percent=20)

    reordered = text[:first_cause_at] + repeat_cause + text[first_cause_at:]
    plan, _ = import_report(reordered.encode(), force)

    assert (len(plan.new), len(plan.changed), len(plan.gone)) == (0, 0, 0)
    worked_on.refresh_from_db()
    assert worked_on.finding.parent == repeat
    assert inspection.findings.count() == len(list(walk(plan.data)))


# What the preview shows and the inspector corrects is what is saved -----------------

DATED_AFI = "q4.1"  # the AFI with the action plan due by 1 May 2017
FIRST_STEP = "q4.1.c.1"  # its first sub-step, with a report due by 1 June 2017


def preview_form(html: str) -> dict[str, str]:
    """The preview form's fields as a browser would post them, unchanged."""
    from html.parser import HTMLParser

    fields: dict[str, str] = {}

    class Form(HTMLParser):
        select = textarea = None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            name = attrs.get("name")
            if tag == "input" and name and attrs.get("type") not in ("submit",):
                fields[name] = attrs.get("value") or ""
            elif tag == "select":
                self.select = name
                fields.setdefault(name, "")
            elif tag == "option" and self.select:
                if "selected" in attrs or not fields[self.select]:
                    fields[self.select] = attrs.get("value") or ""
            elif tag == "textarea":
                self.textarea = name
                fields[name] = ""

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None
            elif tag == "textarea":
                self.textarea = None

        def handle_data(self, data):
            if self.textarea:
                fields[self.textarea] += data

    Form().feed(html.split("<main", 1)[-1])
    fields.pop("csrfmiddlewaretoken", None)
    # A date's day, month and year boxes as the one date they hold ("2017-05-01",
    # or "" when empty): a test changes the date, and the view reads it (tests of
    # the boxes themselves are in test_date_input and the browser tests).
    for day_box in [name for name in fields if name.endswith("_day")]:
        name = day_box.removesuffix("_day")
        parts = [fields.pop(f"{name}_{part}", "") for part in ("day", "month", "year")]
        fields[name] = (
            f"{int(parts[2]):04d}-{int(parts[1]):02d}-{int(parts[0]):02d}"
            if all(parts)
            else ""
        )
    return fields


def upload(client, text: str | None = None):
    raw = text.encode() if text is not None else SAMPLE.read_bytes()
    response = client.post("/import/", {"file": SimpleUploadedFile("wm.txt", raw)})
    assert response.status_code == 302
    url = response["Location"]
    form = preview_form(client.get(url).content.decode())
    form["force"] = str(Force.objects.get(code="WMP").pk)
    return url, form


def dated_afi(inspection):
    finding = inspection.findings.get(text__contains="by 1 May 2017")
    plan = finding.actions.get(parent=None)
    return finding, plan, list(plan.children.order_by("order"))


def test_a_new_import_with_a_corrected_date_does_not_keep_the_old_wording(
    client, inspector
):
    client.force_login(inspector)
    url, form = upload(client)
    assert form[f"{FIRST_STEP}-d0-due"] == "2017-06-01"  # ISO, as type=date needs
    assert form[f"{FIRST_STEP}-d0-wording"] == "by 1 June 2017"
    form[f"{FIRST_STEP}-d0-due"] = "2017-06-30"
    checked = client.post(url, {**form, "check": "1"})
    assert checked.status_code == 200
    # The preview says what will be saved, and a second round keeps the correction.
    form = {**preview_form(checked.content.decode()), "force": form["force"]}
    assert form[f"{FIRST_STEP}-d0-due"] == "2017-06-30"
    assert "corrected by the inspector" in checked.content.decode()
    assert client.post(url, {**form, "confirm": "1"}).status_code == 302

    _, _, steps = dated_afi(Inspection.objects.get())
    assert steps[0].deadline == datetime.date(2017, 6, 30)
    assert steps[0].deadline_wording == (
        "the report says “by 1 June 2017”; corrected by the inspector"
    )
    page = client.get(steps[0].get_absolute_url()).content.decode()
    assert "30 June 2017 (by 1 June 2017)" not in page
    assert "30 June 2017</time> (the report says “by 1 June 2017”" in page


def test_a_wording_the_inspector_types_is_saved_as_typed(client, inspector):
    client.force_login(inspector)
    url, form = upload(client)
    form[f"{FIRST_STEP}-d0-due"] = "2017-06-30"
    form[f"{FIRST_STEP}-d0-wording"] = "by 30 June 2017"
    assert client.post(url, {**form, "confirm": "1"}).status_code == 302
    _, _, steps = dated_afi(Inspection.objects.get())
    assert (steps[0].deadline, steps[0].deadline_wording) == (
        datetime.date(2017, 6, 30),
        "by 30 June 2017",
    )


def test_a_form_posted_back_unchanged_saves_the_report_as_read(client, inspector):
    client.force_login(inspector)
    url, form = upload(client)
    assert client.post(url, {**form, "confirm": "1"}).status_code == 302
    finding, plan, steps = dated_afi(Inspection.objects.get())
    assert (plan.deadline, plan.deadline_wording) == (
        datetime.date(2017, 5, 1),
        "by 1 May 2017",
    )
    assert steps[0].deadline_wording == "by 1 June 2017"


REVISED_STEP = (
    "review the extent to which the force’s use of this outcome category is "
    "appropriate; and",
    "review in full the extent to which the force’s use of this outcome category "
    "is appropriate; and",
)


def test_a_revision_with_a_corrected_deadline_reaches_the_actions_and_keeps_the_work(
    client, inspector, lead, owner
):
    _, inspection = import_sample()
    finding, plan, steps = dated_afi(inspection)
    plan = services.action_assign(
        lead,
        plan,
        expected_version=plan.version,
        owner=owner,
        contributors=[],
        deadline=plan.deadline,
    )
    services.action_record_progress(owner, plan, text="Plan drafted.", percent=40)
    plan.refresh_from_db()
    status, version = plan.status, plan.version
    actions = Action.objects.count()

    client.force_login(inspector)
    url, form = upload(client, SAMPLE.read_text().replace(*REVISED_STEP))
    assert form[f"{DATED_AFI}-d0-due"] == "2017-05-01"
    form[f"{DATED_AFI}-d0-due"] = "2017-05-08"
    form[f"{DATED_AFI}.c.3-text"] = (
        "take steps to reduce the force’s reliance on this outcome category."
    )
    checked = client.post(url, {**form, "check": "1"}).content.decode()
    # Before and after, side by side, for the changed finding and its actions.
    change = checked.split('class="revision-change', 1)[1].split("</table>", 1)[0]
    assert "<del>1 May 2017</del>" in change and "<ins>8 May 2017</ins>" in change
    assert "<ins>in full</ins>" in change
    assert client.post(url, {**form, "confirm": "1"}).status_code == 302

    assert Inspection.objects.count() == 1 and Action.objects.count() == actions
    finding.refresh_from_db()
    assert "review in full the extent" in finding.text
    plan.refresh_from_db()
    assert plan.deadline == datetime.date(2017, 5, 8)
    assert plan.deadline_wording == (
        "the report says “by 1 May 2017”; corrected by the inspector"
    )
    assert plan.deadline_set_by == Action.DeadlineSetBy.INSPECTORATE
    assert plan.version > version  # a page opened before the revision is refused
    # The work recorded stays as it was.
    assert (plan.owner, plan.status, plan.percent_complete) == (owner, status, 40)
    assert plan.updates.filter(text="Plan drafted.").exists()
    steps = list(plan.children.order_by("order"))
    assert steps[1].description == REVISED_STEP[1]
    assert steps[1].title.startswith("Review in full the extent")
    assert steps[2].description == (
        "take steps to reduce the force’s reliance on this outcome category."
    )
    assert steps[0].deadline == datetime.date(2017, 6, 1)  # not corrected: as it was


def test_a_deadline_corrected_on_an_unchanged_finding_is_saved_too(client, inspector):
    _, inspection = import_sample()
    client.force_login(inspector)
    # The revision changes another finding; the dated one only by the correction.
    revised = SAMPLE.read_text().replace(
        "to continually improve its problem-solving approach",
        "to keep improving its problem-solving approach",
    )
    url, form = upload(client, revised)
    form[f"{DATED_AFI}-d0-due"] = "2017-05-08"
    assert client.post(url, {**form, "confirm": "1"}).status_code == 302
    _, plan, _ = dated_afi(inspection)
    assert plan.deadline == datetime.date(2017, 5, 8)


def test_a_revision_keeps_a_deadline_moved_with_the_inspectorates_approval(
    db, lead, inspector
):
    _, inspection = import_sample()
    _, plan, _ = dated_afi(inspection)
    # Asked for and approved while the date was still ahead.
    with time_machine.travel("2017-04-03 10:00 +0100", tick=False):
        request = services.deadline_change_request(
            lead,
            plan,
            new_deadline=datetime.date(2017, 6, 15),
            reason="The board meets on 14 June.",
        )
        services.deadline_change_decide(inspector, request, approve=True)
    revised = SAMPLE.read_text().replace(*REVISED_STEP)
    plan_, _ = import_sample(text=revised)
    assert len(plan_.changed) == 1
    plan.refresh_from_db()
    assert plan.deadline == datetime.date(2017, 6, 15)
    assert plan.children.order_by("order")[1].description == REVISED_STEP[1]


def test_the_import_preview_refuses_a_force_that_is_not_a_number(client, inspector):
    client.force_login(inspector)
    url, form = upload(client)
    for value in ("abc", "99999999999999999999999"):
        response = client.post(url, {**form, "force": value, "confirm": "1"})
        assert response.status_code == 400
        assert "Choose the force" in response.content.decode()
    assert not Inspection.objects.exists()


def test_the_import_preview_refuses_a_deadline_wording_over_120_characters(
    client, inspector
):
    client.force_login(inspector)
    url, form = upload(client)
    form[f"{FIRST_STEP}-d0-wording"] = "by 1 June 2017 " + "x" * 120
    response = client.post(url, {**form, "confirm": "1"})
    assert response.status_code == 400
    assert "at most 120 characters" in response.content.decode()
    assert not Inspection.objects.exists() and not Action.objects.exists()


def test_a_kind_corrected_on_a_revision_changes_the_finding_and_keeps_its_work(
    client, inspector, lead
):
    _, inspection = import_sample()
    finding, plan, _ = dated_afi(inspection)
    services.action_record_progress(lead, plan, text="Plan begun.", percent=10)
    client.force_login(inspector)
    url, form = upload(client, SAMPLE.read_text().replace(*REVISED_STEP))
    form[f"{DATED_AFI}-kind"] = "recommendation"
    checked = client.post(url, {**form, "check": "1"}).content.decode()
    change = checked.split('class="revision-change', 1)[1].split("</table>", 1)[0]
    assert "<del>Area for improvement</del>" in change
    assert "<ins>Recommendation</ins>" in change
    assert client.post(url, {**form, "confirm": "1"}).status_code == 302
    finding.refresh_from_db()
    assert finding.kind == Finding.Kind.RECOMMENDATION
    assert finding.reference == "WMP-2016-EFF-REC-1"
    assert inspection.findings.count() == 5  # the same finding, not a new one
    assert finding.actions.get(parent=None).updates.get().text == "Plan begun."


def test_an_approved_deadline_move_is_shown_kept_unless_the_inspector_corrects_it(
    client, inspector, lead
):
    _, inspection = import_sample()
    _, plan, _ = dated_afi(inspection)
    with time_machine.travel("2017-04-03 10:00 +0100", tick=False):
        request = services.deadline_change_request(
            lead,
            plan,
            new_deadline=datetime.date(2017, 6, 15),
            reason="The board meets on 14 June.",
        )
        services.deadline_change_decide(inspector, request, approve=True)
    client.force_login(inspector)
    url, form = upload(client, SAMPLE.read_text().replace(*REVISED_STEP))
    page = client.post(url, {**form, "check": "1"}).content.decode()
    change = page.split('class="revision-change', 1)[1].split("</table>", 1)[0]
    assert "kept: it was moved with the inspectorate&#x27;s approval" in change
    form[f"{DATED_AFI}-d0-due"] = "2017-06-30"
    assert client.post(url, {**form, "confirm": "1"}).status_code == 302
    plan.refresh_from_db()
    assert plan.deadline == datetime.date(2017, 6, 30)  # the inspector's, as typed


def test_a_later_revision_shows_the_earlier_correction_it_keeps_and_takes_a_new_one(
    client, inspector
):
    client.force_login(inspector)
    url, form = upload(client)
    form[f"{DATED_AFI}-d0-due"] = "2017-05-08"
    assert client.post(url, {**form, "confirm": "1"}).status_code == 302
    inspection = Inspection.objects.get()

    # A revision with the same published words: the box shows what will be saved.
    revised = SAMPLE.read_text().replace(*REVISED_STEP)
    url, form = upload(client, revised)
    assert form[f"{DATED_AFI}-d0-due"] == "2017-05-08"
    page = client.get(url).content.decode()
    assert (
        "the inspector&#x27;s earlier correction of the report&#x27;s 1 May 2017"
    ) in page
    assert client.post(url, {**form, "confirm": "1"}).status_code == 302
    _, plan, _ = dated_afi(inspection)
    assert plan.deadline == datetime.date(2017, 5, 8)

    # A later revision: the inspector changes the box, and that is saved.
    revised = revised.replace(
        "to continually improve its problem-solving approach",
        "to keep improving its problem-solving approach",
    )
    url, form = upload(client, revised)
    assert form[f"{DATED_AFI}-d0-due"] == "2017-05-08"
    form[f"{DATED_AFI}-d0-due"] = "2017-05-15"
    assert client.post(url, {**form, "confirm": "1"}).status_code == 302
    plan.refresh_from_db()
    assert plan.deadline == datetime.date(2017, 5, 15)
    assert plan.deadline_wording == (
        "the report says “by 1 May 2017”; corrected by the inspector"
    )


def test_putting_back_the_reports_date_over_an_earlier_correction_saves_it(
    client, inspector
):
    client.force_login(inspector)
    url, form = upload(client)
    form[f"{DATED_AFI}-d0-due"] = "2017-05-08"
    assert client.post(url, {**form, "confirm": "1"}).status_code == 302
    url, form = upload(client, SAMPLE.read_text().replace(*REVISED_STEP))
    form[f"{DATED_AFI}-d0-due"] = "2017-05-01"
    checked = client.post(url, {**form, "check": "1"})
    form = {**preview_form(checked.content.decode()), "force": form["force"]}
    assert form[f"{DATED_AFI}-d0-due"] == "2017-05-01"  # the inspector's choice stays
    assert client.post(url, {**form, "confirm": "1"}).status_code == 302
    _, plan, _ = dated_afi(Inspection.objects.get())
    assert (plan.deadline, plan.deadline_wording) == (
        datetime.date(2017, 5, 1),
        "by 1 May 2017",
    )


@pytest.mark.parametrize(
    "field",
    [f"{DATED_AFI}-text", f"{FIRST_STEP}-text", f"{FIRST_STEP}-d0-wording"],
)
def test_the_import_preview_refuses_a_nul_character_in_a_correction(
    client, inspector, field
):
    client.force_login(inspector)
    url, form = upload(client)
    form[field] = form[field][:5] + "\x00" + form[field][5:]
    response = client.post(url, {**form, "confirm": "1"})
    assert response.status_code == 400
    assert "a NUL character" in response.content.decode()
    assert not Inspection.objects.exists() and not Action.objects.exists()


def test_a_report_with_a_nul_character_is_refused_with_a_message(client, inspector):
    client.force_login(inspector)
    text = SAMPLE.read_text().replace("by 1 May 2017", "by 1 May\x00 2017")
    pasted = client.post("/import/", {"text": text})
    assert pasted.status_code == 400
    assert "Null characters are not allowed" in pasted.content.decode()
    for raw in (text.encode(), text.encode("utf-16")):
        uploaded = client.post("/import/", {"file": SimpleUploadedFile("wm.txt", raw)})
        assert uploaded.status_code == 400
        assert (
            "NUL" in uploaded.content.decode() or "binary" in uploaded.content.decode()
        )
    assert not Inspection.objects.exists()


@pytest.mark.parametrize("status", ["signed_off", "withdrawn"])
def test_a_revision_leaves_closed_actions_as_they_were(client, inspector, status):
    _, inspection = import_sample()
    finding, plan, _ = dated_afi(inspection)
    # Closed a week after its deadline.
    Action.objects.filter(pk=plan.pk).update(
        status=status,
        done_on=datetime.date(2017, 5, 8),
        percent_complete=100 if status == "signed_off" else 30,
    )
    plan.refresh_from_db()
    kept = (plan.deadline, plan.deadline_wording, plan.description, plan.version)
    history = plan.history.count()
    client.force_login(inspector)
    url, form = upload(client, SAMPLE.read_text().replace(*REVISED_STEP))
    form[f"{DATED_AFI}-d0-due"] = "2017-04-24"
    form[f"{DATED_AFI}-text"] = form[f"{DATED_AFI}-text"].replace(
        "action plan", "plan of action"
    )
    page = client.post(url, {**form, "check": "1"}).content.decode()
    change = page.split('class="revision-change', 1)[1].split("</table>", 1)[0]
    assert "closed: kept as it was" in change
    assert client.post(url, {**form, "confirm": "1"}).status_code == 302
    finding.refresh_from_db()
    assert "plan of action" in finding.text
    plan.refresh_from_db()
    assert (
        plan.deadline,
        plan.deadline_wording,
        plan.description,
        plan.version,
    ) == kept
    assert plan.history.count() == history
    # Its open sub-steps still follow the report.
    assert plan.children.order_by("order")[1].description == REVISED_STEP[1]


def test_the_import_preview_takes_any_force_id_a_row_can_have(client, inspector):
    wmp = Force.objects.get(code="WMP")
    big = Force.objects.create(
        name="Big Id Police", short_name="Big Id", code="BIG", slug="big-id", pk=10**18
    )
    client.force_login(inspector)
    url, form = upload(client)
    response = client.post(url, {**form, "force": str(big.pk), "check": "1"})
    assert response.status_code == 200, response.content.decode()[:2000]
    assert wmp.pk != big.pk


NO_PUBLICATION_DATE = (
    Path(__file__).parent / "reports" / "corpus" / "letter-no-publication-date.txt"
)


def undated_plan(inspection):
    return {
        action.deadline_wording: action.deadline
        for action in Action.objects.filter(finding__inspection=inspection)
        if action.deadline_wording
        and not action.deadline_wording.startswith("within 56")
    }


def test_a_deadline_counted_from_an_unstated_publication_date_waits_for_it(
    client, inspector
):
    client.force_login(inspector)
    url, form = upload(client, NO_PUBLICATION_DATE.read_text())
    page = client.get(url).content.decode()
    assert "counts from the publication date, which the report does not give" in page
    assert form["published"] == ""
    undated = [key for key in form if key.endswith("-due") and key[0] != "n"]
    assert len(undated) == 3 and all(form[key] == "" for key in undated)

    refused = client.post(url, {**form, "confirm": "1"})
    assert refused.status_code == 400
    assert "“Within three months” in “Make sure that every overdue visit" in (
        refused.content.decode()
    )
    assert not Inspection.objects.exists()

    checked = client.post(url, {**form, "published": "2024-06-12", "check": "1"})
    assert checked.status_code == 200, checked.content.decode()
    form = {**preview_form(checked.content.decode()), "force": form["force"]}
    assert sorted(form[key] for key in undated) == [
        "2024-06-12",
        "2024-09-12",
        "2024-09-12",
    ]
    assert "counted from the publication date you gave, 12 June 2024" in (
        checked.content.decode()
    )
    # A later, different publication date moves what was counted from the first.
    form["published"] = "2024-07-01"
    assert client.post(url, {**form, "confirm": "1"}).status_code == 302
    inspection = Inspection.objects.get()
    assert inspection.published_on == datetime.date(2024, 7, 1)
    assert undated_plan(inspection) == {
        "Within three months": datetime.date(2024, 10, 1),
        "immediately": datetime.date(2024, 7, 1),
    }


def test_a_date_the_inspector_typed_stands_when_the_publication_date_changes(
    client, inspector
):
    client.force_login(inspector)
    url, form = upload(client, NO_PUBLICATION_DATE.read_text())
    undated = sorted(k for k in form if k.endswith("-due") and k[0] != "n")
    form[undated[0]] = "2024-12-24"
    checked = client.post(url, {**form, "published": "2024-06-12", "check": "1"})
    form = {**preview_form(checked.content.decode()), "force": form["force"]}
    assert form[undated[0]] == "2024-12-24"
    form["published"] = "2024-07-01"
    assert client.post(url, {**form, "confirm": "1"}).status_code == 302
    dates = sorted(
        Action.objects.filter(deadline_set_by="inspectorate")
        .exclude(deadline=None)
        .values_list("deadline", flat=True)
    )
    assert datetime.date(2024, 12, 24) in dates
    assert datetime.date(2024, 10, 1) in dates


def test_the_import_preview_refuses_a_publication_date_that_is_not_a_date(
    client, inspector
):
    client.force_login(inspector)
    url, form = upload(client)
    response = client.post(url, {**form, "published": "12/06/2024", "check": "1"})
    assert response.status_code == 400
    assert "The publication date must be a real date." in (response.content.decode())


def test_an_action_inherited_from_a_lead_in_is_titled_by_its_words_not_produce_the():
    data = parse_report(
        "Cause of concern\n\nThe force is not managing offenders.\n\n"
        "Recommendations\n\nBy 30 September 2024, the force should:\n\n"
        "• make sure that every offender has a risk assessment; and\n"
        "• produce an action plan for its backlog.\n"
    ).to_dict()
    (cause,) = data["findings"]
    titles = [planned_actions(r)[0].title for r in cause["recommendations"]]
    assert titles == [
        "Make sure that every offender has a risk assessment",
        "Produce the action plan for its backlog",
    ]


def test_a_letters_findings_under_no_question_show_on_its_inspection_page(
    client, inspector, lead
):
    """A letter has no inspection questions: its cause of concern and recommendations
    are saved under none, and its page shows them (it once showed none of them)."""
    raw = (
        Path(__file__).parent / "reports/corpus/letter-no-publication-date.txt"
    ).read_bytes()
    data = parse_report(raw).to_dict()
    data["published"] = "2024-06-12"
    inspection = save_import(
        plan_import(data, Force.objects.get(code="WMP"), raw), inspector
    )
    findings = list(inspection.findings.order_by("order"))
    assert len(findings) == 4 and not any(f.question_id for f in findings)
    for user in (inspector, lead):
        client.force_login(user)
        page = client.get(inspection.get_absolute_url()).content.decode()
        for finding in findings:
            assert finding.reference in page
            assert finding.text.split()[0] in page
        assert "Findings under no question" in page
