"""The action and finding pages as force staff, force leads and inspectors use them."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tracker import services
from tracker.models import (
    Action,
    DeadlineChangeRequest,
    Evidence,
    Finding,
    ProgressUpdate,
)

PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def post_update(client, action, **data):
    data.setdefault("text", "Met the partnership board.")
    # What a page opened just now carries: the action's current version.
    data.setdefault("version", Action.objects.get(pk=action.pk).version)
    return client.post(f"/actions/{action.pk}/updates/", data)


def test_owner_adds_an_update_with_a_file_and_a_link(
    client, owner, action, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    client.force_login(owner)
    response = post_update(
        client,
        action,
        percent_complete="40",
        files=[SimpleUploadedFile("Board minutes.pdf", PDF, "application/pdf")],
        links="https://example.org/minutes\n",
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.percent_complete) == ("in_progress", 40)
    files = Evidence.objects.exclude(file="")
    assert [e.original_name for e in files] == ["Board_minutes.pdf"]
    assert files[0].content_type == "application/pdf"
    assert not files[0].file.name.endswith(
        "Board_minutes.pdf"
    )  # stored under a random name
    assert Evidence.objects.filter(link="https://example.org/minutes").exists()
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Board_minutes.pdf" in page and "Met the partnership board." in page


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("virus.exe", b"MZ\x90\x00", "not an allowed type"),
        ("fake.pdf", PNG, "does not contain what its name says"),
        ("empty.txt", b"", "is empty"),
    ],
)
def test_a_rejected_file_is_explained_and_the_text_is_kept(
    client, owner, action, name, content, message
):
    client.force_login(owner)
    response = post_update(
        client,
        action,
        text="Draft plan written.",
        percent_complete="30",
        files=[SimpleUploadedFile(name, content)],
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "Draft plan written." in body  # kept for resubmission
    assert 'value="30"' in body
    assert not ProgressUpdate.objects.filter(action=action).exists()


def test_a_file_over_20_mb_is_refused(client, owner, action):
    client.force_login(owner)
    big = SimpleUploadedFile("big.txt", b"a" * (20 * 1024 * 1024 + 1), "text/plain")
    response = post_update(client, action, files=[big])
    assert response.status_code == 400
    assert "at most 20 MB" in response.content.decode()
    assert not Evidence.objects.exists()


def test_percent_outside_range_gets_a_message(client, owner, action):
    client.force_login(owner)
    response = post_update(client, action, percent_complete="120")
    assert response.status_code == 400
    assert "less than or equal to 100" in response.content.decode()


def test_user_text_is_escaped(client, owner, action):
    client.force_login(owner)
    post_update(client, action, text="<script>alert('x')</script>")
    body = client.get(action.get_absolute_url()).content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert" in body


def move(client, action, name, text):
    """A workflow move from the action's page as it reads now."""
    version = Action.objects.get(pk=action.pk).version
    return client.post(
        f"/actions/{action.pk}/{name}/", {"text": text, "version": version}
    )


def test_the_whole_action_workflow_through_the_pages(client, owner, lead, action):
    client.force_login(owner)
    post_update(client, action, percent_complete="80")
    assert move(client, action, "mark-done", "Published.").status_code == 302
    client.force_login(lead)
    response = move(client, action, "return", "")
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    move(client, action, "return", "Add the survey results.")
    action.refresh_from_db()
    assert action.status == Action.Status.IN_PROGRESS
    client.force_login(owner)
    move(client, action, "mark-done", "Survey added.")
    client.force_login(lead)
    assert move(client, action, "sign-off", "").status_code == 302
    action.refresh_from_db()
    assert action.status == Action.Status.SIGNED_OFF


def test_a_move_the_role_does_not_allow_is_forbidden(client, owner, colleague, action):
    client.force_login(colleague)
    assert (
        client.post(f"/actions/{action.pk}/updates/", {"text": "x"}).status_code == 403
    )
    client.force_login(owner)
    assert (
        client.post(f"/actions/{action.pk}/sign-off/", {"text": ""}).status_code == 403
    )
    assert (
        client.post(f"/actions/{action.pk}/withdraw/", {"text": "no"}).status_code
        == 403
    )
    assert client.post(f"/actions/{action.pk}/explode/", {}).status_code == 404


def test_an_illegal_move_shows_why(client, owner, action):
    client.force_login(owner)
    response = move(client, action, "mark-done", "")
    assert response.status_code == 400
    assert (
        "Record progress on this action before marking it done"
        in response.content.decode()
    )


def test_the_pages_show_only_the_buttons_the_role_allows(
    client, owner, lead, inspector, action
):
    client.force_login(owner)
    body = client.get(action.get_absolute_url()).content.decode()
    assert (
        "Save update" in body
        and "Sign off" not in body
        and "Withdraw the action" not in body
    )
    client.force_login(lead)
    body = client.get(action.get_absolute_url()).content.decode()
    assert "Withdraw the action" in body and "Assign owner" in body
    client.force_login(inspector)
    body = client.get(action.get_absolute_url()).content.decode()
    assert "Save update" not in body and "Withdraw the action" not in body


def test_assignment_conflict_is_refused_with_what_changed(
    client, lead, colleague, contributor, action
):
    client.force_login(lead)
    page = client.get(f"/actions/{action.pk}/assign/")
    version = page.context["form"].initial["version"]
    first = client.post(
        f"/actions/{action.pk}/assign/",
        {"owner": colleague.pk, "deadline": "2031-01-31", "version": version},
    )
    assert first.status_code == 302
    second = client.post(
        f"/actions/{action.pk}/assign/",
        {"owner": contributor.pk, "deadline": "2032-01-31", "version": version},
    )
    assert second.status_code == 409
    body = second.content.decode()
    # Named from the version the page showed, not the row this request loaded.
    assert (
        "Someone else changed this action while you were editing it (owner, deadline)"
        in body
    )
    action.refresh_from_db()
    assert (action.owner, action.deadline) == (colleague, datetime.date(2031, 1, 31))


def test_owner_from_another_force_cannot_be_chosen(client, lead, outsider, action):
    client.force_login(lead)
    response = client.post(
        f"/actions/{action.pk}/assign/",
        {"owner": outsider.pk, "version": action.version},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_deadline_change_is_asked_by_the_lead_and_decided_by_an_inspector(
    client, lead, inspector, finding, owner
):
    action = services.action_create(
        inspector,
        finding=finding,
        title="Action plan",
        owner=owner,
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        deadline_set_by=Action.DeadlineSetBy.INSPECTORATE,
    )
    new_deadline = timezone.localdate() + datetime.timedelta(days=60)
    client.force_login(lead)
    response = client.post(
        f"/actions/{action.pk}/deadline-change/",
        {"new_deadline": str(new_deadline), "reason": "Awaiting national guidance."},
    )
    assert response.status_code == 302
    change = DeadlineChangeRequest.objects.get()
    client.force_login(inspector)
    refused = client.post(
        f"/deadline-changes/{change.pk}/decide/", {"decision": "refuse", "comment": ""}
    )
    assert refused.status_code == 302
    change.refresh_from_db()
    assert (
        change.status == DeadlineChangeRequest.Status.PENDING
    )  # refusal needs a comment
    client.post(
        f"/deadline-changes/{change.pk}/decide/",
        {"decision": "approve", "comment": "Agreed."},
    )
    action.refresh_from_db()
    assert action.deadline == new_deadline
    assert action.deadline_set_by == Action.DeadlineSetBy.INSPECTORATE


def test_evidence_downloads_only_for_those_who_may_see_it(
    client, owner, outsider, inspector, action, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    services.action_record_progress(
        owner,
        action,
        text="Minutes",
        files=[SimpleUploadedFile("minutes.pdf", PDF, "application/pdf")],
    )
    evidence = Evidence.objects.get()
    url = f"/evidence/{evidence.pk}/"
    client.force_login(owner)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert 'attachment; filename="minutes.pdf"' in response["Content-Disposition"]
    client.force_login(inspector)
    assert client.get(url).status_code == 200
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_closure_through_the_finding_page(
    client, owner, lead, inspector, action, finding
):
    services.action_record_progress(owner, action, text="Done", percent=100)
    services.action_mark_done(owner, action)
    services.action_sign_off(lead, action)
    client.force_login(lead)
    response = client.post(f"/findings/{finding.pk}/request-closure/", {"text": ""})
    assert response.status_code == 400
    client.post(
        f"/findings/{finding.pk}/request-closure/",
        {"text": "Plan delivered; minutes attached."},
    )
    client.force_login(inspector)
    client.post(
        f"/findings/{finding.pk}/decline-closure/", {"text": "Show the impact."}
    )
    finding.refresh_from_db()
    assert finding.status == Finding.Status.BEING_PROGRESSED
    client.force_login(lead)
    client.post(
        f"/findings/{finding.pk}/request-closure/", {"text": "Impact report attached."}
    )
    client.force_login(inspector)
    client.post(f"/findings/{finding.pk}/authorise-closure/", {"text": ""})
    finding.refresh_from_db()
    assert finding.status == Finding.Status.COMPLETE
    timeline = client.get(finding.get_absolute_url()).content.decode()
    for words in [
        "Show the impact.",
        "Impact report attached.",
        "Closure authorised",
        "(HMICFRS)",
    ]:
        assert words in timeline


def test_supersede_through_the_finding_page(client, inspector, finding, force):
    from tests.conftest import make_finding, make_inspection

    later = make_finding(make_inspection(force, year=2019), number=4)
    client.force_login(inspector)
    response = client.post(
        f"/findings/{finding.pk}/supersede/", {"reference": "NOPE-1"}
    )
    assert response.status_code == 400
    assert "has the reference NOPE-1" in response.content.decode()
    client.post(
        f"/findings/{finding.pk}/supersede/", {"reference": later.reference.lower()}
    )
    finding.refresh_from_db()
    assert finding.superseded_by == later


def test_home_lists_my_open_work_in_bands_with_counts_and_the_first_ten_of_each(
    client, owner, colleague, lead, finding, other_action
):
    """Bands by deadline, each counted in full and listed soonest first, ten at most."""
    today = timezone.localdate()

    def make(title, deadline, **extra):
        return Action.objects.create(
            force=finding.force,
            inspection=finding.inspection,
            finding=finding,
            title=title,
            deadline=deadline,
            owner=extra.pop("owner", owner),
            **extra,
        )

    for n in range(12):  # overdue, the most overdue first
        make(f"Overdue {n:02}", today - datetime.timedelta(days=40 - n))
    make("Due soon", today + datetime.timedelta(days=3))
    helped = make("Colleague's, I help", today + datetime.timedelta(days=5))
    helped.contributors.add(owner)
    for n in range(10):
        make(f"Later {n:02}", today + datetime.timedelta(days=100 + n))
    make("Undated", None)
    make(
        "Finished",
        today - datetime.timedelta(days=3),
        status="signed_off",
        percent_complete=100,
    )
    make("Not mine", today - datetime.timedelta(days=3), owner=colleague)

    client.force_login(owner)
    response = client.get("/")
    context = response.context
    assert (
        context["overdue_count"],
        context["due_soon_count"],
        context["later_count"],
    ) == (12, 2, 11)
    assert [a.title for a in context["overdue"]] == [
        f"Overdue {n:02}" for n in range(10)
    ]
    assert [a.title for a in context["due_soon"]] == ["Due soon", "Colleague's, I help"]
    # The undated action is the eleventh of its band, so it is counted, not listed.
    assert [a.title for a in context["later"]] == [f"Later {n:02}" for n in range(10)]
    page = response.content.decode()
    assert "Overdue (12)" in page and "Later or undated (11)" in page
    assert "See all 25 of your open actions" in page
    # ... on a list that counts them the same way: owned or helped with.
    assert "/actions/?mine=on&amp;status=not_started&amp;status=in_progress" in page
    assert "Not mine" not in page and "Finished" not in page
    assert other_action.title not in page


def page_version(client, action) -> int:
    """The version the action page's forms carry, as a browser would send it back."""
    import re

    body = client.get(action.get_absolute_url()).content.decode()
    versions = set(re.findall(r'name="version" value="(\d+)"', body))
    assert len(versions) == 1, versions
    return int(versions.pop())


def test_a_stale_progress_page_is_refused_keeping_what_was_typed(
    client, owner, lead, action
):
    client.force_login(lead)
    seen = page_version(client, action)
    client.force_login(owner)
    assert (
        post_update(client, action, percent_complete="80", version=seen).status_code
        == 302
    )
    client.force_login(lead)
    response = post_update(
        client,
        action,
        text="Chased the owner for the plan.",
        percent_complete="30",
        links="https://example.org/plan\n",
        files=[SimpleUploadedFile("notes.txt", b"notes", "text/plain")],
        version=seen,
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed this action" in body
    assert "now 80% complete" in body
    assert "Chased the owner for the plan." in body  # kept for resubmission
    assert "https://example.org/plan" in body
    assert "choose the files again" in body
    action.refresh_from_db()
    assert action.percent_complete == 80
    assert action.updates.count() == 1
    # Sent again from the page that showed the conflict, it is saved.
    resent = post_update(
        client,
        action,
        text="Chased the owner for the plan.",
        percent_complete="30",
        version=response.context["update_form"]["version"].value(),
    )
    assert resent.status_code == 302
    action.refresh_from_db()
    assert action.percent_complete == 30


def test_a_move_from_a_stale_page_is_refused_with_a_clear_message(
    client, owner, lead, action
):
    client.force_login(lead)
    seen = page_version(client, action)
    client.force_login(owner)
    post_update(client, action, percent_complete="80", version=seen)
    client.force_login(lead)
    response = client.post(
        f"/actions/{action.pk}/withdraw/",
        {"text": "No longer needed.", "version": seen},
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed this action" in body and "No longer needed." in body
    action.refresh_from_db()
    assert action.status == Action.Status.IN_PROGRESS


def test_a_deadline_change_for_a_past_date_is_refused_on_the_field(
    client, lead, inspector, finding, owner
):
    action = services.action_create(
        inspector,
        finding=finding,
        title="Action plan",
        owner=owner,
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        deadline_set_by=Action.DeadlineSetBy.INSPECTORATE,
    )
    client.force_login(lead)
    response = client.post(
        f"/actions/{action.pk}/deadline-change/",
        {"new_deadline": "1900-01-01", "reason": "x"},
    )
    assert response.status_code == 400
    form = response.context["deadline_form"]
    assert "after today" in " ".join(form.errors["new_deadline"])
    assert not DeadlineChangeRequest.objects.exists()
    response = client.post(
        f"/actions/{action.pk}/deadline-change/",
        {
            "new_deadline": str(timezone.localdate() + datetime.timedelta(days=60)),
            "reason": "x",
        },
    )
    assert "at least 20 characters" in " ".join(
        response.context["deadline_form"].errors["reason"]
    )


def test_a_self_sign_off_shows_on_the_action_and_to_the_inspector(
    client, lead, inspector, finding
):
    own = services.action_create(lead, finding=finding, title="PCC brief", owner=lead)
    services.action_record_progress(lead, own, text="Written.", percent=50)
    services.action_mark_done(lead, own)
    services.action_sign_off(lead, own)
    client.force_login(lead)
    assert "Self sign-off</strong> by lead@westmercia.test, its own owner" in (
        client.get(own.get_absolute_url()).content.decode()
    )
    services.finding_request_closure(lead, finding, "All delivered.")
    client.force_login(inspector)
    body = client.get(finding.get_absolute_url()).content.decode()
    assert "signed off by the person who did the work" in body
    assert "PCC brief" in body.split("signed off by the person who did the work")[1]


def test_a_move_without_the_pages_version_is_refused_as_out_of_date(
    client, owner, action
):
    client.force_login(owner)
    post_update(client, action, percent_complete="50")
    response = client.post(f"/actions/{action.pk}/mark-done/", {"text": "Done."})
    assert response.status_code == 400
    assert "This page is out of date" in response.content.decode()
    action.refresh_from_db()
    assert action.status == Action.Status.IN_PROGRESS


def test_after_a_conflict_the_assign_form_keeps_the_other_change_it_did_not_touch(
    client, lead, colleague, contributor, action
):
    # Two leads open the assign page; one moves the deadline, the other, unaware,
    # changes the owner and the contributors. Refused, the second sees the new
    # deadline in the box, so saving again does not undo it; their own choices stay.
    action.contributors.set([contributor])
    client.force_login(lead)
    seen = client.get(f"/actions/{action.pk}/assign/").context["form"].initial
    first = client.post(
        f"/actions/{action.pk}/assign/",
        {
            "owner": seen["owner"] or "",
            "contributors": seen["contributors"],
            "deadline": "2031-01-31",
            "version": seen["version"],
        },
    )
    assert first.status_code == 302
    second = client.post(
        f"/actions/{action.pk}/assign/",
        {
            "owner": colleague.pk,
            "deadline": seen["deadline"].isoformat(),
            "version": seen["version"],
        },
    )
    assert second.status_code == 409
    form = second.context["form"]
    assert form["deadline"].value() == "2031-01-31"  # the other lead's, now shown
    assert str(form["owner"].value()) == str(colleague.pk)  # this lead's own change
    assert form["contributors"].value() == []  # removed by this lead
    body = second.content.decode()
    assert "(deadline)" in body and "save again to replace it" not in body
    again = client.post(
        f"/actions/{action.pk}/assign/",
        {
            "owner": form["owner"].value(),
            "contributors": form["contributors"].value(),
            "deadline": form["deadline"].value(),
            "version": form["version"].value(),
        },
    )
    assert again.status_code == 302
    action.refresh_from_db()
    assert action.deadline == datetime.date(2031, 1, 31)
    assert action.owner == colleague
    assert not action.contributors.exists()
