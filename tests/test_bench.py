"""The benchmark in small: generated national data, and the same number of queries per page
at 300 and at 1,000 actions, never more than 15. Times are measured but never checked here.

The full run is `python -m bench --sizes 1000,50000 --rounds 5` (README, "Benchmark").
"""

import ast
import datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q

from bench import ADMIN, RAW_SQL, generator, workflow
from bench.measure import measure_pages, measure_sweep
from tracker import services
from tracker.models import (
    Action,
    Finding,
    FindingEvent,
    Force,
    Inspection,
    NationalFinding,
    ProgressUpdate,
    Role,
    User,
)

MAX_QUERIES = 15


def snapshot() -> list[tuple]:
    return list(
        Action.objects.order_by("pk").values_list(
            "title",
            "status",
            "deadline",
            "percent_complete",
            "owner__email",
            "finding__reference",
        )
    )


def test_generated_data_is_national_consistent_and_repeatable(db):
    counts = generator.generate(300, seed=7)

    assert Action.objects.count() == counts["actions"] == 300
    assert (
        User.objects.filter(role=Role.FORCE_LEAD).count()
        == Force.objects.police().count()
        == 43
    )
    assert User.objects.filter(role=Role.FORCE_STAFF).count() == 43 * 9
    assert User.objects.filter(role=Role.INSPECTOR).exists()
    assert ProgressUpdate.objects.count() > 4 * 300
    assert Action.objects.filter(parent__isnull=False).exists(), "actions come as trees"
    assert set(Finding.objects.values_list("kind", flat=True)) >= {
        Finding.Kind.AREA_FOR_IMPROVEMENT,
        Finding.Kind.RECOMMENDATION,
    }
    # Statuses the services would have left: finished work is 100%, a finding asked
    # to close has no open action, a finding awaiting review has none started.
    finished = Action.objects.filter(
        status__in=[Action.Status.DONE, Action.Status.SIGNED_OFF]
    )
    assert not finished.exclude(percent_complete=100).exists()
    assert not Action.objects.filter(
        finding__status__in=["closure_requested", "complete"],
        status__in=[*Action.UNFINISHED_STATUSES, Action.Status.DONE],
    ).exists()
    assert (
        not Action.objects.filter(finding__status="awaiting_review")
        .exclude(status=Action.Status.NOT_STARTED)
        .exists()
    )
    moved = Finding.objects.exclude(status="awaiting_review").annotate(
        n=Count("events")
    )
    assert not moved.filter(n=0).exists(), "every move of a finding is on its timeline"
    assert (
        not Action.objects.filter(status=Action.Status.SIGNED_OFF)
        .exclude(
            updates__kind__in=[
                ProgressUpdate.Kind.SIGNED_OFF,
                ProgressUpdate.Kind.SELF_SIGNED_OFF,
            ]
        )
        .exists()
    )
    assert not finished.filter(done_on__isnull=True).exists()
    # A lead signing off work they own is a self sign-off, as the service says.
    signed_by_owner = ProgressUpdate.objects.filter(
        author=F("action__owner"),
        kind__in=[ProgressUpdate.Kind.SIGNED_OFF, ProgressUpdate.Kind.SELF_SIGNED_OFF],
    )
    assert signed_by_owner.filter(kind=ProgressUpdate.Kind.SELF_SIGNED_OFF).count() > 1
    assert not signed_by_owner.filter(kind=ProgressUpdate.Kind.SIGNED_OFF).exists()
    assert FindingEvent.objects.exists()
    found = generator.fingerprint()
    assert (found.seed, found.actions) == (7, 300)

    first = snapshot()
    generator.generate(300, seed=7, reset=True)
    assert snapshot() == first, "the same seed and day give the same data"
    generator.generate(300, seed=8, reset=True)
    assert snapshot() != first


def test_a_larger_set_adds_closed_history_national_and_thematic(db, monkeypatch):
    """Past PEEL's first round the generator goes on into the history before it: a year
    at a time, national reports (every force's copy of each recommendation) and
    force-level thematic rounds, all of it closed, so that the open work of recent
    inspections stays what it is while the data grows."""
    monkeypatch.setattr(generator, "HISTORY_NATIONAL_PER_YEAR", 1)
    # On this day PEEL has had one round (2014's efficiency reports).
    counts = generator.generate(8000, seed=3, today=datetime.date(2014, 12, 1))

    assert counts["actions"] == Action.objects.count() == 8000
    peel_began = datetime.date(2014, 7, 22)
    history = Action.objects.filter(inspection__published_on__lt=peel_began)
    assert history.count() > 3000
    assert not history.exclude(status__in=Action.CLOSED_STATUSES).exists()
    assert not Finding.objects.filter(
        inspection__published_on__lt=peel_began, status__in=Finding.OPEN_STATUSES
    ).exists()
    assert Action.objects.filter(
        inspection__published_on__gte=peel_began, status__in=Action.OPEN_STATUSES
    ).exists(), "the PEEL round of the day is open work"

    national = NationalFinding.objects.order_by("pk").first()
    assert national.addressed_as == "all chief constables"
    copies = Finding.objects.filter(national=national).select_related("force")
    # One copy in each force's inspection of the report (the last report made may
    # be cut short by the size asked for).
    reports = Inspection.objects.filter(title=national.report_title)
    assert copies.count() == reports.count() > 30
    assert set(copies.values_list("text", flat=True)) == {national.text}
    assert {c.reference for c in copies} == {
        f"{c.force.code}-{national.reference}" for c in copies
    }
    assert {c.force_id for c in copies} == set(reports.values_list("force", flat=True))
    assert Inspection.objects.filter(programme=generator.THEMATIC_PROGRAMME).exists()
    assert counts["national findings"] == NationalFinding.objects.count()


def test_the_generator_never_touches_data_it_did_not_make(db):
    User.objects.create_user(
        "jo.morgan@westmercia.police.uk",
        "a-long-test-password",
        role=Role.FORCE_LEAD,
        force=Force.objects.get(code="WMP"),
    )
    with pytest.raises(CommandError, match="did not make"):
        call_command("generate_national_data", "--actions", "10")
    with pytest.raises(CommandError, match="did not make"):
        call_command("generate_national_data", "--actions", "10", "--reset")
    assert not Action.objects.exists()
    assert User.objects.count() == 1


def test_generated_data_is_replaced_only_when_asked(db):
    call_command("generate_national_data", "--actions", "20")
    with pytest.raises(CommandError, match="--reset"):
        call_command("generate_national_data", "--actions", "20")
    call_command("generate_national_data", "--actions", "30", "--reset")
    assert Action.objects.count() == 30
    assert not User.objects.exclude(email__endswith=generator.GENERATED_DOMAIN).exists()


def query_counts(size: int) -> dict[str, int]:
    generator.generate(size, seed=1, reset=True)
    return {row["name"]: row["queries"] for row in measure_pages(size, rounds=1)}


def test_every_page_asks_the_same_number_of_queries_at_300_and_1000_actions(db):
    small = query_counts(300)
    large = query_counts(1000)

    del small[RAW_SQL], large[RAW_SQL]
    assert small == large
    assert max(large.values()) <= MAX_QUERIES, large
    # The sweep measurement runs too, including its every-action-open variant.
    assert measure_sweep(1000, rounds=1, all_open=True)["open_actions"] == 1000
    assert Action.objects.filter(~Q(status__in=Action.UNFINISHED_STATUSES)).exists()


def test_the_app_imports_the_benchmark_only_in_the_command_that_runs_it():
    root = Path(__file__).resolve().parent.parent
    command = root / "tracker/management/commands/generate_national_data.py"
    importers = set()
    for path in [*(root / "tracker").rglob("*.py"), *(root / "peel").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            if any(name == "bench" or name.startswith("bench.") for name in names):
                importers.add(path)
    assert importers == {command}


def test_the_generators_bookkeeping_is_what_the_services_leave(
    action, finding, lead, owner, contributor, inspector
):
    """bench.workflow restates the field changes the services make: it must agree."""
    action = services.action_assign(
        lead,
        action,
        expected_version=action.version,
        owner=owner,
        contributors=[contributor],
        deadline=action.deadline,
    )
    services.action_record_progress(owner, action, text="Scoping agreed.")
    services.action_record_progress(contributor, action, text="Half.", percent=40)
    services.action_mark_done(owner, action, "Delivered.")
    services.action_return(lead, action, "The audit is missing.")
    services.action_record_progress(owner, action, text="Audit added.", percent=98)
    services.action_mark_done(owner, action, "Delivered again.")
    services.action_sign_off(lead, action, "Accepted.")
    services.finding_request_closure(lead, finding, "Every action is signed off.")
    services.finding_decline_closure(inspector, finding, "Not yet lasting.")
    services.finding_request_closure(lead, finding, "Every action is signed off.")
    services.finding_authorise_closure(inspector, finding)
    action.refresh_from_db()
    finding.refresh_from_db()

    replayed = Action(finding=finding, inspection=finding.inspection)
    workflow.created_and_assigned(replayed, action.created_at)
    for saved in action.updates.order_by("created_at", "pk"):
        update = ProgressUpdate(
            kind=saved.kind,
            percent_complete=None
            if saved.kind == ProgressUpdate.Kind.MARKED_DONE
            else saved.percent_complete,
            created_at=saved.created_at,
        )
        workflow.apply_update(replayed, update)
        assert (update.from_status, update.to_status, update.percent_complete) == (
            saved.from_status,
            saved.to_status,
            saved.percent_complete,
        ), saved.kind
    fields = [
        "status",
        "percent_complete",
        "status_changed_at",
        "last_progress_at",
        "done_on",
        "version",
    ]
    assert [getattr(replayed, f) for f in fields] == [
        getattr(action, f) for f in fields
    ]
    signed = action.updates.get(to_status=Action.Status.SIGNED_OFF)
    assert signed.kind == workflow.sign_off_kind(lead, owner, [contributor])
    assert workflow.sign_off_kind(owner, owner, []) == (
        ProgressUpdate.Kind.SELF_SIGNED_OFF
    )

    started = action.updates.filter(to_status=Action.Status.IN_PROGRESS).first()
    assert workflow.starts_finding(started)
    events = list(finding.events.order_by("created_at", "pk"))
    assert events[0].text == workflow.work_started_text(action)
    moved = Finding(inspection=finding.inspection)
    workflow.finding_created(moved, finding.created_at)
    for saved in events:
        event = FindingEvent(kind=saved.kind, created_at=saved.created_at)
        workflow.apply_finding_event(moved, event)
        assert (event.from_status, event.to_status) == (
            saved.from_status,
            saved.to_status,
        )
    assert (moved.status, moved.status_changed_at) == (
        finding.status,
        finding.status_changed_at,
    )
    assert workflow.may_request_closure([Action.Status.SIGNED_OFF])
    assert not workflow.may_request_closure([Action.Status.WITHDRAWN])
    assert not workflow.may_request_closure(
        [Action.Status.SIGNED_OFF, Action.Status.DONE]
    )


def test_interleaved_passes_give_the_median_ratio_and_its_spread():
    """A noisy minute in one pass (the large size's pages twice as slow) moves that
    pass's ratio, not the median of the passes'; the spread shows it."""
    from bench.__main__ import interleaved, table

    def run(size, page_ms, admin_ms=10.0):
        return {
            "size": size,
            "pages": [
                {
                    "name": "home",
                    "median_ms": page_ms,
                    "min_ms": page_ms,
                    "max_ms": page_ms,
                    "queries": 5,
                },
                {
                    "name": ADMIN,
                    "median_ms": admin_ms,
                    "min_ms": admin_ms,
                    "max_ms": admin_ms,
                    "queries": 4,
                },
                {
                    "name": "csv export",
                    "median_ms": 50.0,
                    "min_ms": 50.0,
                    "max_ms": 50.0,
                    "queries": 4,
                    "rows": size,
                },
                {
                    "name": RAW_SQL,
                    "median_ms": 1.0,
                    "min_ms": 1.0,
                    "max_ms": 1.0,
                    "queries": 1,
                },
            ],
        }

    passes = [
        [run(1000, 10.0), run(50000, 12.0)],
        [run(1000, 10.0), run(50000, 24.0, admin_ms=20.0)],  # the noisy minute
        [run(1000, 11.0), run(50000, 13.2)],
    ]
    merged, page_ratios, spread = interleaved(passes)
    assert page_ratios[50000]["home"] == 1.2
    assert spread[50000]["home"] == (1.2, 2.4)
    large = {row["name"]: row for row in merged[1]["pages"]}
    assert large["home"]["median_ms"] == 13.2
    assert (large["home"]["min_ms"], large["home"]["max_ms"]) == (12.0, 24.0)
    assert large["home"]["vs_admin"] == 1.32
    (line,) = [
        line
        for line in table(merged, page_ratios, spread).splitlines()
        if line.startswith("home")
    ]
    assert "1.20" in line and "1.20-2.40" in line


def test_the_targets_compare_each_larger_size_and_the_sweep_per_reminder():
    """Every larger size against the smallest; the sweep as generated against the
    size before, and with every action open, per reminder recorded."""
    from bench.__main__ import targets

    def result(size, home_ms, sweep_s, open_s, open_recorded):
        return {
            "size": size,
            "pages": [
                {"name": "home", "median_ms": home_ms, "queries": 5, "vs_admin": 0.5},
                {"name": ADMIN, "median_ms": 20.0, "queries": 4, "vs_admin": 1.0},
            ],
            "sweeps": [
                {"variant": "as generated", "seconds": sweep_s, "recorded": 100},
                {
                    "variant": "every action open",
                    "seconds": open_s,
                    "recorded": open_recorded,
                },
            ],
        }

    results = [
        result(1000, 10.0, 0.05, 0.05, 1000),
        result(50000, 12.0, 0.4, 2.0, 60000),
        # Ten times the reminders in ten times the time: the same per reminder.
        result(500000, 16.0, 0.5, 20.0, 600000),
    ]
    ratios = {50000: {"home": 1.2, ADMIN: 1.0}, 500000: {"home": 1.6, ADMIN: 1.0}}
    checks = {c["target"]: c for c in targets(results, ratios, None)}
    assert checks["every page at 50,000 <= 1.5x its time at 1,000"]["met"]
    assert checks["every page at 500,000 <= 1.5x its time at 1,000"]["misses"] == [
        "home (1.6)"
    ]
    assert checks["sweep as generated at 500,000 <= 1.5x its time at 50,000"]["met"]
    per_reminder = (
        "sweep with every action open: time per reminder at 500,000 <= 1.5x at 50,000"
    )
    assert checks[per_reminder]["met"]

    results[-1]["sweeps"][0]["seconds"] = 0.7  # 1.75x the 50,000 sweep
    results[-1]["sweeps"][1]["seconds"] = 40.0  # twice as long a reminder
    checks = {c["target"]: c for c in targets(results, ratios, None)}
    assert checks["sweep as generated at 500,000 <= 1.5x its time at 50,000"][
        "misses"
    ] == ["1.75x"]
    assert checks[per_reminder]["misses"] == ["2.0x"]


def test_an_export_is_compared_with_the_admin_changelist_per_row_it_shows():
    from django.contrib import admin

    from bench import ADMIN_ROWS, vs_admin
    from tracker.models import Action as Model

    assert admin.site._registry[Model].list_per_page == ADMIN_ROWS
    # 5,000 rows in 500 ms against 100 rows in 200 ms: a quarter of the cost a row.
    assert vs_admin({"median_ms": 500.0, "rows": 5000}, 200.0) == 0.05
    assert vs_admin({"median_ms": 50.0}, 200.0) == 0.25
