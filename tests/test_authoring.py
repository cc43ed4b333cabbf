"""Findings by hand: an inspector adds, edits and removes findings and types in an inspection."""

import datetime

import pytest

from tests.conftest import make_finding, make_inspection
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


def _edit_form(finding, **changes):
    """The finding's edit form as its page sends it, with `changes` typed in."""
    fields = {
        "reference": finding.reference,
        "kind": finding.kind,
        "question": finding.question_id or "",
        "parent": finding.parent_id or "",
        "text": finding.text,
        "seen": finding.updated_at.isoformat(),
    }
    return {**fields, **changes}


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
        _edit_form(finding, text="The force should improve thing 1 quickly."),
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
    stale = _edit_form(finding, text="Mine.")
    services.finding_edit(
        inspector,
        finding,
        text="Changed meanwhile.",
        reference=finding.reference,
        seen=finding.updated_at,
    )
    url = f"/findings/{finding.pk}/edit/"
    _refused(signed_in.post(url, stale), "changed since your page showed it")
    finding.refresh_from_db()
    seen = finding.updated_at.isoformat()
    _refused(
        signed_in.post(url, _edit_form(finding, text=" ", reference="X-1")),
        "The text of the finding cannot be empty.",
    )
    _refused(
        signed_in.post(
            url, _edit_form(finding, text="Mine.", reference=other_finding.reference)
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
        ({"published_on": "12th Feb"}, "Published on must be a real date"),
        ({"published_on": "2015-02-30"}, "Published on must be a real date"),
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


# A finding's kind, question and cause of concern ------------------------------------


@pytest.fixture
def cause_with_two(inspector, finding):
    """A cause of concern under the finding's question, with two recommendations."""
    inspection, question = finding.inspection, finding.question
    cause = services.finding_add(
        inspector,
        inspection,
        question=question,
        kind=Finding.Kind.CAUSE_OF_CONCERN,
        text="Too few detectives.",
        reference="WMP-2016-EFF-COC-1",
    )
    for n in (1, 2):
        services.finding_add(
            inspector,
            inspection,
            question=question,
            kind=Finding.Kind.RECOMMENDATION,
            text=f"Recruit {n}.",
            reference=f"WMP-2016-EFF-REC-{n}",
            parent=cause,
        )
    return Finding.objects.get(pk=cause.pk)


def test_a_new_kind_takes_a_reference_of_its_kind(signed_in, finding, inspector):
    url = f"/findings/{finding.pk}/edit/"
    page = signed_in.get(url).content.decode()
    assert 'name="kind"' in page and 'name="question"' in page
    _refused(
        signed_in.post(url, _edit_form(finding, kind=Finding.Kind.RECOMMENDATION)),
        "give a recommendation a reference of its kind, such as WMP-2016-EFF-REC-1.",
    )
    finding.refresh_from_db()
    assert finding.kind == Finding.Kind.AREA_FOR_IMPROVEMENT
    response = signed_in.post(
        url,
        _edit_form(
            finding, kind=Finding.Kind.RECOMMENDATION, reference="WMP-2016-EFF-REC-1"
        ),
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert (finding.kind, finding.reference) == ("recommendation", "WMP-2016-EFF-REC-1")
    changes = {
        c["field"]: (c["old"], c["new"]) for c in change_history(finding)[0]["changes"]
    }
    assert changes["kind"] == ("Area for improvement", "Recommendation")
    assert changes["reference"] == ("WMP-2016-EFF-AFI-1", "WMP-2016-EFF-REC-1")
    page = signed_in.get(url).content.decode()
    assert "“Area for improvement” → “Recommendation”" in page


def test_a_cause_of_concern_keeps_its_kind_while_recommendations_are_under_it(
    signed_in, cause_with_two
):
    cause = cause_with_two
    response = signed_in.post(
        f"/findings/{cause.pk}/edit/",
        _edit_form(
            cause,
            kind=Finding.Kind.AREA_FOR_IMPROVEMENT,
            reference="WMP-2016-EFF-AFI-9",
        ),
    )
    _refused(
        response,
        "WMP-2016-EFF-COC-1 cannot become an area for improvement: 2 recommendations"
        " are under it (WMP-2016-EFF-REC-1, WMP-2016-EFF-REC-2). Move them",
    )
    assert 'href="#id_kind_0"' in response.content.decode()  # on the kind field
    cause.refresh_from_db()
    assert (cause.kind, cause.reference) == ("cause_of_concern", "WMP-2016-EFF-COC-1")


def test_a_recommendation_moves_under_another_cause_of_its_question(
    signed_in, cause_with_two, inspector
):
    first = cause_with_two
    second = services.finding_add(
        inspector,
        first.inspection,
        question=first.question,
        kind=Finding.Kind.CAUSE_OF_CONCERN,
        text="Victims wait too long.",
        reference="WMP-2016-EFF-COC-2",
    )
    recommendation = Finding.objects.get(reference="WMP-2016-EFF-REC-2")
    page = signed_in.get(f"/findings/{first.pk}/edit/").content.decode()
    assert f'<option value="{first.pk}"' not in page  # not under itself
    response = signed_in.post(
        f"/findings/{recommendation.pk}/edit/",
        _edit_form(recommendation, parent=second.pk),
    )
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.parent == second
    latest = change_history(recommendation)[0]
    assert latest["record"].history_user == inspector
    assert [(c["field"], c["old"], c["new"]) for c in latest["changes"]] == [
        ("parent", str(first), str(second))
    ]


def test_bad_places_for_a_finding_are_refused_on_their_field(
    signed_in, cause_with_two, finding, other_finding, inspector
):
    cause = cause_with_two
    inspection = cause.inspection
    elsewhere = Question.objects.create(inspection=inspection, text="Q2?", order=9)
    recommendation = Finding.objects.get(reference="WMP-2016-EFF-REC-1")
    cases = [
        # An area for improvement under a cause of concern.
        (finding, {"parent": cause.pk}, "Only a recommendation goes under a cause"),
        # A recommendation under a cause of another question.
        (
            recommendation,
            {"question": elsewhere.pk},
            "WMP-2016-EFF-COC-1 answers another question",
        ),
        # Under a finding that is not a cause of concern, or of another inspection.
        (recommendation, {"parent": finding.pk}, "Choose a cause of concern of this"),
        (
            recommendation,
            {"parent": other_finding.pk},
            "Choose a cause of concern of this",
        ),
        (
            recommendation,
            {"question": other_finding.question_id},
            "Choose one of this inspection&#x27;s questions.",
        ),
        (recommendation, {"kind": "opinion"}, "Choose the kind of finding."),
    ]
    before = list(Finding.objects.values_list("pk", "kind", "question", "parent"))
    for target, change, message in cases:
        _refused(
            signed_in.post(
                f"/findings/{target.pk}/edit/", _edit_form(target, **change)
            ),
            message,
        )
    assert list(Finding.objects.values_list("pk", "kind", "question", "parent")) == (
        before
    )
    # What no form offers, the service refuses too.
    with pytest.raises(services.WorkflowError) as refused:
        services.finding_edit(
            inspector,
            cause,
            text=cause.text,
            reference=cause.reference,
            seen=cause.updated_at,
            parent=cause,
            kind=Finding.Kind.RECOMMENDATION,
        )
    assert refused.value.field in ("parent", "kind")


def test_a_cause_of_concern_takes_its_recommendations_to_its_new_question(
    signed_in, cause_with_two, inspector
):
    cause = cause_with_two
    elsewhere = Question.objects.create(
        inspection=cause.inspection, text="How well does it investigate?", order=9
    )
    page = signed_in.get(f"/findings/{cause.pk}/edit/").content.decode()
    assert "2 recommendations are under it: they move with it" in page
    response = signed_in.post(
        f"/findings/{cause.pk}/edit/", _edit_form(cause, question=elsewhere.pk)
    )
    assert response.status_code == 302
    family = Finding.objects.filter(reference__startswith="WMP-2016-EFF-")
    assert {f.reference: f.question_id for f in family if "AFI" not in f.reference} == {
        "WMP-2016-EFF-COC-1": elsewhere.pk,
        "WMP-2016-EFF-REC-1": elsewhere.pk,
        "WMP-2016-EFF-REC-2": elsewhere.pk,
    }
    moved = Finding.objects.get(reference="WMP-2016-EFF-REC-1")
    latest = change_history(moved)[0]
    assert latest["record"].history_user == inspector
    assert latest["changes"][0]["new"] == "How well does it investigate?"
    # One save for the cause: its history shows the one change, old and new.
    assert [c["field"] for c in change_history(cause)[0]["changes"]] == ["question"]


# Questions and inspections: corrected and removed -------------------------------------


def test_a_question_is_corrected_with_its_history(signed_in, finding, inspector):
    question = finding.question
    url = f"/questions/{question.pk}/edit/"
    page = signed_in.get(url).content.decode()
    assert "Question 1?" in page
    seen = question.updated_at.isoformat()
    _refused(
        signed_in.post(url, {"text": " ", "grade": "good", "seen": seen}),
        "The question cannot be empty.",
    )
    _refused(
        signed_in.post(url, {"text": "Q", "grade": "superb", "seen": seen}),
        "Choose a grade from the list.",
    )
    response = signed_in.post(
        url, {"text": "How well does it?", "grade": "good", "seen": seen}
    )
    assert response["Location"] == finding.inspection.get_absolute_url()
    question.refresh_from_db()
    assert (question.text, question.grade) == ("How well does it?", "good")
    latest = change_history(question)[0]
    assert latest["record"].history_user == inspector
    assert {c["field"]: c["new"] for c in latest["changes"]} == {
        "text": "How well does it?",
        "grade": "Good",
    }
    # The old page is stale now.
    _refused(
        signed_in.post(url, {"text": "Mine", "grade": "good", "seen": seen}),
        "This question changed since your page showed it",
    )
    assert Question.objects.get(pk=question.pk).text == "How well does it?"


def test_a_question_goes_only_once_no_finding_is_under_it(
    signed_in, cause_with_two, inspector
):
    question = cause_with_two.question
    url = f"/questions/{question.pk}/remove/"
    page = signed_in.get(url).content.decode()
    assert "4 findings are under this question" in page
    assert "Remove the question</button>" not in page
    _refused(
        signed_in.post(url, {"seen": question.updated_at.isoformat()}),
        "4 findings are under this question",
    )
    empty = services.question_add(inspector, question.inspection, text="Spare?")
    page = signed_in.get(f"/questions/{empty.pk}/remove/").content.decode()
    assert "No finding is under it" in page
    response = signed_in.post(
        f"/questions/{empty.pk}/remove/", {"seen": empty.updated_at.isoformat()}
    )
    assert response["Location"] == question.inspection.get_absolute_url()
    assert not Question.objects.filter(pk=empty.pk).exists()
    gone = Question.history.get(id=empty.pk, history_type="-")
    assert gone.history_user == inspector


def _details(inspection, **changes):
    fields = {
        "programme": inspection.programme,
        "pillar": inspection.pillar,
        "title": inspection.title,
        "published_on": inspection.published_on.isoformat()
        if inspection.published_on
        else "",
        "overall_grade": inspection.overall_grade,
        "source_reference": inspection.source_reference,
        "seen": inspection.updated_at.isoformat(),
    }
    return {**fields, **changes}


def test_an_inspection_is_corrected_from_its_page(signed_in, finding, inspector):
    inspection = finding.inspection
    page = signed_in.get(inspection.get_absolute_url()).content.decode()
    assert f"/inspections/{inspection.pk}/edit/" in page
    assert f"/inspections/{inspection.pk}/remove/" in page
    assert f"/questions/{finding.question_id}/edit/" in page
    assert f"/questions/{finding.question_id}/remove/" in page
    url = f"/inspections/{inspection.pk}/edit/"
    assert signed_in.get(url).status_code == 200
    for change, message in [
        ({"published_on": "2999-01-01"}, "still to come"),
        ({"published_on": "1 March"}, "Published on must be a real date"),
        ({"title": " "}, "The title cannot be empty."),
        ({"programme": ""}, "The programme cannot be empty."),
        ({"overall_grade": "brilliant"}, "Choose a grade from the list."),
        ({"seen": "2001-01-01T00:00:00+00:00"}, "This inspection changed since"),
    ]:
        _refused(signed_in.post(url, _details(inspection, **change)), message)
    assert Inspection.objects.get(pk=inspection.pk).title == inspection.title
    response = signed_in.post(
        url,
        _details(
            inspection,
            title="PEEL 2016: effectiveness – West Mercia Police",
            overall_grade="good",
            source_reference="https://www.justiceinspectorates.gov.uk/hmicfrs/",
        ),
    )
    assert response["Location"] == inspection.get_absolute_url()
    inspection.refresh_from_db()
    assert (inspection.title, inspection.overall_grade) == (
        "PEEL 2016: effectiveness – West Mercia Police",
        "good",
    )
    latest = change_history(inspection)[0]
    assert latest["record"].history_user == inspector
    assert {c["field"] for c in latest["changes"]} == {
        "title",
        "overall grade",
        "source reference",
    }


def test_an_inspection_goes_only_once_it_has_no_findings(
    signed_in, finding, inspector, force
):
    inspection = finding.inspection
    url = f"/inspections/{inspection.pk}/remove/"
    page = signed_in.get(url).content.decode()
    assert "still has 1 finding:" in page
    _refused(
        signed_in.post(url, {"seen": inspection.updated_at.isoformat()}),
        "still has 1 finding:",
    )
    services.finding_delete(inspector, finding, seen=finding.updated_at)
    page = signed_in.get(url).content.decode()
    assert "its 1 question" in page and "Remove the inspection</button>" in page
    response = signed_in.post(url, {"seen": inspection.updated_at.isoformat()})
    assert response["Location"] == force.get_absolute_url()
    assert not Inspection.objects.filter(pk=inspection.pk).exists()
    assert Inspection.history.get(id=inspection.pk, history_type="-").history_user == (
        inspector
    )
    assert Question.history.filter(history_type="-").get().history_user == inspector


def test_force_people_cannot_correct_questions_or_inspections(
    client, finding, owner, lead, outsider
):
    inspection, question = finding.inspection, finding.question
    urls = [
        f"/inspections/{inspection.pk}/edit/",
        f"/inspections/{inspection.pk}/remove/",
        f"/questions/{question.pk}/edit/",
        f"/questions/{question.pk}/remove/",
    ]
    for person, status in ((owner, 403), (lead, 403), (outsider, 404)):
        client.force_login(person)
        page = client.get(inspection.get_absolute_url())
        for words in ("Edit the inspection", "Edit the question", "Remove the"):
            assert words not in page.content.decode()
        for url in urls:
            assert client.get(url).status_code == status, (person, url)
            assert client.post(url, {}).status_code == status, (person, url)
    assert Inspection.objects.filter(pk=inspection.pk).exists()


# A likely duplicate, added only once confirmed -----------------------------------------


def test_an_inspection_like_one_already_there_is_added_only_once_confirmed(
    signed_in, inspection, force, other_force
):
    typed = {
        "force": force.pk,
        "programme": "PEEL 2016",
        "pillar": "Effectiveness",
        # The same title, typed in another case and with other spaces.
        "title": "  peel: police EFFECTIVENESS 2016 –   west mercia police ",
        "published_on": "2017-03-02",
        "overall_grade": "good",
        "questions": "How effective is it?",
    }
    before = Inspection.objects.count()
    response = signed_in.post("/inspections/new/", typed)
    page = response.content.decode()
    assert response.status_code == 200 and Inspection.objects.count() == before
    assert "This report may be here already" in page
    assert f'href="{inspection.get_absolute_url()}"' in page
    assert 'type="checkbox" name="add_anyway"' in page and "Add it anyway" in page
    # Nothing typed is lost.
    assert "How effective is it?</textarea>" in page
    assert 'value="  peel: police EFFECTIVENESS 2016 –   west mercia police "' in page
    response = signed_in.post("/inspections/new/", {**typed, "add_anyway": "on"})
    assert response.status_code == 302 and Inspection.objects.count() == before + 1


def test_the_same_source_reference_warns_and_another_force_does_not(
    signed_in, force, other_force
):
    address = "https://www.justiceinspectorates.gov.uk/hmicfrs/publications/peel-2016/"
    make_inspection(force, source_reference=address)
    typed = {
        "force": force.pk,
        "programme": "PEEL 2016",
        "title": "Another title",
        "overall_grade": "not_stated",
        "source_reference": f" {address.upper()} ",
    }
    page = signed_in.post("/inspections/new/", typed).content.decode()
    assert "This report may be here already" in page
    # The same report's copy for another force is that force's own.
    response = signed_in.post("/inspections/new/", {**typed, "force": other_force.pk})
    assert response.status_code == 302


def test_the_duplicate_check_is_the_services_own(inspector, inspection):
    with pytest.raises(services.DuplicateInspection) as warned:
        services.inspection_add(
            inspector,
            force=inspection.force,
            programme="PEEL 2016",
            title=inspection.title.upper(),
        )
    assert warned.value.existing == [inspection]
    assert warned.value.field == "add_anyway"
