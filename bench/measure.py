"""One database, one process: fill it if needed, then time the pages, the sweep and sending.

Run by `python -m bench` once per size (Django's settings name one database per
process); it prints one JSON object on its last line of standard output.

    python -m bench.measure --size 50000 --seed 1 --rounds 5 \\
        --database-url postgres://postgres@127.0.0.1:5432/peel_bench_50000 [--digests 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"


def configure(database_url: str, redis_url: str) -> None:
    """Production settings, read from the environment before Django starts."""
    key = os.environ.get("SECRET_KEY", "")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "peel.settings",
            "ENV_FILE": os.devnull,  # a development .env would turn DEBUG on
            "DEBUG": "false",
            "SECRET_KEY": key if len(key) >= 50 else secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "testserver,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": redis_url,
            "CELERY_RESULT_BACKEND": redis_url,
            "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
            "REQUEST_LOG": "false",
        }
    )
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def create_database(database_url: str) -> bool:
    """Create the database if the server lacks it; True if it was created."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        if conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def summary(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {
        "median_ms": round(statistics.median(ms), 2),
        "min_ms": round(min(ms), 2),
        "max_ms": round(max(ms), 2),
    }


# ------------------------------------------------------------------------ data


def prepare(size: int, seed: int) -> dict:
    """Migrate, collect static files, and generate the data unless it is already there."""
    from django.core.management import call_command
    from django.db import connection

    from bench import generator
    from tracker.models import Action

    call_command("migrate", interactive=False, verbosity=0)
    # With DEBUG off, templates name static files through the manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    found = generator.fingerprint()
    if found and found.matches(seed, size) and Action.objects.count() == size:
        log(f"  reusing {size:,} actions (seed {seed}, generated for {found.today})")
        return {"generated": False, "generated_for": found.today.isoformat()}
    other = generator.other_data()
    if other:
        name = connection.settings_dict["NAME"]
        raise SystemExit(
            f"The database {name} holds data the generator did not make ({', '.join(other)}): "
            "drop it or name another with --database-url."
        )
    log(f"  generating {size:,} actions (seed {seed}) ...")
    started = time.perf_counter()
    counts = generator.generate(
        size, seed=seed, reset=True, progress=lambda m: log(f"    {m}")
    )
    seconds = time.perf_counter() - started
    return {"generated": True, "generate_seconds": round(seconds, 1), "counts": counts}


# ----------------------------------------------------------------------- pages


def measure_pages(size: int, rounds: int) -> list[dict]:
    from bench import ADMIN, RAW_SQL, vs_admin
    from bench.pages import World, count_queries, get, list_rows_sql, time_raw_sql

    world = World.choose()
    clients = world.clients()
    results = []
    list_sql = None
    for page in world.pages():
        client = clients[page.who]
        started = time.perf_counter()
        queries, statements = count_queries(client, page.url)  # also the warm-up
        first = time.perf_counter() - started
        if page.name == "action list":
            list_sql = list_rows_sql(statements)
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            get(client, page.url)
            times.append(time.perf_counter() - started)
        row = {
            "name": page.name,
            "size": size,
            **summary(times),
            "first_ms": round(first * 1000, 2),
            "queries": queries,
            "url": page.url,
        }
        if page.rows is not None:
            row["rows"] = page.rows
        results.append(row)
        log(f"  {page.name:<26} {row['median_ms']:>9.1f} ms  {queries:>3} queries")
    time_raw_sql(list_sql)  # warm-up
    raw = [time_raw_sql(list_sql) for _ in range(rounds)]
    results.append(
        {"name": RAW_SQL, "size": size, **summary(raw), "queries": 1, "sql": list_sql}
    )
    log(f"  {RAW_SQL:<26} {results[-1]['median_ms']:>9.1f} ms")
    admin = next(r["median_ms"] for r in results if r["name"] == ADMIN)
    floor = results[-1]["median_ms"]
    for row in results:
        row["vs_admin"] = vs_admin(row, admin)
        row["vs_raw_sql"] = round(row["median_ms"] / floor, 1)
    return results


# ----------------------------------------------------------------------- sweep


def sweep_day():
    from django.utils import timezone

    from tracker.reminders.working_days import previous_working_day

    # The sweep does nothing on a weekend or bank holiday: measure the latest working day's.
    return previous_working_day(timezone.localdate())


def clear_outbox() -> None:
    """Empty the outbox. TRUNCATE, not DELETE: round after round of deleted reminders
    would leave the table and its unique indexes bloated, and each sweep slower."""
    from django.db import connection

    from tracker.models import Reminder, ReminderPolicy

    with connection.cursor() as cursor:
        # The sweep's inserts leave deferred foreign-key checks pending in this
        # transaction, and TRUNCATE refuses a table with pending checks.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {connection.ops.quote_name(Reminder._meta.db_table)}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    ReminderPolicy.objects.update(last_swept_on=None)


def vacuum() -> None:
    """Clear dead rows and refresh planner statistics, as autovacuum would in time.

    A rolled-back update of every action (the all-open sweep) leaves as many dead
    rows as live ones, which slows every count until vacuumed: pages are measured
    on a tidy database, whatever the run before did.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def open_everything(day) -> None:
    """Make every action open, as open work is spread: deadlines from 150 days ago to
    400 days ahead (one in six undated), last progress within the past two months.

    Old actions would otherwise all be years overdue and escalated at once, which is
    no steady state the sweep meets.
    """
    from django.db import connection

    from tracker.models import Finding

    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE tracker_action SET
                status = CASE WHEN status IN ('not_started', 'in_progress') THEN status
                              ELSE 'in_progress' END,
                deadline = CASE WHEN id %% 6 = 0 THEN NULL
                                ELSE %(day)s::date + ((id * 7919) %% 550 - 150)::int END,
                last_progress_at = %(day)s::timestamptz - ((id * 31) %% 60) * interval '1 day'
            """,
            {"day": day},
        )
    Finding.objects.update(status=Finding.Status.BEING_PROGRESSED, superseded_by=None)


def measure_sweep(size: int, rounds: int, *, all_open: bool = False) -> dict:
    """Time `run_sweep` without queueing: deciding and recording, nothing sent.

    With `all_open`, every action is first made open (`open_everything`) inside a
    transaction that is rolled back afterwards: the sweep over all `size` actions.
    """
    from django.db import connection, transaction

    from tracker.models import Action
    from tracker.reminders.facts import remindable_actions
    from tracker.reminders.outbox import run_sweep

    day = sweep_day()
    times, result = [], None
    with transaction.atomic():
        # The outbox's foreign keys are checked at commit; here nothing commits
        # until the end, so check them as each row goes in, inside the timing.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        if all_open:
            open_everything(day)
        open_actions = Action.objects.open().count()
        remindable = remindable_actions().count()
        for _ in range(rounds):
            clear_outbox()
            started = time.perf_counter()
            result = run_sweep(day)
            times.append(time.perf_counter() - started)
        clear_outbox()
        transaction.set_rollback(all_open)
    row = {
        "size": size,
        "variant": "every action open" if all_open else "as generated",
        "day": day.isoformat(),
        "open_actions": open_actions,
        "remindable_actions": remindable,
        "seconds": round(statistics.median(times), 3),
        "min_seconds": round(min(times), 3),
        "max_seconds": round(max(times), 3),
        "due": len(result.due),
        "recorded": result.recorded,
        "recipients": len(result.recipients),
    }
    log(
        f"  sweep ({row['variant']}) over {open_actions:,} open actions: {row['seconds']:.2f} s, "
        f"{row['recorded']:,} reminders for {row['recipients']} people"
    )
    return row


# ------------------------------------------------------------------------ send


class MailSink:
    """A real SMTP server on a free local port that counts what it accepts."""

    def __init__(self):
        import logging

        from aiosmtpd.controller import Controller

        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.received = 0
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        return "250 Message accepted for delivery"

    def __enter__(self) -> MailSink:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


ITEMS_PER_DIGEST = 3


def make_digest_readers(count: int, day) -> list[int]:
    """`count` people, each a contributor to three open actions with a reminder waiting.

    The generator makes about ten people a force, fewer than a thousand digests need:
    these readers exist only while sending is measured. Their reminders are what a
    sweep records for a contributor, so sending checks, renders and sends them in full.
    """
    from django.contrib.auth.hashers import make_password

    from bench.generator import GENERATED_DOMAIN
    from tracker.models import Action, Finding, Reminder, Role, User

    actions = list(
        Action.objects.filter(
            status__in=Action.UNFINISHED_STATUSES,
            deadline__isnull=False,
            finding__status__in=Finding.OPEN_STATUSES,
        )
        .order_by("force_id", "pk")
        .values_list("pk", "force_id", "deadline")
    )
    by_force: dict[int, list] = {}
    for row in actions:
        by_force.setdefault(row[1], []).append(row)
    forces = sorted(by_force)
    password = make_password(None)
    readers = User.objects.bulk_create(
        [
            User(
                email=f"digest{n:04d}@bench.{GENERATED_DOMAIN}",
                role=Role.FORCE_STAFF,
                force_id=forces[n % len(forces)],
                password=password,
            )
            for n in range(count)
        ]
    )
    through = Action.contributors.through
    links, reminders = [], []
    for n, reader in enumerate(readers):
        mine = by_force[reader.force_id]
        for k in range(ITEMS_PER_DIGEST):
            action_id, _, deadline = mine[
                (n // len(forces) * ITEMS_PER_DIGEST + k) % len(mine)
            ]
            links.append(through(action_id=action_id, user_id=reader.pk))
            days_left = (deadline - day).days
            kind = "overdue" if days_left < 0 else "due_in_7_days"
            reminders.append(
                Reminder(
                    recipient=reader,
                    action_id=action_id,
                    kind=kind,
                    deadline_key=deadline,
                    send_on=day,
                    due_on=day,
                )
            )
    through.objects.bulk_create(links, ignore_conflicts=True)
    Reminder.objects.bulk_create(reminders, ignore_conflicts=True)
    return [reader.pk for reader in readers]


def remove_digest_readers() -> None:
    from bench.generator import GENERATED_DOMAIN
    from tracker.models import Action, Reminder, User

    readers = User.objects.filter(email__endswith=f"@bench.{GENERATED_DOMAIN}")
    Reminder.objects.filter(recipient__in=readers).delete()
    Action.contributors.through.objects.filter(user__in=readers).delete()
    readers.delete()


def start_worker(queue: str, smtp_port: int, log_path: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "EMAIL_TIMEOUT": "10",
        "REMINDER_QUEUE": queue,
        "LOG_LEVEL": "INFO",
    }
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "peel",
            "worker",
            "--pool=prefork",
            "--concurrency=2",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log_path.open("ab"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None or b" ready." in log_path.read_bytes():
            break
        time.sleep(0.1)
    if process.poll() is not None or b" ready." not in log_path.read_bytes():
        process.kill()
        raise RuntimeError(
            f"The Celery worker did not start:\n{log_path.read_text()[-3000:]}"
        )
    return process


def forget_queue(redis_url: str, queue: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = client.keys(f"*{queue}*")
    if keys:
        client.delete(*keys)


def measure_send(digests: int, redis_url: str, timeout: float = 300) -> dict:
    """Queue `digests` digest tasks and time them through a real worker to a real SMTP server."""
    import redis
    from django.conf import settings

    from tracker.models import Reminder
    from tracker.tasks import queue_digests

    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        log(f"  sending not measured: Redis at {redis_url} does not answer ({error})")
        return {"digests": digests, "seconds": None, "received": 0, "error": str(error)}
    day = sweep_day()
    queue = f"bench-digests-{uuid.uuid4().hex[:8]}"
    settings.REMINDER_QUEUE = queue
    clear_outbox()
    remove_digest_readers()
    readers = make_digest_readers(digests, day)
    items = Reminder.objects.filter(recipient__in=readers).count()
    log_path = Path(tempfile.gettempdir()) / f"{queue}.log"
    worker = None
    try:
        with MailSink() as sink:
            worker = start_worker(queue, sink.port, log_path)
            started = time.perf_counter()
            queued = queue_digests(readers, day)
            finish = started + timeout
            while sink.received < queued and time.perf_counter() < finish:
                time.sleep(0.05)
            # Done when the last one is marked sent, not only received.
            while (
                Reminder.objects.filter(
                    recipient__in=readers, status=Reminder.Status.SENT
                ).count()
                < items
                and time.perf_counter() < finish
            ):
                time.sleep(0.05)
            seconds = time.perf_counter() - started
            received = sink.received
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()
        forget_queue(redis_url, queue)
        log_path.unlink(missing_ok=True)
        sent = Reminder.objects.filter(
            recipient__in=readers, status=Reminder.Status.SENT
        ).count()
        remove_digest_readers()
    row = {
        "digests": digests,
        "queued": queued,
        "seconds": round(seconds, 2),
        "received": received,
        "reminders_sent": sent,
        "worker": "celery -A peel worker --pool=prefork --concurrency=2",
    }
    log(f"  sent {received} of {digests} digests in {seconds:.1f} s")
    return row


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument(
        "--digests", type=int, default=0, help="Also time sending this many digests."
    )
    parser.add_argument(
        "--only",
        choices=["all", "pages", "sweeps"],
        default="all",
        help="Time only the pages (one pass of several, interleaved with the other "
        "sizes' by `python -m bench`), or only the sweeps and sending.",
    )
    args = parser.parse_args(argv)

    configure(args.database_url, args.redis_url)
    if create_database(args.database_url):
        log(f"  created database {urlsplit(args.database_url).path.lstrip('/')}")
    import django

    django.setup()
    data = prepare(args.size, args.seed)
    if data["generated"] or args.only != "pages":
        vacuum()
    else:
        # Fresh planner statistics whatever ran before (a server may run without
        # autovacuum): a plan made without them can be 60 times slower.
        analyze()
    from django.db import connection

    out = {
        "size": args.size,
        "data": data,
        "postgresql": connection.cursor().connection.info.server_version,
    }
    if args.only in ("all", "pages"):
        out["pages"] = measure_pages(args.size, args.rounds)
    if args.only in ("all", "sweeps"):
        out["sweeps"] = [
            measure_sweep(args.size, args.rounds),
            measure_sweep(args.size, args.rounds, all_open=True),
        ]
        if args.digests:
            out["send"] = measure_send(args.digests, args.redis_url)
        vacuum()  # leave the database as tidy as it was found
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
