"""The import preview's structural edits, through the page: each a post with its own
button, kept in the session with the inspector's other corrections, and saved on confirm
as the preview shows it."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.test_importing import REPORTS, SAMPLE, import_sample, preview_form, upload
from tracker import services
from tracker.models import Finding, Force, Inspection

DATED_AFI = "q4.1"
EVALUATE = "The force should evaluate and share effective practice routinely"
PROFILE = "The force should take steps to identify those at risk"


def edit(client, url, form, button, **fields):
    """Post the form as the page has it, with one edit's button pressed."""
    return client.post(url, {**form, **fields, "edit": button})


def status_messages(page: str) -> list[str]:
    """The texts of the page's status boxes and notification banners, without markup."""
    return [
        re.sub(r"<[^>]+>", " ", chunk.split(">", 1)[1].split("</div>", 1)[0]).strip()
        for chunk in re.split(
            r'role="status"|class="govuk-notification-banner__content"', page
        )[1:]
    ]


def notice_at(page: str, path: str) -> str:
    """The status box at the top of an item: what the edit that came back to it did."""
    item = page.split(f'id="item-{path}"', 1)[1].split("</div>", 1)[0]
    assert 'role="status"' in item, f"no status box in item {path}"
    return status_messages(item)[0]


def error_box(page: str) -> str:
    return page.split('class="govuk-error-summary"', 1)[1].split("</div>", 1)[0]


def again(client, url) -> tuple[str, dict]:
    page = client.get(url).content.decode()
    form = preview_form(page)
    form["force"] = str(Force.objects.get(code="WMP").pk)
    return page, form


def confirm(client, url, form) -> Inspection:
    response = client.post(url, {**form, "confirm": "1"})
    assert response.status_code == 302, error_box(response.content.decode())
    return Inspection.objects.get()


def texts_by_question(inspection) -> dict:
    out: dict = {}
    for finding in inspection.findings.order_by("order"):
        order = finding.question.order if finding.question else None
        out.setdefault(order, []).append(finding.text.split("\n")[0][:40])
    return out


def test_each_item_shows_its_line_and_a_page_when_the_reading_has_one(
    client, inspector
):
    client.force_login(inspector)
    url, _ = upload(client)
    page = client.get(url).content.decode()
    assert "Area for improvement · line 72" in page
    assert "Sub-step · line 73" in page
    session = client.session
    pending = next(iter(session["report-imports"].values()))
    pending["data"]["questions"][3]["findings"][0]["page"] = 4
    pending["data"]["questions"][4]["findings"][0]["page"] = None
    session.save()
    page = client.get(url).content.decode()
    assert "Area for improvement · page 4, line 72" in page
    assert "Area for improvement · line 96" in page  # page None: not shown
    assert "page None" not in page


def test_a_missed_finding_is_added_where_the_inspector_says_and_saved(
    client, inspector
):
    client.force_login(inspector)
    url, form = upload(client)
    response = edit(
        client,
        url,
        form,
        "add",
        **{
            "new-text": "The force should publish its investigation standards.",
            "new-kind": "area_for_improvement",
            "new-question": "3",
            "new-parent": "none",
            "new-due": "2017-12-31",
            "new-wording": "by the end of 2017",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{url}#item-q3.1"
    page, form = again(client, url)
    assert notice_at(page, "q3.1").startswith(
        "Added the area for improvement “The force should publish its"
    )
    assert "Area for improvement · added in this preview" in page
    assert form["new-text"] == ""  # the box is empty again
    inspection = confirm(client, url, form)
    added = inspection.findings.get(question__order=3)
    assert added.text == "The force should publish its investigation standards."
    action = added.actions.get()
    assert (action.deadline, action.deadline_wording) == (
        datetime.date(2017, 12, 31),
        "by the end of 2017",
    )


def test_a_deleted_finding_is_gone_from_the_page_and_never_saved(client, inspector):
    client.force_login(inspector)
    url, form = upload(client)
    response = edit(client, url, form, "delete:q2.2")
    assert response["Location"] == f"{url}#item-q2.1"
    assert not Inspection.objects.exists()  # nothing saved before confirmation
    page, form = again(client, url)
    [message] = status_messages(page)
    assert notice_at(page, "q2.1") == message
    assert message.startswith("Removed the area for improvement “The force should")
    assert "(line 40). Nothing is saved until you confirm." in message
    assert EVALUATE not in page
    inspection = confirm(client, url, form)
    assert not inspection.findings.filter(text__startswith=EVALUATE).exists()
    assert inspection.findings.count() == 4


def test_a_split_and_a_merge_through_the_page(client, inspector):
    client.force_login(inspector)
    url, form = upload(client)
    text = form[f"{DATED_AFI}-text"]
    cut = text.index("West Mercia Police is one of")
    form[f"{DATED_AFI}-text"] = text[:cut] + "\r\n\r\n" + text[cut:]
    response = edit(client, url, form, f"split:{DATED_AFI}")
    assert response["Location"] == f"{url}#item-q4.1"
    page, form = again(client, url)
    assert notice_at(page, "q4.1").startswith("Split the area for improvement")
    assert client.get(url).content.decode().count('role="status"') == 0  # said once
    assert form["q4.1-text"].endswith("on behalf of victims.")
    assert form["q4.2-d0-wording"] == "by 1 May 2017"
    assert "q4.1-d0-due" not in form  # the deadline went with its words
    # Merge the second of question 5's findings into the first.
    response = edit(client, url, form, "merge:q5.2")
    assert response["Location"] == f"{url}#item-q5.1"
    page, form = again(client, url)
    assert form["q5.1-text"].startswith("The force should engage routinely")
    assert f"organised crime. {PROFILE}" in form["q5.1-text"]
    assert "q5.2-text" not in form
    inspection = confirm(client, url, form)
    found = texts_by_question(inspection)
    assert len(found[4]) == 2 and len(found[5]) == 1
    dated = inspection.findings.get(text__startswith="West Mercia Police is one of")
    plan = dated.actions.get(parent=None)
    assert plan.deadline == datetime.date(2017, 5, 1)
    assert plan.children.count() == 3


def test_a_finding_moved_to_another_question_is_saved_there(client, inspector):
    client.force_login(inspector)
    url, form = upload(client)
    response = edit(client, url, form, "move:q2.2", **{"q2.2-question": "5"})
    assert response["Location"] == f"{url}#item-q5.1"
    page, form = again(client, url)
    assert "to question 5" in "".join(status_messages(page))
    inspection = confirm(client, url, form)
    assert inspection.findings.get(text__startswith=EVALUATE).question.order == 5


def test_the_other_corrections_in_the_boxes_are_kept_with_an_edit(client, inspector):
    client.force_login(inspector)
    url, form = upload(client)
    form["q2.1-text"] = "The force should work with local people. (corrected)"
    form["q2-grade"] = "good"
    edit(client, url, form, "delete:q5.2")
    _, form = again(client, url)
    assert form["q2.1-text"] == "The force should work with local people. (corrected)"
    assert form["q2-grade"] == "good"
    assert "q5.2-text" not in form


@pytest.mark.parametrize(
    "button, fields, message",
    [
        ("add", {"new-text": "  "}, "The text of the finding to add cannot be empty."),
        (
            "add",
            {"new-text": "The force should act.", "new-due": "2017-02-30"},
            "The deadline of the finding to add must be a real date, or leave it empty.",
        ),
        (
            "add",
            {"new-text": "The force should act.", "new-question": "9"},
            "This report has no question “9”",
        ),
        (
            "add",
            {
                "new-text": "The force should act.",
                "new-kind": "recommendation",
                "new-parent": "q2.1",
            },
            "is not one",
        ),
        ("move:q2.2", {"q2.2-question": "12"}, "This report has no question “12”"),
        (
            "move:q2.2",
            {"q2.2-kind": "recommendation", "q2.2-parent": "q2.1"},
            "is not one",
        ),
        ("split:q2.1", {}, "put an empty line in its text"),
        ("merge:q2.1", {}, "there is nothing before it"),
        ("delete:q9.1", {}, "There is no item q9.1"),
        ("rename:q2.1", {}, "That button does nothing here"),
        ("add", {"new-text": "Act.", "new-kind": ""}, "Choose the kind of the finding"),
        ("add", {"new-text": "Act.", "new-question": ""}, "Choose the question"),
        (
            "delete:q2.1",
            {"q4.1-d0-due": "1 May"},
            "the button you pressed changed nothing yet",
        ),
    ],
)
def test_bad_input_is_refused_in_the_error_box_and_keeps_the_corrections(
    client, inspector, button, fields, message
):
    client.force_login(inspector)
    url, form = upload(client)
    form["q4.1.c.2-text"] = "review the use of this outcome category; and"
    if button == "add":
        fields = {"new-kind": "area_for_improvement", "new-question": "2", **fields}
    response = edit(client, url, form, button, **fields)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in error_box(page)
    shown = preview_form(page)
    assert shown["q4.1.c.2-text"] == "review the use of this outcome category; and"
    assert [key for key in shown if key.endswith("-text")] == [
        key for key in form if key.endswith("-text")
    ]  # the structure is as it was
    if button == "add":  # what was typed to add is there to fix
        assert shown["new-text"] == fields["new-text"]
    _, form = again(client, url)
    assert form["q4.1.c.2-text"] == "review the use of this outcome category; and"


def test_an_edit_from_a_page_that_is_out_of_date_is_refused(client, inspector):
    client.force_login(inspector)
    url, old = upload(client)
    assert old["version"] == "0"
    edit(client, url, old, "delete:q2.1")
    # The page from before the delete names q2.1 for what is now q2.2's finding.
    response = edit(client, url, old, "delete:q2.1")
    assert response.status_code == 400
    assert "This page was out of date" in error_box(response.content.decode())
    _, form = again(client, url)
    assert form["version"] == "1"
    assert form["q2.1-text"].startswith(EVALUATE)


def test_a_finding_typed_but_not_added_stops_the_confirmation(client, inspector):
    client.force_login(inspector)
    url, form = upload(client)
    response = client.post(
        url, {**form, "new-text": "The force should act.", "confirm": "1"}
    )
    assert response.status_code == 400
    assert "did not add it" in error_box(response.content.decode())
    assert preview_form(response.content.decode())["new-text"] == (
        "The force should act."
    )
    assert not Inspection.objects.exists()


@pytest.mark.parametrize("who", ["owner", "lead"])
@pytest.mark.parametrize(
    "button", ["add", "delete:q2.1", "split:q2.1", "merge:q2.2", "move:q2.1"]
)
def test_force_users_cannot_edit_an_import(client, inspector, request, who, button):
    client.force_login(inspector)
    url, form = upload(client)
    force_user = Client()
    force_user.force_login(request.getfixturevalue(who))
    response = edit(force_user, url, form, button, **{"new-text": "The force should."})
    assert response.status_code == 403
    _, after = again(client, url)
    assert after["q2.1-text"] == form["q2.1-text"] and "q5.2-text" in after


def test_an_edit_signed_out_goes_to_sign_in_and_changes_nothing(client, inspector):
    client.force_login(inspector)
    url, form = upload(client)
    response = Client().post(url, {**form, "edit": "delete:q2.1"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    _, after = again(client, url)
    assert after["q2.1-text"] == form["q2.1-text"]


def test_a_cause_changed_to_another_kind_says_what_happens_to_its_recommendations(
    client, inspector
):
    client.force_login(inspector)
    raw = (REPORTS / "peel-2021-22-nested.html").read_bytes()
    response = client.post("/import/", {"file": SimpleUploadedFile("r.html", raw)})
    url = response["Location"]
    page, form = again(client, url)
    assert "its 2 recommendations stay recommendations" in page  # said beforehand
    form["q3.1-kind"] = "area_for_improvement"
    checked = client.post(url, {**form, "check": "1"}).content.decode()
    assert (
        "is now an area for improvement: its 2 recommendations stay recommendations,"
        " each on its own after it in question 3." in "".join(status_messages(checked))
    )
    form = {**preview_form(checked), "force": form["force"]}
    assert [key for key in form if key.startswith("q3.") and key.endswith("-text")] == [
        "q3.1-text",
        "q3.2-text",
        "q3.3-text",
    ]
    inspection = confirm(client, url, form)
    saved = inspection.findings.filter(question__order=3).order_by("order")
    assert [(f.kind, f.parent_id) for f in saved] == [
        (Finding.Kind.AREA_FOR_IMPROVEMENT, None),
        (Finding.Kind.RECOMMENDATION, None),
        (Finding.Kind.RECOMMENDATION, None),
    ]


def test_a_recommendation_put_under_a_cause_is_saved_under_it(client, inspector):
    client.force_login(inspector)
    raw = (REPORTS / "peel-2021-22-nested.html").read_bytes()
    response = client.post("/import/", {"file": SimpleUploadedFile("r.html", raw)})
    url = response["Location"]
    _, form = again(client, url)
    response = edit(
        client,
        url,
        form,
        "move:q2.1",
        **{"q2.1-kind": "recommendation", "q2.1-parent": "q3.1"},
    )
    assert response["Location"] == f"{url}#item-q3.1.r.1"  # line 24, before line 43
    _, form = again(client, url)
    inspection = confirm(client, url, form)
    moved = inspection.findings.get(text__startswith="The force should make sure")
    cause = inspection.findings.get(kind=Finding.Kind.CAUSE_OF_CONCERN)
    assert (moved.kind, moved.parent, moved.question) == (
        Finding.Kind.RECOMMENDATION,
        cause,
        cause.question,
    )


def test_a_revision_moves_a_kept_finding_with_its_work(client, inspector, lead, owner):
    _, inspection = import_sample()
    finding = inspection.findings.get(text__startswith=EVALUATE)
    action = finding.actions.get()
    services.action_record_progress(lead, action, text="Reviewed.", percent=10)
    client.force_login(inspector)
    revised = SAMPLE.read_text().replace(
        "to continually improve its problem-solving approach",
        "to keep improving its problem-solving approach",
    )
    url, form = upload(client, revised)
    edit(client, url, form, "move:q2.2", **{"q2.2-question": "5"})
    _, form = again(client, url)
    assert client.post(url, {**form, "confirm": "1"}).status_code == 302
    finding.refresh_from_db()
    assert finding.question.order == 5
    assert finding.actions.get().updates.filter(text="Reviewed.").exists()
    assert Inspection.objects.count() == 1


def test_a_revision_saves_a_cause_made_another_kind_with_its_recommendations_apart(
    client, inspector, lead
):
    raw = (REPORTS / "peel-2021-22-nested.html").read_text()
    client.force_login(inspector)
    url, form = upload(client, raw)
    confirm(client, url, form)
    cause = Finding.objects.get(kind=Finding.Kind.CAUSE_OF_CONCERN)
    kept = list(cause.recommendations.order_by("order"))
    assert len(kept) == 2
    url, form = upload(client, raw.replace("policy.</li>", "policy in full.</li>"))
    form["q3.1-kind"] = "area_for_improvement"
    response = edit(client, url, form, "move:q2.1", **{"q2.1-question": "4"})
    assert response.status_code == 302
    _, form = again(client, url)
    assert client.post(url, {**form, "confirm": "1"}).status_code == 302
    assert Inspection.objects.count() == 1
    cause.refresh_from_db()
    assert cause.kind == Finding.Kind.AREA_FOR_IMPROVEMENT
    for recommendation in kept:
        recommendation.refresh_from_db()
        assert (recommendation.parent, recommendation.question) == (
            None,
            cause.question,
        )
    moved = Finding.objects.get(text__startswith="The force should make sure")
    assert moved.question.order == 4
