"""Bad query parameters and form values get a clear 400 and change nothing, never a 500.

The SQLite-only crashes (ids beyond 64 bits) are in test_sqlite.py; these hold on
PostgreSQL, which the suite runs on.
"""

import datetime

import pytest
from django.test import Client

from tracker import services
from tracker.forms import AssignForm, is_id
from tracker.models import Action, DeadlineChangeRequest

BIG = str(2**64)


@pytest.fixture
def client():
    # A 500 must show as a 500 here, not as an exception that hides the others.
    return Client(raise_request_exception=False)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("1", True),
        (str(2**63 - 1), True),
        (str(2**63), False),
        (BIG, False),
        ("9" * 5000, False),
        ("0", False),
        ("-1", False),
        ("abc", False),
        ("١٢", False),  # Arabic-Indic digits: isdigit() says yes, no id says so
        ("", False),
    ],
)
def test_what_can_be_an_id(value, expected):
    assert is_id(value) is expected


def test_a_contributor_no_id_can_be_is_a_form_error(action):
    form = AssignForm({"contributors": [BIG], "version": action.version}, action=action)
    assert not form.is_valid()
    assert "Select a valid choice" in str(form.errors["contributors"])


@pytest.mark.parametrize(
    "query",
    [
        f"force={BIG}",
        "force=abc",
        f"inspection={BIG}",
        f"owner={BIG}",
        f"theme={BIG}",
        "due_before=2017-13-45",
        "status=nonsense",
        "sort=password",
        "q=%00",
    ],
)
def test_a_bad_action_list_filter_is_a_clear_400(client, inspector, action, query):
    client.force_login(inspector)
    page = client.get(f"/actions/?{query}")
    assert page.status_code == 400
    text = page.content.decode()
    assert "govuk-form-group--error" in text  # the field says what is wrong
    assert action.title not in text  # no rows the filter did not ask for
    export = client.get(f"/actions/export.csv?{query}")
    assert export.status_code == 400
    assert "These filters cannot be exported" in export.content.decode()


@pytest.mark.parametrize("page", ["9" * 40, "-3", "abc", "1e9", "%00"])
def test_any_page_number_shows_a_page(client, lead, action, page):
    client.force_login(lead)
    assert client.get(f"/actions/?page={page}").status_code == 200


@pytest.mark.parametrize("theme", ["%00", BIG, "x" * 5000])
def test_a_bad_theme_on_the_national_view_is_not_found(client, inspector, theme):
    client.force_login(inspector)
    assert client.get(f"/national/?theme={theme}").status_code == 404


def test_a_deadline_decision_comment_with_a_null_character_is_refused(
    client, lead, inspector, finding, owner
):
    action = services.action_create(
        inspector,
        finding=finding,
        title="Action plan",
        owner=owner,
        deadline=datetime.date(2030, 5, 1),
        deadline_set_by=Action.DeadlineSetBy.INSPECTORATE,
    )
    change = services.deadline_change_request(
        lead,
        action,
        new_deadline=datetime.date(2030, 6, 1),
        reason="The national guidance is due in May.",
    )
    client.force_login(inspector)
    response = client.post(
        f"/deadline-changes/{change.pk}/decide/",
        {"decision": "refuse", "comment": "No\x00"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Null characters are not allowed" in response.content.decode()
    change.refresh_from_db()
    assert change.status == DeadlineChangeRequest.Status.PENDING


def test_filters_that_cannot_apply_say_so_in_the_results_htmx_swaps_in(client, lead):
    client.force_login(lead)
    whole = client.get("/actions/?due_before=2017-13-45")
    assert whole.status_code == 400
    partial = client.get(
        "/actions/?due_before=2017-13-45", headers={"HX-Request": "true"}
    )
    # htmx swaps in only a 200; what it swaps in names the filter and offers no export.
    assert partial.status_code == 200
    body = partial.content.decode()
    assert "These filters cannot be applied" in body and "Due on or before" in body
    assert "export.csv" not in body


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_pages_with_a_form_refuse_other_methods(
    client, lead, inspector, action, method
):
    # A page that shows a form and takes it back answers GET, HEAD and POST only;
    # anything else is refused before the page is looked at (it used to show the page).
    for user, url in [
        (lead, f"/actions/{action.pk}/assign/"),
        (lead, "/calendar/"),
        (inspector, "/import/"),
        (inspector, "/import/no-such-token/"),
    ]:
        client.force_login(user)
        response = getattr(client, method)(url)
        assert response.status_code == 405, url
        assert response["Allow"] == "GET, HEAD, POST", url
        assert "This page cannot take that request" in response.content.decode()


def test_a_form_sent_to_a_page_to_read_says_so(client, lead, action):
    client.force_login(lead)
    response = client.post("/actions/")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"
    page = response.content.decode()
    assert "This page can only be read" in page
    assert "works only by a form" not in page
    # A form-only address still explains itself as one.
    page = client.get(f"/actions/{action.pk}/sign-off/").content.decode()
    assert "This address works only by a form" in page
