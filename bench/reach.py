"""How far the waiting work is from the home page, following the links the pages show.

Every closure request and pending deadline request within three clicks of an
inspector's home (home, queue, a numbered page, the item); every overdue action of
a force listed within two clicks of its lead's home. Run it against a filled
database, for example:

    createdb -h 127.0.0.1 -U postgres peel_reach
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/peel_reach DEBUG=true
    export ALLOWED_HOSTS=testserver
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py generate_national_data --actions 3000
    .venv/bin/python -m bench.reach
"""

import os
import re


def links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


def one_click_pages(client, url: str) -> set[str]:
    """The links of a queue's first page and of every page its pager links to."""
    first = client.get(url).content.decode()
    found = links(first)
    for link in sorted(found):
        if link.startswith("?") and "page=" in link:
            found |= links(
                client.get(url + link.replace("&amp;", "&")).content.decode()
            )
    return found


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peel.settings")
    import django

    django.setup()
    from django.test import Client
    from django.utils import timezone

    from tracker.models import Action, DeadlineChangeRequest, Finding, Role, User

    client = Client()
    client.force_login(User.objects.filter(role=Role.INSPECTOR, is_active=True).first())
    home = links(client.get("/").content.decode())
    for name, queue, wanted in [
        (
            "closure requests",
            "/queues/closure-requests/",
            [
                f.get_absolute_url()
                for f in Finding.objects.filter(status=Finding.Status.CLOSURE_REQUESTED)
            ],
        ),
        (
            "deadline requests",
            "/queues/deadline-requests/",
            [
                c.action.get_absolute_url()
                for c in DeadlineChangeRequest.objects.filter(
                    status=DeadlineChangeRequest.Status.PENDING
                ).select_related("action")
            ],
        ),
    ]:
        assert queue in home, f"the inspector's home has no link to {queue}"
        reachable = one_click_pages(client, queue)
        missing = [url for url in wanted if url not in reachable]
        print(
            f"inspector, {name}: {len(wanted)} waiting, {len(missing)} not within three clicks"
        )
    today = timezone.localdate()
    forces = overdue_total = missing_total = 0
    for lead in User.objects.filter(role=Role.FORCE_LEAD, is_active=True):
        client.force_login(lead)
        assert "/queues/overdue/" in links(client.get("/").content.decode()), lead
        reachable = one_click_pages(client, "/queues/overdue/")
        overdue = Action.objects.filter(
            force=lead.force_id,
            status__in=Action.UNFINISHED_STATUSES,
            deadline__lt=today,
        )
        overdue_total += overdue.count()
        missing_total += sum(a.get_absolute_url() not in reachable for a in overdue)
        forces += 1
    print(
        f"leads: {forces} forces, {overdue_total} overdue actions, "
        f"{missing_total} not within two clicks"
    )


if __name__ == "__main__":
    main()
