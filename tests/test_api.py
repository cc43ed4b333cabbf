"""The REST API: tokens, the door, the services' refusals, versions, pages, limits."""

import datetime
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from playwright.sync_api import expect
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from tests.conftest import make_finding, make_inspection
from tracker import services
from tracker.api.throttling import PerTokenThrottle
from tracker.models import Action, ApiToken, ProgressUpdate

IN_A_MONTH = datetime.timedelta(days=30)


def token_for(user, scope=ApiToken.Scope.READ_WRITE, **extra):
    expires_on = extra.pop("expires_on", timezone.localdate() + IN_A_MONTH)
    _, secret = services.api_token_create(
        user, name="Register sync", scope=scope, expires_on=expires_on
    )
    return secret


def api(secret=None) -> APIClient:
    client = APIClient()
    if secret:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


# Tokens ----------------------------------------------------------------------------


def test_a_token_is_stored_only_as_its_hash(owner):
    secret = token_for(owner)
    token = ApiToken.objects.get()
    assert secret.startswith("peel_") and len(secret) > 40
    assert secret not in (token.digest, token.shown_prefix)
    assert token.shown_prefix == secret[:10]


def test_a_token_reads_as_its_person(action, owner):
    response = api(token_for(owner)).get("/api/v1/actions/")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["reference"] == action.reference
    assert row["owner"]["name"] == str(owner)
    assert row["rag_label"] == "Green: on track"


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda user: "peel_not-a-token-anybody-made", "not valid"),
        (
            lambda user: token_for(
                user, expires_on=timezone.localdate() + datetime.timedelta(days=1)
            ),
            "expired",
        ),
        (lambda user: token_for(user), "revoked"),
    ],
    ids=["unknown", "expired", "revoked"],
)
def test_a_bad_token_is_401_with_a_reason_and_logged(
    action, owner, caplog, time_machine, make, words
):
    secret = make(owner)
    if words == "revoked":
        services.api_token_revoke(owner, ApiToken.objects.get())
    if words == "expired":
        time_machine.move_to(timezone.now() + datetime.timedelta(days=3))
    with caplog.at_level(logging.WARNING, logger="tracker.api"):
        response = api(secret).get("/api/v1/actions/")
    assert response.status_code == 401
    assert words in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "API token refused" in caplog.text
    assert secret not in caplog.text


def test_no_credentials_is_401(action):
    response = api().get("/api/v1/actions/")
    assert response.status_code == 401


def test_a_deactivated_persons_token_is_refused(action, owner):
    secret = token_for(owner)
    owner.is_active = False
    owner.save()
    assert api(secret).get("/api/v1/actions/").status_code == 401


def test_a_read_only_token_cannot_write(action, owner):
    secret = token_for(owner, scope=ApiToken.Scope.READ)
    response = api(secret).post(
        f"/api/v1/actions/{action.pk}/start/",
        {"version": action.version},
        format="json",
    )
    assert response.status_code == 403
    assert "read only" in response.json()["detail"]
    assert Action.objects.get(pk=action.pk).status == Action.Status.NOT_STARTED


def test_last_use_is_written_at_most_once_a_minute(action, owner, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    client = api(token_for(owner))
    client.get("/api/v1/forces/")
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    time_machine.shift(datetime.timedelta(seconds=30))
    client.get("/api/v1/forces/")
    assert ApiToken.objects.get().last_used_at == first
    time_machine.shift(datetime.timedelta(seconds=31))
    client.get("/api/v1/forces/")
    assert ApiToken.objects.get().last_used_at > first


@pytest.mark.parametrize("days", [0, 367])
def test_a_token_must_expire_within_a_year(owner, days):
    with pytest.raises(services.WorkflowError):
        services.api_token_create(
            owner,
            name="x",
            scope="read",
            expires_on=timezone.localdate() + datetime.timedelta(days=days),
        )


def test_the_tokens_page_makes_shows_once_and_revokes(client, owner):
    client.force_login(owner)
    expires = timezone.localdate() + IN_A_MONTH
    response = client.post(
        "/api-tokens/",
        {"name": "Dashboard", "scope": "read", "expires_on": expires.isoformat()},
    )
    assert response.status_code == 302
    page = client.get("/api-tokens/").content.decode()
    token = ApiToken.objects.get()
    assert "Dashboard" in page and "Copy it now" in page
    secret = page.split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    assert api(secret).get("/api/v1/forces/").status_code == 200
    again = client.get("/api-tokens/").content.decode()
    assert secret not in again, "shown once only"
    assert "Never" not in again, "its last use is shown"
    response = client.post(f"/api-tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert api(secret).get("/api/v1/forces/").status_code == 401


def test_another_persons_token_cannot_be_revoked(client, owner, colleague):
    token_for(owner)
    client.force_login(colleague)
    token = ApiToken.objects.get()
    assert client.post(f"/api-tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get().revoked_at is None


# The door --------------------------------------------------------------------------


def test_another_forces_objects_are_404(action, other_action, owner):
    client = api(token_for(owner))
    other = other_action
    for path in (
        f"/api/v1/actions/{other.pk}/",
        f"/api/v1/findings/{other.finding_id}/",
        f"/api/v1/inspections/{other.inspection_id}/",
        f"/api/v1/forces/{other.force_id}/",
        f"/api/v1/actions/{other.pk}/updates/",
    ):
        assert client.get(path).status_code == 404, path
    response = client.post(
        f"/api/v1/actions/{other.pk}/start/", {"version": 1}, format="json"
    )
    assert response.status_code == 404
    listed = client.get("/api/v1/actions/").json()["results"]
    assert [row["id"] for row in listed] == [action.pk]


def test_evidence_gives_the_apps_own_download_address(
    action, owner, settings, tmp_path
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
        files=[SimpleUploadedFile("minutes.txt", b"minutes", "text/plain")],
        links=["https://example.org/plan"],
    )
    client = api(token_for(owner))
    [update] = client.get(f"/api/v1/actions/{action.pk}/updates/").json()["results"]
    by_name = {e["name"]: e for e in update["evidence"]}
    file = by_name["minutes.txt"]
    assert file["content_type"] == "text/plain" and file["size"] == 7
    assert file["download_url"].endswith(f"/evidence/{file['id']}/")
    assert by_name["https://example.org/plan"]["download_url"] is None
    assert "/media/" not in str(update) and "evidence/20" not in str(update)


def test_findings_carry_addressees_and_the_published_timeline(action, owner, lead):
    client = api(token_for(owner))
    services.action_start(owner, action, "Begun")
    finding = client.get(f"/api/v1/findings/{action.finding_id}/").json()
    assert finding["addressees"] == []
    [event] = finding["timeline"]
    assert event["kind"] == "progressing"
    assert event["to_status"] == "being_progressed"


# Writes through the services -------------------------------------------------------


def test_progress_through_the_service(action, owner):
    client = api(token_for(owner))
    response = client.post(
        f"/api/v1/actions/{action.pk}/updates/",
        {"text": "Panel met", "percent": 30, "version": action.version},
        format="json",
    )
    assert response.status_code == 201, response.json()
    action.refresh_from_db()
    assert action.status == Action.Status.IN_PROGRESS
    assert action.percent_complete == 30
    assert ProgressUpdate.objects.filter(action=action, text="Panel met").exists()


def test_a_stale_version_is_409_and_changes_nothing(action, owner):
    client = api(token_for(owner))
    seen = action.version
    services.action_start(owner, action, "Begun")
    action.refresh_from_db()
    before = (action.status, action.version, action.updates.count())
    response = client.post(
        f"/api/v1/actions/{action.pk}/mark-done/",
        {"text": "Delivered", "version": seen},
        format="json",
    )
    assert response.status_code == 409
    assert "Someone else changed this action" in response.json()["detail"]
    assert response.json()["current_version"] == action.version
    action.refresh_from_db()
    assert (action.status, action.version, action.updates.count()) == before


def test_a_refused_move_is_400_with_the_services_words(action, owner):
    response = api(token_for(owner)).post(
        f"/api/v1/actions/{action.pk}/mark-done/",
        {"version": action.version},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "Record progress on this action before marking it done."
    )


def test_a_role_that_may_not_is_403(action, owner):
    response = api(token_for(owner)).post(
        f"/api/v1/actions/{action.pk}/withdraw/",
        {"text": "gone", "version": action.version},
        format="json",
    )
    assert response.status_code == 403
    assert "does not allow" in response.json()["detail"]


def test_the_whole_workflow_by_api(action, owner, lead, inspector):
    as_owner, as_lead = api(token_for(owner)), api(token_for(lead))
    as_inspector = api(token_for(inspector))

    def move(client, move, **data):
        action.refresh_from_db()
        response = client.post(
            f"/api/v1/actions/{action.pk}/{move}/",
            {"version": action.version, **data},
            format="json",
        )
        assert response.status_code == 200, response.json()
        return response.json()

    assert move(as_owner, "start")["status"] == "in_progress"
    assert move(as_owner, "mark-done", text="Done")["status"] == "done"
    assert move(as_lead, "return", text="Add the minutes")["status"] == "in_progress"
    move(as_owner, "mark-done", text="Done again")
    assert move(as_lead, "sign-off")["status"] == "signed_off"
    response = as_lead.post(
        f"/api/v1/findings/{action.finding_id}/request-closure/",
        {"text": "Every action is signed off."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "closure_requested"
    response = as_inspector.post(
        f"/api/v1/findings/{action.finding_id}/authorise-closure/", {}, format="json"
    )
    assert response.json()["status"] == "complete"


def test_deadline_change_request_and_decision(finding, lead, owner, inspector):
    action = services.action_create(
        inspector,
        finding=finding,
        title="Inspectorate's date",
        owner=owner,
        deadline=datetime.date(2030, 5, 1),
        deadline_set_by=Action.DeadlineSetBy.INSPECTORATE,
    )
    new = timezone.localdate() + datetime.timedelta(days=60)
    response = api(token_for(lead)).post(
        f"/api/v1/actions/{action.pk}/deadline-change/",
        {"new_deadline": new.isoformat(), "reason": "The national guidance is late."},
        format="json",
    )
    assert response.status_code == 201, response.json()
    change = response.json()["id"]
    response = api(token_for(inspector)).post(
        f"/api/v1/deadline-changes/{change}/decide/",
        {"decision": "approve"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    action.refresh_from_db()
    assert action.deadline == new


def test_the_session_needs_csrf_to_write(action, owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.get("/api/v1/actions/").status_code == 200
    response = client.post(
        f"/api/v1/actions/{action.pk}/start/",
        {"version": action.version},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


# Filters, pages, limits, queries ---------------------------------------------------


def test_filters_are_the_action_lists(action, owner, lead):
    services.action_create(lead, finding=action.finding, title="Another", owner=lead)
    client = api(token_for(owner))
    rows = client.get("/api/v1/actions/", {"mine": "true"}).json()["results"]
    assert [row["id"] for row in rows] == [action.pk]
    rows = client.get("/api/v1/actions/", {"q": "Another"}).json()["results"]
    assert [row["title"] for row in rows] == ["Another"]
    assert client.get("/api/v1/actions/", {"status": "nonsense"}).status_code == 400


def test_cursor_pages(finding, lead, owner):
    made = [
        services.action_create(lead, finding=finding, title=f"Step {n}").pk
        for n in range(5)
    ]
    client = api(token_for(owner))
    seen, url = [], "/api/v1/actions/?page_size=2"
    while url:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert seen == made


def test_rate_limit_is_429(action, owner, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "api": "2/minute"}
    PerTokenThrottle.THROTTLE_RATES = rates
    try:
        client = api(token_for(owner))
        answers = [client.get("/api/v1/forces/").status_code for _ in range(3)]
    finally:
        PerTokenThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    assert answers == [200, 200, 429]


@pytest.mark.parametrize("path", ["actions", "findings", "inspections"])
def test_list_queries_do_not_grow_with_rows(
    path, lead, owner, inspector, django_assert_num_queries, force
):
    """The same count of queries for one row of each kind as for five more."""
    client = api(token_for(inspector))
    years = iter(range(2000, 2020))

    def add(n):
        for _ in range(n):
            finding = make_finding(make_inspection(force, year=next(years)))
            made = services.action_create(
                lead, finding=finding, title="Step", owner=owner
            )
            made.contributors.add(lead)
            services.action_start(owner, made, "Begun")  # a timeline entry

    add(1)
    client.get(f"/api/v1/{path}/")  # the token's last use is written once
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"/api/v1/{path}/").status_code == 200
    add(5)
    with django_assert_num_queries(len(one)):
        assert len(client.get(f"/api/v1/{path}/").json()["results"]) == 6


def test_schema_and_docs_serve_without_a_cdn(client):
    schema = client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    assert "/api/v1/actions/{id}/{move}/" in schema.json()["paths"]
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "<script>" not in page and "<style>" not in page
    assert "cdn" not in page.lower()
    assert "script-src 'self'" in docs["Content-Security-Policy"]
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200


# As every browser test: its flush must leave the data the migrations made for the
# transactional tests after it (a plain flush leaves them to be made twice).
@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_docs_page_draws_in_a_browser_under_the_csp(
    browser, live_server, static_files
):
    """Swagger UI from this site's own files: no other host asked, no CSP refusal."""
    page = browser.new_page()
    errors, hosts = [], set()
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(
        "PEEL action tracker API"
    )
    expect(page.get_by_text("/api/v1/actions/{id}/{move}/").first).to_be_visible()
    assert hosts == {live_server.url.split("/")[2]}, hosts
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_making_the_schema_leaves_the_action_lists_own_filters_alone(client, owner):
    """The schema generator reads the API's filters; the page's must not change
    with it (they shared their filter objects, and the list's export then lost
    the statuses it was filtered by)."""
    from tracker.filters import ActionFilter

    client.force_login(owner)
    assert client.get("/api/v1/schema/").status_code == 200
    form = ActionFilter(
        {"status": ["in_progress", "not_started"]},
        queryset=Action.objects.all(),
        user=owner,
    )
    assert form.is_valid()
    assert ("Status", "Not started, In progress") in form.in_words()
