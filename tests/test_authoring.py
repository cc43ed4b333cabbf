"""Findings by hand: an inspector adds, edits and removes findings and types in an inspection."""

import datetime

import pytest

from tests.conftest import make_finding
from tracker import services
from tracker.models import Action, Finding, Inspection, Question
from tracker.selectors import change_history


def _add(client, inspection, **fields):
    return client.post(f"/inspections/{inspection.pk}/findings/new/", fields)


def _form(question, kind, reference, text="The force should do it.", parent=""):
    return {
        "question": question.pk,
        "kind": kind,
        "reference": reference,
        "text": text,
        "parent": parent.pk if parent else "",
    }


@pytest.fixture
def signed_in(client, inspector):
    client.force_login(inspector)
    return client


@pytest.mark.parametrize("kind", Finding.Kind.values)
def test_each_kind_of_finding_is_added_under_its_question(
    signed_in, finding, inspector, kind
):
    inspection, question = finding.inspection, finding.question
    page = signed_in.get(f"/inspections/{inspection.pk}/findings/new/?kind={kind}")
    assert page.status_code == 200
    # The reference offered follows the inspection's pattern.
    code = Finding.KIND_CODES[kind]
    expected = f"WMP-2016-EFF-{code}-{2 if code == 'AFI' else 1}"
    assert f'value="{expected}"' in page.content.decode()
    response = _add(signed_in, inspection, **_form(question, kind, expected))
    added = Finding.objects.get(reference=expected)
    assert response.status_code == 302 and response["Location"] == (
        added.get_absolute_url()
    )
    assert (added.kind, added.question, added.inspection) == (
        kind,
        question,
        inspection,
    )
    assert added.order == finding.order + 1
    assert added.history.get().history_user == inspector
    page = signed_in.get(inspection.get_absolute_url()).content.decode()
    assert expected in page


def test_a_recommendation_goes_under_a_cause_of_concern(
    signed_in, inspection, inspector
):
    question = Question.objects.create(inspection=inspection, text="Q?", order=1)
    cause = services.finding_add(
        inspector,
        inspection,
        question=question,
        kind=Finding.Kind.CAUSE_OF_CONCERN,
        text="Too few detectives.",
        reference="WMP-2016-EFF-COC-1",
    )
    response = _add(
        signed_in,
        inspection,
        **_form(
            question,
            Finding.Kind.RECOMMENDATION,
            "wmp-2016-eff-rec-1",
            parent=cause,
        ),
    )
    assert response.status_code == 302
    recommendation = Finding.objects.get(reference="WMP-2016-EFF-REC-1")
    assert recommendation.parent == cause
    page = signed_in.get(cause.get_absolute_url()).content.decode()
    assert "WMP-2016-EFF-REC-1" in page


def _refused(response, text):
    assert response.status_code == 400
    assert text in response.content.decode()


def test_bad_findings_are_refused_on_their_field_and_nothing_is_saved(
    signed_in, finding, other_finding
):
    inspection, question = finding.inspection, finding.question
    before = Finding.objects.count()
    kind = Finding.Kind.AREA_FOR_IMPROVEMENT
    cases = [
        (_form(question, kind, "WMP-X-1", text="   "), "cannot be empty"),
        (_form(question, kind, finding.reference), "already used in this inspection"),
        (
            _form(question, kind, other_finding.reference),
            f"{other_finding.reference} is already used by",
        ),
        (
            _form(other_finding.question, kind, "WMP-X-2"),
            "Choose one of this inspection&#x27;s questions.",
        ),
        (
            # A parent that is not a cause of concern (an area for improvement).
            _form(question, Finding.Kind.RECOMMENDATION, "WMP-X-3", parent=finding),
            "Choose a cause of concern of this inspection, or none.",
        ),
        (
            _form(
                question, Finding.Kind.RECOMMENDATION, "WMP-X-4", parent=other_finding
            ),
            "Choose a cause of concern of this inspection, or none.",
        ),
        ({**_form(question, "opinion", "WMP-X-5")}, "Choose the kind of finding."),
    ]
    for form, message in cases:
        _refused(_add(signed_in, inspection, **form), message)
    assert Finding.objects.count() == before


def test_the_service_refuses_what_the_form_would_not_offer(inspector, finding):
    inspection = finding.inspection
    other_cause = make_finding(
        Inspection.objects.create(
            force=inspection.force, programme="PEEL 2018", title="Later"
        ),
        kind=Finding.Kind.CAUSE_OF_CONCERN,
    )
    with pytest.raises(services.WorkflowError) as refused:
        services.finding_add(
            inspector,
            inspection,
            question=finding.question,
            kind=Finding.Kind.RECOMMENDATION,
            text="Do it.",
            reference="WMP-Y-1",
            parent=other_cause,
        )
    assert refused.value.field == "parent"
    with pytest.raises(services.WorkflowError) as refused:
        services.finding_add(
            inspector,
            inspection,
            question=other_cause.question,
            kind=Finding.Kind.AREA_FOR_IMPROVEMENT,
            text="Do it.",
            reference="WMP-Y-2",
        )
    assert refused.value.field == "question"


def test_an_edit_shows_in_the_history_with_the_inspectors_name(
    signed_in, finding, inspector
):
    page = signed_in.get(f"/findings/{finding.pk}/edit/")
    assert page.status_code == 200
    response = signed_in.post(
        f"/findings/{finding.pk}/edit/",
        {
            "text": "The force should improve thing 1 quickly.",
            "reference": finding.reference,
            "seen": finding.updated_at.isoformat(),
        },
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.text == "The force should improve thing 1 quickly."
    latest = change_history(finding)[0]
    assert latest["record"].history_user == inspector
    assert latest["changes"][0]["old"] == "The force should improve thing 1."
    page = signed_in.get(f"/findings/{finding.pk}/edit/").content.decode()
    assert f"Changed by {inspector}" in page


def test_an_edit_from_a_stale_page_or_with_bad_input_saves_nothing(
    signed_in, finding, other_finding, inspector
):
    seen = finding.updated_at.isoformat()
    services.finding_edit(
        inspector,
        finding,
        text="Changed meanwhile.",
        reference=finding.reference,
        seen=finding.updated_at,
    )
    url = f"/findings/{finding.pk}/edit/"
    _refused(
        signed_in.post(
            url, {"text": "Mine.", "reference": finding.reference, "seen": seen}
        ),
        "changed since your page showed it",
    )
    finding.refresh_from_db()
    seen = finding.updated_at.isoformat()
    _refused(
        signed_in.post(url, {"text": " ", "reference": "X-1", "seen": seen}),
        "The text of the finding cannot be empty.",
    )
    _refused(
        signed_in.post(
            url, {"text": "Mine.", "reference": other_finding.reference, "seen": seen}
        ),
        "is already used by",
    )
    finding.refresh_from_db()
    assert (finding.text, finding.updated_at.isoformat()) == (
        "Changed meanwhile.",
        seen,
    )


def test_removal_says_what_goes_and_takes_it(signed_in, inspector, inspection):
    question = Question.objects.create(inspection=inspection, text="Q?", order=1)
    cause = services.finding_add(
        inspector,
        inspection,
        question=question,
        kind=Finding.Kind.CAUSE_OF_CONCERN,
        text="Too few detectives.",
        reference="WMP-2016-EFF-COC-1",
    )
    services.finding_add(
        inspector,
        inspection,
        question=question,
        kind=Finding.Kind.RECOMMENDATION,
        text="Recruit.",
        reference="WMP-2016-EFF-REC-1",
        parent=cause,
    )
    url = f"/findings/{cause.pk}/remove/"
    page = signed_in.get(url).content.decode()
    assert "WMP-2016-EFF-REC-1" in page and "Remove WMP-2016-EFF-COC-1" in page
    response = signed_in.post(url, {"seen": cause.updated_at.isoformat()})
    assert response.status_code == 302
    assert response["Location"] == inspection.get_absolute_url()
    assert not Finding.objects.filter(inspection=inspection).exists()
    gone = Finding.history.filter(history_type="-").order_by("history_id")
    assert [(r.reference, r.history_user) for r in gone] == [
        ("WMP-2016-EFF-REC-1", inspector),
        ("WMP-2016-EFF-COC-1", inspector),
    ]


def test_removal_is_refused_while_an_action_has_progress(
    signed_in, finding, action, owner
):
    services.action_record_progress(owner, action, text="Begun", percent=5)
    finding.refresh_from_db()
    url = f"/findings/{finding.pk}/remove/"
    page = signed_in.get(url).content.decode()
    assert "cannot be removed" in page and "work is recorded" in page
    assert f"Remove {finding.reference}</button>" not in page
    response = signed_in.post(url, {"seen": finding.updated_at.isoformat()})
    _refused(response, "work is recorded")
    assert Finding.objects.filter(pk=finding.pk).exists()
    assert Action.objects.filter(pk=action.pk).exists()


def test_a_question_is_added_after_the_others(signed_in, finding):
    inspection = finding.inspection
    url = f"/inspections/{inspection.pk}/questions/new/"
    assert signed_in.get(url).status_code == 200
    _refused(
        signed_in.post(url, {"text": " ", "grade": "good"}),
        "The question cannot be empty.",
    )
    response = signed_in.post(url, {"text": "How well?", "grade": "good"})
    assert response.status_code == 302
    added = inspection.questions.get(text="How well?")
    assert (added.order, added.grade) == (finding.question.order + 1, "good")
    page = signed_in.get(inspection.get_absolute_url()).content.decode()
    assert "How well?" in page and "Add a question" in page


def test_an_inspection_made_by_hand_appears_on_the_force_page(signed_in, force):
    force_page = signed_in.get(force.get_absolute_url()).content.decode()
    assert f"/inspections/new/?force={force.slug}" in force_page
    assert "/inspections/new/" in signed_in.get("/import/").content.decode()
    form = signed_in.get(f"/inspections/new/?force={force.slug}").content.decode()
    assert f'<option value="{force.pk}" selected>' in form
    response = signed_in.post(
        "/inspections/new/",
        {
            "force": force.pk,
            "programme": "PEEL 2014",
            "pillar": "Legitimacy",
            "title": "PEEL: Police legitimacy 2014 – West Mercia",
            "published_on": "2015-02-12",
            "overall_grade": "good",
            "questions": "How fair is the force?\n\nHow ethical is it?\n",
        },
    )
    inspection = Inspection.objects.get(programme="PEEL 2014")
    assert response["Location"] == inspection.get_absolute_url()
    assert inspection.published_on == datetime.date(2015, 2, 12)
    assert list(inspection.questions.values_list("order", "text")) == [
        (1, "How fair is the force?"),
        (2, "How ethical is it?"),
    ]
    page = signed_in.get(force.get_absolute_url()).content.decode()
    assert "PEEL: Police legitimacy 2014 – West Mercia" in page


def test_a_bad_inspection_is_refused_on_its_field(signed_in, force):
    good = {
        "force": force.pk,
        "programme": "PEEL 2014",
        "title": "A title",
        "published_on": "2015-02-12",
        "overall_grade": "good",
    }
    before = Inspection.objects.count()
    cases = [
        ({"force": "999999"}, "Choose the force from the list."),
        ({"force": "west-mercia"}, "Choose the force from the list."),
        ({"published_on": "12th Feb"}, "That is not a date"),
        ({"published_on": "2015-02-30"}, "That is not a date"),
        ({"published_on": "2999-01-01"}, "still to come"),
        ({"title": "  "}, "The title cannot be empty."),
        ({"overall_grade": "brilliant"}, "Choose a grade from the list."),
    ]
    for change, message in cases:
        _refused(signed_in.post("/inspections/new/", {**good, **change}), message)
    assert Inspection.objects.count() == before


def test_force_people_see_no_links_and_are_refused(client, finding, owner, lead):
    for person in (owner, lead):
        client.force_login(person)
        pages = [
            finding.get_absolute_url(),
            finding.inspection.get_absolute_url(),
            finding.force.get_absolute_url(),
        ]
        for url in pages:
            page = client.get(url).content.decode()
            for words in (
                "Add a finding",
                "Add a question",
                "Edit this finding",
                "Remove this finding",
                "by hand",
            ):
                assert words not in page, (person, url, words)
        assert client.get("/inspections/new/").status_code == 403
        assert client.get(f"/findings/{finding.pk}/edit/").status_code == 403


def test_inspectors_see_the_links(signed_in, finding):
    finding_page = signed_in.get(finding.get_absolute_url()).content.decode()
    assert f"/findings/{finding.pk}/edit/" in finding_page
    assert f"/findings/{finding.pk}/remove/" in finding_page
    inspection_page = signed_in.get(
        finding.inspection.get_absolute_url()
    ).content.decode()
    assert (
        f"/inspections/{finding.inspection_id}/findings/new/?question="
        f"{finding.question_id}" in inspection_page
    )
