"""Every page answers with a number of queries that does not grow with the data.

The number itself is pinned too, in tests/query_counts.json: a change that adds a
query to a page shows up there, and is kept by rewriting the file.
"""

import datetime
import json
import os
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tracker import services
from tracker.models import (
    Action,
    Finding,
    NationalFinding,
    Notification,
    ProgressUpdate,
    Theme,
    Webhook,
    WebhookDelivery,
)


def add_actions(finding, owner, count, parent=None):
    today = datetime.date.today()
    actions = Action.objects.bulk_create(
        [
            Action(
                inspection=finding.inspection,
                finding=finding,
                force=finding.force,
                parent=parent,
                title=f"Step {i}",
                owner=owner,
                deadline=today + datetime.timedelta(days=i % 60 - 20),
                status=Action.Status.IN_PROGRESS
                if i % 3
                else Action.Status.NOT_STARTED,
                percent_complete=i % 100 if i % 3 else 0,
            )
            for i in range(count)
        ]
    )
    for a in actions[:: max(1, count // 10)]:
        a.contributors.add(owner)
    ProgressUpdate.objects.bulk_create(
        [ProgressUpdate(action=a, author=owner, text="Progress") for a in actions]
    )
    # The owner is told of each, and has read a third of them.
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=owner,
                kind="assigned_owner",
                action=a,
                summary=f"You own {a.title}",
                event_key=f"test:{a.pk}",
                read_at=timezone.now() if i % 3 == 0 else None,
            )
            for i, a in enumerate(actions)
        ]
    )
    return actions


def national_of(finding) -> str:
    """The roll-up of a national finding the world's finding is a copy of."""
    national, _ = NationalFinding.objects.get_or_create(
        reference="NAT-2016-AFI-1",
        defaults={
            "kind": finding.kind,
            "text": finding.text,
            "report_title": "A national report",
            "programme": "National",
            "addressees": ["all forces"],
        },
    )
    Finding.objects.filter(pk=finding.pk).update(national=national)
    return national.get_absolute_url()


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    return len(queries)


def theme_of(finding) -> str:
    """The national view sorted, comparing forces on a theme the finding is on."""
    theme, _ = Theme.objects.get_or_create(
        slug="outcome-16", defaults={"name": "Outcome 16"}
    )
    finding.themes.add(theme)
    return f"/national/?sort=-closed&theme={theme.slug}"


def webhook_of(finding) -> str:
    """The force's webhook, with a log longer than the page shows."""
    webhook, created = Webhook.objects.get_or_create(
        force_id=finding.force_id,
        defaults={"name": "Register", "url": "https://192.0.2.1/", "kinds": ["ping"]},
    )
    if created:
        WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(
                    webhook=webhook,
                    kind="ping",
                    event_key=f"ping:{i}",
                    summary="A test",
                    payload={"type": "ping", "data": {}},
                    status="failed" if i % 4 == 0 else "sent",
                )
                for i in range(150)
            ]
        )
    return webhook.get_absolute_url()


PAGES = {
    "home": lambda w: "/",
    "force": lambda w: w["finding"].force.get_absolute_url(),
    "inspection": lambda w: w["finding"].inspection.get_absolute_url(),
    "finding": lambda w: w["finding"].get_absolute_url(),
    "action": lambda w: w["parent"].get_absolute_url(),
    "action list": lambda w: "/actions/",
    "action list filtered": lambda w: (
        "/actions/?status=in_progress&sort=-deadline&q=Step"
    ),
    "action list deep page": lambda w: "/actions/?page=last",
    "csv export": lambda w: "/actions/export.csv",
    "xlsx export": lambda w: "/actions/export.xlsx",
    "national": lambda w: "/national/",
    "national export": lambda w: "/national/export.xlsx",
    "finding list": lambda w: (
        "/findings/?status=awaiting_review&kind=area_for_improvement"
    ),
    "national findings": lambda w: "/national/findings/",
    "national finding": lambda w: national_of(w["finding"]),
    "new action": lambda w: f"/findings/{w['finding'].pk}/actions/new/",
    "new sub-step": lambda w: f"/actions/{w['parent'].pk}/steps/new/",
    "edit action": lambda w: f"/actions/{w['parent'].pk}/edit/",
    "queue closure requests": lambda w: "/queues/closure-requests/",
    "queue deadline requests": lambda w: "/queues/deadline-requests/",
    "queue overdue findings": lambda w: "/queues/overdue-findings/",
    "queue sign-off": lambda w: "/queues/sign-off/",
    "queue overdue": lambda w: "/queues/overdue/?sort=newest",
    "queue due soon": lambda w: "/queues/due-soon/",
    "queue returned": lambda w: "/queues/returned/",
    "queue ready for closure": lambda w: "/queues/ready-for-closure/",
    "queue closure declined": lambda w: "/queues/closure-declined/",
    "queue my deadline requests": lambda w: "/queues/my-deadline-requests/",
    # Findings by hand (inspectors' pages).
    "finding add": lambda w: f"/inspections/{w['finding'].inspection_id}/findings/new/",
    "question add": lambda w: (
        f"/inspections/{w['finding'].inspection_id}/questions/new/"
    ),
    "finding edit": lambda w: f"/findings/{w['finding'].pk}/edit/",
    "finding remove": lambda w: f"/findings/{w['finding'].pk}/remove/",
    "inspection add": lambda w: "/inspections/new/",
    "notifications": lambda w: "/notifications/",
    "notifications unread": lambda w: "/notifications/?show=unread&page=2",
    "notification choices": lambda w: "/notifications/choices/",
    "question edit": lambda w: f"/questions/{w['finding'].question_id}/edit/",
    "question remove": lambda w: f"/questions/{w['finding'].question_id}/remove/",
    "inspection edit": lambda w: f"/inspections/{w['finding'].inspection_id}/edit/",
    "inspection remove": lambda w: f"/inspections/{w['finding'].inspection_id}/remove/",
    # The packs' forms (what making a pack costs: tests/test_papers.py).
    "committee pack": lambda w: f"/forces/{w['finding'].force.slug}/pack/",
    "inspection pack": lambda w: f"/inspections/{w['finding'].inspection_id}/pack/",
    "national brief": lambda w: "/national/brief/",
    "webhooks": lambda w: "/webhooks/",
    "webhook log": lambda w: webhook_of(w["finding"]),
    # Last: the theme it makes stays for the pages after it.
    "national sorted on a theme": lambda w: theme_of(w["finding"]),
}
WHO = {
    "home": ["owner", "lead", "inspector"],
    "national": ["inspector"],
    "national sorted on a theme": ["inspector"],
    "national export": ["inspector"],
    "finding list": ["owner", "inspector"],
    "national findings": ["inspector"],
    "national finding": ["inspector"],
    "finding": ["owner", "lead"],
    "action list": ["owner", "lead"],
    "action": ["owner", "lead"],
    "new action": ["lead"],
    "new sub-step": ["lead"],
    "edit action": ["lead"],
    "queue closure requests": ["inspector"],
    "queue deadline requests": ["inspector"],
    "queue overdue findings": ["inspector"],
    "queue sign-off": ["owner", "lead"],
    "queue overdue": ["owner", "lead"],
    "queue due soon": ["owner", "lead"],
    "queue returned": ["owner"],
    "queue ready for closure": ["lead"],
    "queue closure declined": ["lead"],
    "queue my deadline requests": ["lead"],
    "committee pack": ["lead", "inspector"],
    "inspection pack": ["lead"],
    "national brief": ["inspector"],
    "webhooks": ["lead", "inspector"],
    "webhook log": ["lead"],
    **{
        page: ["inspector"]
        for page in (
            "finding add",
            "question add",
            "finding edit",
            "finding remove",
            "inspection add",
            "question edit",
            "question remove",
            "inspection edit",
            "inspection remove",
        )
    },
}


@pytest.mark.parametrize("page", PAGES)
def test_queries_are_the_same_for_10_and_500_actions(
    client, request, page, finding, owner, lead, inspector
):
    parent = services.action_create(lead, finding=finding, title="Parent", owner=owner)
    world = {"finding": finding, "parent": parent}
    people = {who: request.getfixturevalue(who) for who in WHO.get(page, ["owner"])}
    # Each person reads the page with 10 actions, then all again with 500: the
    # 490 are added once for all of them.
    small, large = {}, {}
    for size, counts in ((10, small), (490, large)):
        add_actions(finding, owner, size, parent=parent)
        for who, person in people.items():
            client.force_login(person)
            counts[who] = count_queries(client, PAGES[page](world))
    counts = {who: (small[who], large[who]) for who in people}
    for who, (with_10, with_500) in counts.items():
        assert with_10 == with_500, (
            f"{page} as {who}: {with_10} queries with 10, {with_500} with 500"
        )
        assert with_500 <= 15, f"{page} as {who}: {with_500} queries"
    print(f"\n{page}: queries with 10 and 500 actions {counts}")


BASELINE = Path(__file__).with_name("query_counts.json")
UPDATE = "UPDATE_QUERY_BASELINE"


def test_query_counts_are_the_baseline(
    client, request, finding, owner, lead, inspector
):
    """Each page, for each persona, makes exactly the queries the baseline says (10 actions)."""
    parent = services.action_create(lead, finding=finding, title="Parent", owner=owner)
    world = {"finding": finding, "parent": parent}
    counts = {}
    for page, path in PAGES.items():
        for who in WHO.get(page, ["owner"]):
            client.force_login(request.getfixturevalue(who))
            add_actions(finding, owner, 10, parent=parent)
            counts[f"{page} ({who})"] = count_queries(client, path(world))
            Action.objects.filter(parent=parent).delete()
    if os.environ.get(UPDATE) == "1":
        BASELINE.write_text(json.dumps(counts, indent=2) + "\n")
    baseline = json.loads(BASELINE.read_text())
    changed = [
        f"{name}: {baseline.get(name, 'not in the baseline')} -> {counts.get(name, 'gone')}"
        for name in sorted(baseline.keys() | counts.keys())
        if baseline.get(name) != counts.get(name)
    ]
    assert not changed, (
        "Query counts differ from tests/query_counts.json (baseline -> now):\n  "
        + "\n  ".join(changed)
        + f"\nIf the change is meant (and the equal-at-two-sizes test still passes), "
        f"rewrite the file with {UPDATE}=1 bin/test tests/test_query_counts.py "
        "-k baseline, and commit it with the change that explains it."
    )
