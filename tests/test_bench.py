"""The benchmark in small: generated national data, and the same number of queries per page
at 300 and at 1,000 actions, never more than 15. Times are measured but never checked here.

The full run is `python -m bench --sizes 1000,50000 --rounds 5` (README, "Benchmark").
"""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q

from bench import RAW_SQL, generator
from bench.measure import measure_pages, measure_sweep
from tracker.models import (
    Action,
    Finding,
    FindingEvent,
    Force,
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
        User.objects.filter(role=Role.FORCE_LEAD).count() == Force.objects.count() == 43
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
