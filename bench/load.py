"""Load test: people's real paths through the app under gunicorn, beside the admin changelist.

The tracker under gunicorn, with production settings on PostgreSQL, as many
people at once follow their usual paths; beside it, the same load on the admin's
changelist of actions.

    python -m bench.load --database-url postgres://postgres@127.0.0.1:5432/peel_bench_50000 \\
        [--redis-url redis://127.0.0.1:6379/13] [--users 50] [--seconds 60] \\
        [--servers 1|2] [--json load.json]

What is measured. `--users` simulated people (70% force staff, 20% force leads,
10% inspectors) use the app at once for `--seconds`, each a signed-in account of
its own, with a think time of 1 to 3 s between pages:

- force staff: home, the action list, one of their own actions in progress, then a
  progress update on it through the page's form (a POST of the form as a browser
  sends it, multipart, with the CSRF token from the form; the redirect that
  follows is fetched as the browser would);
- force leads: home, the action list filtered to overdue work in progress, the
  plain list, their force's page, one of their force's actions;
- inspectors: home, the national view, the action list, one of the largest
  inspections.

Then the same number of people, for as long, all ask for the admin changelist of
actions (/admin/tracker/action/) as the administrator: the baseline each page is
compared with. For each page: the requests made, those that failed, the 50th,
95th and 99th percentiles of the response time (exact, from every request's own
time as locust measures it: sending, waiting, reading the whole body) and the
requests a second. A request fails if it is refused or cut off, if a page does
not answer 200 (a redirect to the sign-in page is a failure too), if the action
page lacks the update form, or if the update does not answer with a redirect (a
form shown again with its errors is a failure, and says why). Each run starts
with a few seconds' warm-up that is not counted; a request counts if it started
within the timed window (those still running at its end get a few seconds more).

How. Everything the servers are told is set here, not taken from the caller's
shell: DEBUG off, a fresh random SECRET_KEY for the run, DATABASE_URL, the cache
on Redis (CACHE_URL, one database of its own, flushed before and after: both
servers of a two-server run share it, as they share PostgreSQL), Celery's broker
on that same database (on a queue nobody takes), the request log off. A first
process with the same environment migrates, collects the static files unless they
are already (with DEBUG off the pages name them through the manifest), refreshes
PostgreSQL's planner statistics (ANALYZE, as autovacuum would), picks the people and what each will
open with plain ORM queries (only what each may see: their own force's work) and
signs each simulated person in with Django's test client (`force_login`): a
session row in PostgreSQL (the app keeps sessions in the database), whose cookie
goes to locust. Nobody is given a password: hashing one at every sign-in would
weigh more than the pages. The sessions are deleted at the end; the progress
updates stay, as any update would (their text begins "Load test (bench.load)").

The servers speak plain HTTP on loopback; the client stands in for the
TLS-terminating proxy of a real deployment and says `X-Forwarded-Proto: https`,
which the app trusts (SECURE_PROXY_SSL_HEADER_NAME=HTTP_X_FORWARDED_PROTO), so that
the production settings hold unchanged: SSL redirect on, secure cookies, and the
strict Origin check of CSRF on HTTPS (the POST carries Origin and Referer, as a
browser's does). The client's cookie jar takes the loopback's plain HTTP for the
HTTPS it stands in for, so it sends the secure cookies back, as a browser would.

Two servers (`--servers 2`): two gunicorn servers on two ports behind one address,
nginx (Debian's; `bin/bench` installs it) in round robin, started here with a
config of its own in a temporary folder; without nginx the run is skipped, saying
so. nginx does not retry a request on the other server, so a failing server shows
as failures.

The load is driven by locust (FastHttpUser, lighter on the CPU than HttpUser) as
a library in a process of its own. Locust, gunicorn and PostgreSQL share the
machine's cores: the CPU each took over the timed window is reported too, in cores
busy on average (PostgreSQL's is the whole server's, the load test's alone when
nothing else uses it), with what the machine spent on anything else: another
benchmark or a test run at the same time takes cores from the servers, and shows
there.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench import ADMIN

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"

# Two cores, shared with locust and PostgreSQL. The app's work is Python (the ORM,
# the templates), which holds the GIL, so threads would add little: sync workers,
# three of them, so that two can compute while one waits on PostgreSQL. More would
# only queue on the same two cores (and hold more database connections).
WORKERS_PER_SERVER = 3
WORKER_CLASS = "sync"

# Between two pages a person reads for 1 to 3 s: quicker than people are, so that
# 50 of them make a heavy load (about 20 pages a second), yet each still a person
# waiting for a page, not a loop that keeps every worker busy whatever the pages
# cost: the percentiles then tell the time a page takes, not only the queue.
THINK_SECONDS = (1.0, 3.0)
WARMUP_SECONDS = 5
GRACE_SECONDS = 5  # for the requests still running when the window closes

SHARES = {"force lead": 0.2, "inspector": 0.1}  # the rest are force staff
ACTIONS_PER_PERSON = 3
INSPECTIONS = 10

# The rows of the table, in the order they are printed.
PAGES = [
    "home: force staff",
    "home: force lead",
    "home: inspector",
    "action list",
    "action list: filtered",
    "action",
    "update (POST)",
    "force",
    "inspection",
    "national",
]
UPDATE = "update (POST)"
UPDATE_TEXT = "Load test (bench.load): progress noted."
SAVED = "Your progress update was saved."


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ----------------------------------------------------------------- environment


def server_env(database_url: str, redis_url: str, secret_key: str) -> dict[str, str]:
    """The whole environment of the servers and of the setup: production settings,
    nothing from the caller's shell but where programs and home are."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "peel.settings",
            "ENV_FILE": os.devnull,  # a development .env would turn DEBUG on
            "DEBUG": "false",
            "SECRET_KEY": secret_key,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # The client stands in for a TLS-terminating proxy (see the docstring).
            "SECURE_PROXY_SSL_HEADER_NAME": "HTTP_X_FORWARDED_PROTO",
            "DATABASE_URL": database_url,
            "CACHE_URL": redis_url,
            "CELERY_BROKER_URL": redis_url,
            "CELERY_RESULT_BACKEND": redis_url,
            # Notifications queued by the updates wait here, taken by no worker,
            # and go when the Redis database is flushed.
            "REMINDER_QUEUE": "bench-load",
            "LOG_LEVEL": "WARNING",
            "REQUEST_LOG": "false",
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def redis_db(redis_url: str) -> int:
    path = urlsplit(redis_url).path.strip("/")
    if not path.isdigit() or int(path) == 0:
        raise ValueError(
            f"{redis_url}: name a Redis database of the load test's own (not 0), "
            "e.g. redis://127.0.0.1:6379/13: it is flushed."
        )
    return int(path)


def flush_redis(redis_url: str) -> None:
    import redis

    redis_db(redis_url)
    redis.Redis.from_url(redis_url, socket_connect_timeout=2).flushdb()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def find_nginx() -> str | None:
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None


# --------------------------------------------------------------------- servers


class Processes:
    """The processes a run starts, each in a process group of its own, all stopped
    (the whole group) however the run ends."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.started: list[tuple[str, subprocess.Popen, Path]] = []

    def start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        log_path = self.folder / f"{name}.log"
        with log_path.open("wb") as out:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append((name, process, log_path))
        return process

    def check_alive(self) -> None:
        for name, process, log_path in self.started:
            if process.poll() is not None:
                raise RuntimeError(
                    f"{name} stopped (exit {process.returncode}):\n"
                    f"{log_path.read_text(errors='replace')[-3000:]}"
                )

    def logs(self) -> dict[str, str]:
        """What each process wrote: gunicorn's and Django's warnings and errors only,
        nginx's in its error log."""
        out = {}
        logs = [(name, log_path) for name, _, log_path in self.started]
        for name, log_path in [
            *logs,
            ("nginx error log", self.folder / "nginx-error.log"),
        ]:
            text = (
                log_path.read_text(errors="replace").strip()
                if log_path.exists()
                else ""
            )
            if text:
                out[name] = text[-6000:]
        return out

    def stop_all(self) -> None:
        for _, process, _ in reversed(self.started):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for _, process, _ in reversed(self.started):
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait(5)


def wait_until_up(processes: Processes, port: int, timeout: float = 60) -> None:
    """Until /health/live/ answers 200 on the port (it needs neither TLS nor a session)."""
    import http.client

    deadline = time.monotonic() + timeout
    while True:
        processes.check_alive()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/health/live/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        if time.monotonic() > deadline:
            raise RuntimeError(f"Nothing answers on port {port} after {timeout:.0f} s.")
        time.sleep(0.2)


def start_gunicorn(
    processes: Processes, name: str, port: int, env: dict
) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "peel.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={WORKERS_PER_SERVER}",
        f"--worker-class={WORKER_CLASS}",
        "--timeout=60",
        "--graceful-timeout=10",
        "--log-level=warning",
        "--error-logfile=-",
        f"--name=peel-load-{port}",
    ]
    return processes.start(name, command, env)


NGINX_CONF = """\
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    client_max_body_size 60m;
    upstream peel {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://peel;
            # With its port: CSRF compares the Origin with the host the client named.
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto;
            proxy_read_timeout 90s;
            # A failure shows as one, not hidden by a second try on the other server.
            proxy_next_upstream off;
        }}
    }}
}}
"""


def start_nginx(
    processes: Processes, nginx: str, port: int, upstreams: list[int]
) -> subprocess.Popen:
    folder = processes.folder
    # nginx's workers run as nobody when started by root: let them into the folder.
    folder.chmod(0o755)
    conf = folder / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            folder=folder,
            port=port,
            servers="\n".join(f"        server 127.0.0.1:{p};" for p in upstreams),
        )
    )
    error_log = str(folder / "nginx-error.log")
    base = [nginx, "-p", str(folder), "-c", str(conf), "-e", error_log]
    checked = subprocess.run(
        [*base, "-t", "-q"], capture_output=True, text=True, timeout=30
    )
    if checked.returncode:
        raise RuntimeError(f"nginx refuses its config:\n{checked.stderr}")
    return processes.start("nginx", base, {"PATH": os.environ.get("PATH", "")})


# ----------------------------------------------------------------------- setup


def static_files_stale() -> bool:
    """Whether `collectstatic` must run: with DEBUG off the pages name the static
    files through its manifest. It compresses every file anew (most of a minute on
    two cores), so it runs only when the manifest lacks a file or is older than one."""
    from django.apps import apps
    from django.conf import settings
    from django.contrib.staticfiles import finders
    from django.contrib.staticfiles.storage import staticfiles_storage

    manifest = Path(settings.STATIC_ROOT) / staticfiles_storage.manifest_name
    if not manifest.exists():
        return True
    collected, _ = staticfiles_storage.load_manifest()
    since = manifest.stat().st_mtime
    ignore = apps.get_app_config("staticfiles").ignore_patterns  # collectstatic's own
    for finder in finders.get_finders():
        for path, storage in finder.list(ignore):
            name = "/".join(filter(None, [getattr(storage, "prefix", None), path]))
            if (
                name not in collected
                or Path(storage.path(path)).stat().st_mtime > since
            ):
                return True
    return False


def role_counts(users: int) -> dict[str, int]:
    """How many of each role: 20% leads and 10% inspectors (one at least), staff the rest."""
    counts = {role: max(1, round(users * share)) for role, share in SHARES.items()}
    counts = {"force staff": users - sum(counts.values()), **counts}
    if counts["force staff"] < 1:
        raise ValueError(f"{users} users are too few for the three roles.")
    return counts


def choose_people(counts: dict[str, int]) -> list[dict]:
    """Who the simulated people are and what each opens, with plain ORM queries.

    Force staff and leads from the forces with the most actions, the busiest first
    (as the page benchmark's); each staff member with up to three of their own
    actions in progress (an update there changes no status, and no two simulated
    people share an action, so no update meets another's change), each lead with
    their force's page and recently updated open actions; inspectors with the
    largest inspections. All of it passes the app's own visibility rules.
    """
    from django.db.models import Count, F, Q

    from tracker.models import Action, Inspection, Role, User
    from tracker.permissions import may_update
    from tracker.selectors import visible_actions, visible_inspections

    forces = list(
        Action.objects.values_list("force", flat=True)
        .annotate(n=Count("pk"))
        .order_by("-n", "force")
    )
    staff: list[dict] = []
    leads: list[dict] = []
    for force_id in forces:
        people = User.objects.filter(force_id=force_id, is_active=True)
        for user in (
            people.filter(role=Role.FORCE_STAFF)
            .annotate(
                open_owned=Count(
                    "owned_actions",
                    filter=Q(owned_actions__status__in=Action.UNFINISHED_STATUSES),
                )
            )
            .order_by("-open_owned", "pk")
        ):
            if len(staff) == counts["force staff"]:
                break
            mine = visible_actions(user).filter(
                owner=user, status=Action.Status.IN_PROGRESS
            )
            urls = [
                action.get_absolute_url()
                for action in mine.order_by("pk")[: ACTIONS_PER_PERSON * 2]
                if may_update(user, action)
            ][:ACTIONS_PER_PERSON]
            if urls:
                staff.append(
                    {"role": "force staff", "email": user.email, "actions": urls}
                )
        lead = people.filter(role=Role.FORCE_LEAD).select_related("force").first()
        if lead is not None and len(leads) < counts["force lead"]:
            theirs = visible_actions(lead).filter(
                force_id=force_id, status__in=Action.UNFINISHED_STATUSES
            )
            recent = theirs.order_by(F("last_progress_at").desc(nulls_last=True), "pk")
            leads.append(
                {
                    "role": "force lead",
                    "email": lead.email,
                    "force": lead.force.get_absolute_url(),
                    "actions": [
                        a.get_absolute_url() for a in recent[:ACTIONS_PER_PERSON]
                    ],
                }
            )
        if len(staff) == counts["force staff"] and len(leads) == counts["force lead"]:
            break
    if len(staff) < counts["force staff"] or len(leads) < counts["force lead"]:
        raise SystemExit(
            f"The database has {len(staff)} force staff with work in progress and "
            f"{len(leads)} force leads; the load needs {counts['force staff']} and "
            f"{counts['force lead']}."
        )

    inspectors = list(
        User.objects.filter(role=Role.INSPECTOR, is_active=True).order_by("pk")
    )
    largest = list(
        Inspection.objects.annotate(n=Count("actions")).order_by("-n", "pk")[
            :INSPECTIONS
        ]
    )
    inspecting = []
    for n in range(counts["inspector"]):
        inspector = inspectors[n % len(inspectors)]  # more people than accounts: again
        seen = set(
            visible_inspections(inspector)
            .filter(pk__in=[i.pk for i in largest])
            .values_list("pk", flat=True)
        )
        inspecting.append(
            {
                "role": "inspector",
                "email": inspector.email,
                "inspections": [i.get_absolute_url() for i in largest if i.pk in seen],
            }
        )
    return [*staff, *leads, *inspecting]


def prepare_main(out_path: str, users: int) -> None:
    """In the servers' environment: migrate, collect the static files if need be,
    analyze, choose the people and sign each in (a session of their own, made with Django's
    test client). Writes what locust needs to `out_path`."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.pages import World
    from tracker.models import Action, User

    call_command("migrate", interactive=False, verbosity=0)
    if static_files_stale():
        call_command("collectstatic", interactive=False, verbosity=0)
    # Planner statistics, as autovacuum keeps them in production: a database just
    # filled (or a server with autovacuum off) has none, and some of the pages'
    # queries then take plans many times slower (an inspector's home: 20 times).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    def sign_in(user) -> dict[str, str]:
        client = Client()
        client.force_login(user)
        name = settings.SESSION_COOKIE_NAME
        return {name: client.cookies[name].value}

    counts = role_counts(users)
    people = choose_people(counts)
    accounts = User.objects.in_bulk([p["email"] for p in people], field_name="email")
    for person in people:
        person["cookies"] = sign_in(accounts[person["email"]])
    # The page benchmark's people and addresses (bench.pages).
    world = World.choose()
    urls = {page.name: page.url for page in world.pages()}
    admin = world.people["admin"]
    admins = [
        {"role": "admin", "email": admin.email, "cookies": sign_in(admin)}
        for _ in range(users)
    ]
    spec = {
        "actions": Action.objects.count(),
        "people": people,
        "admins": admins,
        "counts": counts,
        "sessions": [
            key for person in [*people, *admins] for key in person["cookies"].values()
        ],
        "urls": {
            "home": "/",
            "list": urls["action list"],
            "filtered": urls["action list: filtered"],
            "national": urls["national"],
            "admin": urls[ADMIN],
        },
    }
    Path(out_path).write_text(json.dumps(spec))


def prepare(env: dict, users: int, folder: Path) -> dict:
    out = folder / "people.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench.load", "--prepare", str(out), f"--users={users}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"The setup failed:\n{done.stderr[-4000:]}")
    return json.loads(out.read_text())


def delete_sessions(database_url: str, keys: list[str]) -> None:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("DELETE FROM django_session WHERE session_key = ANY(%s)", [keys])


# ---------------------------------------------------------------------- locust


def drive_main(spec_path: str, out_path: str) -> None:
    """Locust's side, in a process of its own (locust patches the standard library
    with gevent's on import). Runs one load and writes its figures to `out_path`."""
    # Before anything imports ssl or threading (locust would do it too, later).
    from gevent import monkey

    monkey.patch_all()
    import html
    import random
    import re
    from collections import Counter, defaultdict
    from html.parser import HTMLParser
    from http.cookiejar import Cookie, DefaultCookiePolicy

    import gevent
    import psutil
    from locust import FastHttpUser, between, task
    from locust.env import Environment
    from locust.log import setup_logging

    setup_logging("WARNING")
    spec = json.loads(Path(spec_path).read_text())
    host = spec["host"]
    origin = "https://" + urlsplit(host).netloc
    urls = spec["urls"]
    pools = defaultdict(list)
    for person in spec["people"]:
        pools[person["role"]].append(person)

    window = {"start": float("inf"), "end": float("inf")}
    times: dict[str, list[float]] = defaultdict(list)
    failures: Counter = Counter()
    reasons: Counter = Counter()

    def on_request(name, response_time, start_time, exception=None, **_):
        if not window["start"] <= start_time < window["end"]:
            return
        times[name].append(response_time)
        if exception is not None:
            failures[name] += 1
            # Alike whichever row it was about: /actions/<id>/updates/.
            reasons[f"{name}: {re.sub(r'/[0-9]+/', '/<id>/', str(exception))}"] += 1

    class FormFields(HTMLParser):
        """The fields a browser would send from the one form in `markup`."""

        def __init__(self):
            super().__init__()
            self.fields: list[tuple[str, str, str]] = []  # (name, kind, value)

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            name = a.get("name")
            if not name:
                return
            if tag == "input":
                kind = (a.get("type") or "text").lower()
                if kind in ("submit", "button", "reset", "image"):
                    return
                if kind in ("checkbox", "radio") and "checked" not in a:
                    return
                self.fields.append((name, kind, a.get("value") or ""))
            elif tag in ("textarea", "select"):
                self.fields.append((name, tag, ""))

    def update_form(markup: str, action_url: str) -> list | None:
        start = markup.find(f'action="{action_url}"')
        end = markup.find("</form>", start)
        if start < 0 or end < 0:
            return None
        parser = FormFields()
        parser.feed(markup[markup.rfind("<form", 0, start) : end])
        return parser.fields

    def multipart(fields: list, boundary: str) -> bytes:
        parts = []
        for name, kind, value in fields:
            if kind == "file":  # no file chosen: an empty part, as a browser sends
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                    'filename=""\r\nContent-Type: application/octet-stream\r\n\r\n\r\n'
                )
                continue
            if name == "text":
                value = UPDATE_TEXT
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
                f"\r\n\r\n{value}\r\n"
            )
        parts.append(f"--{boundary}--\r\n")
        return "".join(parts).encode()

    error_list = re.compile(
        r'class="[^"]*govuk-error-summary__list[^"]*">(.*?)</ul>', re.DOTALL
    )

    def form_errors(markup: str) -> str:
        found = error_list.search(markup)
        if not found:
            return "no error summary on the page"
        text = re.sub(r"<[^>]+>", " ", found.group(1))
        return " ".join(html.unescape(text).split())

    def header(response, name: str) -> str:
        return (response.headers or {}).get(name, "")

    def refused(response, url: str) -> str:
        if not response.status_code:  # no answer at all
            return f"{url}: {getattr(response, 'error', None) or 'no response'}"
        where = header(response, "Location")
        return f"{response.status_code} for {url}" + (
            f" (redirected to {where})" if where else ""
        )

    class Person(FastHttpUser):
        abstract = True
        host = spec["host"]
        wait_time = between(*spec["think"])
        default_headers = {
            "X-Forwarded-Proto": "https",
            "Accept": "text/html,application/xhtml+xml",
            "User-Agent": "peel-bench-load",
        }
        role = ""

        def on_start(self):
            self.me = pools[self.role].pop()
            # Plain HTTP stands for the HTTPS of a real deployment: send the
            # secure cookies (the session, CSRF's, the messages') back over it.
            self.client.cookiejar.set_policy(
                DefaultCookiePolicy(secure_protocols=("https", "wss", "http"))
            )
            for name, value in self.me["cookies"].items():
                self.client.cookiejar.set_cookie(
                    Cookie(
                        version=0,
                        name=name,
                        value=value,
                        port=None,
                        port_specified=False,
                        domain=urlsplit(host).hostname,
                        domain_specified=False,
                        domain_initial_dot=False,
                        path="/",
                        path_specified=True,
                        secure=True,
                        expires=None,
                        discard=True,
                        comment=None,
                        comment_url=None,
                        rest={"HttpOnly": ""},
                    )
                )

        def page(self, name: str, url: str, must_have: str = "") -> str | None:
            """GET a page that must answer 200; its text, or None if it failed."""
            with self.client.get(
                url, name=name, allow_redirects=False, catch_response=True
            ) as response:
                if response.status_code != 200:
                    response.failure(refused(response, url))
                    return None
                text = response.text or ""
                if must_have and must_have not in text:
                    response.failure(f"{url}: no {must_have!r} on the page")
                    return None
                return text

        def update(self, url: str) -> None:
            """The action page, then its progress-update form sent as a browser sends it."""
            post_to = f"{url}updates/"
            markup = self.page("action", url, must_have=f'action="{post_to}"')
            if markup is None:
                return
            fields = update_form(markup, post_to)
            self.wait()  # writing the update
            boundary = "----peelload" + secrets.token_hex(12)
            with self.client.post(
                post_to,
                name=UPDATE,
                data=multipart(fields, boundary),
                headers={
                    "Content-Type": f"multipart/form-data; boundary={boundary}",
                    "Origin": origin,
                    "Referer": origin + url,
                },
                allow_redirects=False,
                catch_response=True,
            ) as response:
                location = header(response, "Location")
                if response.status_code != 302:
                    why = refused(response, post_to)
                    if response.status_code in (200, 400, 409):
                        why += ": " + form_errors(response.text or "")
                    response.failure(why)
                    return
                if urlsplit(location).path != url:
                    response.failure(f"302 to {location}, not back to {url}")
                    return
            # Where the redirect leads, with the confirmation the messages cookie carries.
            self.page("action", url, must_have=SAVED)

    class Staff(Person):
        role = "force staff"
        fixed_count = spec["counts"]["force staff"]

        @task
        def work(self):
            self.page("home: force staff", urls["home"])
            self.wait()
            self.page("action list", urls["list"])
            self.wait()
            self.update(random.choice(self.me["actions"]))

    class Lead(Person):
        role = "force lead"
        fixed_count = spec["counts"]["force lead"]

        @task
        def oversee(self):
            self.page("home: force lead", urls["home"])
            self.wait()
            self.page("action list: filtered", urls["filtered"])
            self.wait()
            self.page("action list", urls["list"])
            self.wait()
            self.page("force", self.me["force"])
            if self.me["actions"]:
                self.wait()
                self.page("action", random.choice(self.me["actions"]))

    class Inspector(Person):
        role = "inspector"
        fixed_count = spec["counts"]["inspector"]

        @task
        def inspect(self):
            self.page("home: inspector", urls["home"])
            self.wait()
            self.page("national", urls["national"])
            self.wait()
            self.page("action list", urls["list"])
            if self.me["inspections"]:
                self.wait()
                self.page("inspection", random.choice(self.me["inspections"]))

    class Admin(Person):
        role = "admin"
        fixed_count = spec["users"]

        @task
        def changelist(self):
            self.page(ADMIN, urls["admin"])

    if spec["mode"] == "admin":
        classes = [Admin]
        pools["admin"] = list(spec["admins"])
    else:
        classes = [Staff, Lead, Inspector]

    def postmaster() -> int | None:
        for proc in psutil.process_iter(["name", "ppid"]):
            if proc.info["name"] == "postgres":
                try:
                    if psutil.Process(proc.info["ppid"]).name() != "postgres":
                        return proc.pid
                except psutil.Error:
                    continue
        return None

    def cpu_seconds() -> dict[str, tuple[float, dict[int, float]]]:
        """Per part, the CPU seconds of its process trees: the roots' own with what
        their ended children spent (as reaped), and each live descendant's own. So
        a process that comes and goes within the window counts too: a database
        connection past its CONN_MAX_AGE, PostgreSQL's parallel query workers."""
        roots = [*spec["server_pids"].items(), ("locust", [os.getpid()])]
        found = postmaster()
        if found:
            # The whole PostgreSQL server: when the machine is quiet, this load's.
            roots.append(("postgres", [found]))
        out = {}
        for label, pids in roots:
            reaped, live = 0.0, {}
            for pid in pids:
                try:
                    root = psutil.Process(pid)
                    spent = root.cpu_times()
                    reaped += sum(spent[:4])  # user, system, children's user, system
                    for child in root.children(recursive=True):
                        mine = child.cpu_times()
                        live[child.pid] = mine.user + mine.system
                except psutil.Error:
                    continue
            out[label] = (reaped, live)
        return out

    def spent_between(before, after) -> float:
        (reaped_before, live_before), (reaped_after, live_after) = before, after
        return (reaped_after - reaped_before) + sum(
            t - live_before.get(pid, 0.0) for pid, t in live_after.items()
        )

    def busy() -> float:
        """The machine's CPU seconds spent on anything (guest time is in user time)."""
        spent = psutil.cpu_times()._asdict()
        fields = ("user", "nice", "system", "irq", "softirq", "steal")
        return sum(spent.get(field, 0.0) for field in fields)

    env = Environment(user_classes=classes, host=host)
    env.events.request.add_listener(on_request)
    runner = env.create_local_runner()
    runner.start(spec["users"], spawn_rate=spec["users"])
    gevent.sleep(spec["warmup"])
    before, busy_before, started = cpu_seconds(), busy(), time.time()
    window["start"] = started
    gevent.sleep(spec["seconds"])
    window["end"] = ended = time.time()
    after, busy_after = cpu_seconds(), busy()
    gevent.sleep(spec["grace"])
    runner.quit()
    wall = ended - started
    cpu = {
        label: round(spent_between(before[label], after[label]) / wall, 2)
        for label in after
        if label in before
    }
    machine = (busy_after - busy_before) / wall
    # What else ran meanwhile (another benchmark, a test run) took cores from these.
    cpu["others"] = round(max(0.0, machine - sum(cpu.values())), 2)
    cpu["machine"] = round(machine, 2)
    rows = {}
    for name, taken in times.items():
        rows[name] = {
            "name": name,
            "requests": len(taken),
            "failures": failures[name],
            **percentiles(taken),
            "rps": round(len(taken) / wall, 2),
        }
    out = {
        "rows": rows,
        "seconds": round(wall, 1),
        "cpu_cores": cpu,
        "locust_cpu_warning": bool(getattr(runner, "cpu_warning_emitted", False)),
        "reasons": reasons.most_common(),
    }
    Path(out_path).write_text(json.dumps(out))


def percentiles(taken: list[float]) -> dict:
    if not taken:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None}
    if len(taken) == 1:
        return {
            "p50_ms": round(taken[0], 1),
            "p95_ms": round(taken[0], 1),
            "p99_ms": round(taken[0], 1),
        }
    cuts = statistics.quantiles(taken, n=100, method="inclusive")
    return {
        "p50_ms": round(cuts[49], 1),
        "p95_ms": round(cuts[94], 1),
        "p99_ms": round(cuts[98], 1),
    }


def drive(
    folder: Path,
    mode: str,
    *,
    host: str,
    people: dict,
    users: int,
    seconds: int,
    server_pids: dict[str, list[int]],
) -> dict:
    spec_path, out_path = folder / f"{mode}-spec.json", folder / f"{mode}-out.json"
    spec_path.write_text(
        json.dumps(
            {
                **people,
                "mode": mode,
                "host": host,
                "users": users,
                "seconds": seconds,
                "warmup": WARMUP_SECONDS,
                "grace": GRACE_SECONDS,
                "think": THINK_SECONDS,
                "server_pids": server_pids,
            }
        )
    )
    log_path = folder / f"locust-{mode}.log"
    env = {
        name: os.environ[name]
        for name in ("PATH", "HOME", "LANG")
        if name in os.environ
    }
    env["PYTHONPATH"] = str(ROOT)
    with log_path.open("wb") as out:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.load",
                "--drive",
                str(spec_path),
                str(out_path),
            ],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=WARMUP_SECONDS + seconds + GRACE_SECONDS + 120,
        )
    output = log_path.read_text(errors="replace").strip()
    if done.returncode or not out_path.exists():
        raise RuntimeError(f"Locust failed (exit {done.returncode}):\n{output[-4000:]}")
    result = json.loads(out_path.read_text())
    result["log"] = output[-3000:]
    return result


# ------------------------------------------------------------------------- run


@contextlib.contextmanager
def terminate_as_exit():
    """A SIGTERM ends the run through its `finally`, as Ctrl-C does: the servers and
    their workers are stopped, not left serving."""

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread, where signals cannot be handled
        previous = None
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def run_load(
    database_url: str,
    redis_url: str,
    *,
    users: int = 50,
    seconds: int = 60,
    servers: int = 1,
    progress=print,
) -> dict:
    """Start the servers, sign the people in, run the mixed roles' load, then the
    admin changelist's (same users, same seconds), stop everything; the figures.

    `servers` is 1 (gunicorn on one port, the client straight to it) or 2 (two
    gunicorn servers behind nginx on one port). With 2 and no nginx installed,
    nothing runs and the result says why under "skipped". The result (JSON-able):
    per page its requests, failures, p50/p95/p99 in ms and requests a second under
    "pages", the admin changelist's under "admin", "errors" (the failures of both
    loads, all counted) with up to five "error_samples", and the CPU each part took
    ("cpu_cores": cores busy on average over the timed window).
    """
    if servers not in (1, 2):
        raise ValueError("servers is 1 or 2")
    redis_db(redis_url)
    base = {
        "users": users,
        "seconds": seconds,
        "servers": servers,
        "workers_per_server": WORKERS_PER_SERVER,
        "worker_class": WORKER_CLASS,
        "think_seconds": list(THINK_SECONDS),
    }
    nginx = find_nginx()
    if servers == 2 and nginx is None:
        message = (
            "Two-server load test skipped: nginx is not installed "
            "(bin/bench installs it as root: apt-get install nginx)."
        )
        progress(message)
        return {**base, "skipped": message}

    with terminate_as_exit():
        folder = Path(tempfile.mkdtemp(prefix="peel-load-"))
        processes = Processes(folder)
        env = server_env(database_url, redis_url, secrets.token_urlsafe(50))
        sessions: list[str] = []
        try:
            flush_redis(redis_url)
            progress(f"Load test: signing in {users} people (and the admin) ...")
            people = prepare(env, users, folder)
            sessions = people.pop("sessions")
            ports = [free_port() for _ in range(servers)]
            for n, port in enumerate(ports, 1):
                start_gunicorn(processes, f"gunicorn-{n}", port, env)
            for port in ports:
                wait_until_up(processes, port)
            # Each server's CPU on its own: both of two must have taken their share.
            pids = {name: [p.pid] for name, p, _ in processes.started}
            if servers == 2:
                front = free_port()
                start_nginx(processes, nginx, front, ports)
                wait_until_up(processes, front)
                pids["nginx"] = [processes.started[-1][1].pid]
            else:
                front = ports[0]
            host = f"http://127.0.0.1:{front}"
            where = (
                f"gunicorn on port {ports[0]}"
                if servers == 1
                else f"nginx on port {front} over gunicorn on ports {ports[0]} and {ports[1]}"
            )
            runs = {}
            for mode, what in (
                ("pages", "the mixed roles"),
                ("admin", "the admin changelist"),
            ):
                progress(
                    f"Load test: {what}, {users} users for {seconds} s "
                    f"(+{WARMUP_SECONDS} s warm-up), {where} ..."
                )
                runs[mode] = drive(
                    folder,
                    mode,
                    host=host,
                    people=people,
                    users=users,
                    seconds=seconds,
                    server_pids=pids,
                )
                processes.check_alive()
            server_log = processes.logs()
        finally:
            processes.stop_all()
            try:
                if sessions:
                    delete_sessions(database_url, sessions)
                flush_redis(redis_url)
            except Exception as error:  # tidying up must not hide what went wrong
                progress(f"Load test: could not tidy up ({error})")
            shutil.rmtree(folder, ignore_errors=True)

    pages_rows = runs["pages"]["rows"]
    names = [n for n in PAGES if n in pages_rows] + sorted(
        n for n in pages_rows if n not in PAGES
    )
    admin_row = runs["admin"]["rows"].get(
        ADMIN,
        {"name": ADMIN, "requests": 0, "failures": 0, **percentiles([]), "rps": 0.0},
    )
    reasons = [*runs["pages"]["reasons"], *runs["admin"]["reasons"]]
    errors = sum(r["failures"] for r in pages_rows.values()) + sum(
        r["failures"] for r in runs["admin"]["rows"].values()
    )
    result = {
        **base,
        "actions": people["actions"],
        "people": people["counts"],
        "pages": [pages_rows[n] for n in names],
        "admin": admin_row,
        "errors": errors,
        "error_samples": [f"{text} (x{count})" for text, count in reasons[:5]],
        "cpu_cores": {mode: run["cpu_cores"] for mode, run in runs.items()},
        "cpu_count": os.cpu_count(),
        "locust_cpu_warning": any(run["locust_cpu_warning"] for run in runs.values()),
    }
    if server_log:
        result["server_log"] = server_log
    locust_warnings = [
        line
        for run in runs.values()
        for line in run["log"].splitlines()
        if "CPU" in line or "WARNING" in line or "ERROR" in line
    ]
    if locust_warnings:
        result["locust_log"] = locust_warnings[-20:]
    return result


def _ratio(value, base) -> str:
    if value is None or not base:
        return "-"
    return f"{value / base:.2f}"


def table(result: dict) -> str:
    """The figures as a table: per page its requests, failures, percentiles, and each
    percentile over the admin changelist's under the same load."""
    if "skipped" in result:
        return result["skipped"]
    servers = result["servers"]
    lines = [
        f"Load test: {result['users']} users for {result['seconds']} s, {servers} "
        f"server{'s' if servers > 1 else ''} x {result['workers_per_server']} "
        f"{result['worker_class']} workers"
        + (" behind nginx" if servers > 1 else "")
        + f", {result['actions']:,} actions, think {result['think_seconds'][0]:g}-"
        f"{result['think_seconds'][1]:g} s",
        "  people: "
        + ", ".join(f"{count} {role}" for role, count in result["people"].items()),
        "",
        f"{'page':<24}{'requests':>9}{'failed':>7}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'p99 ms':>9}{'req/s':>7}  {'p50/adm':>7}{'p95/adm':>8}{'p99/adm':>8}",
    ]
    admin = result["admin"]

    def row(r: dict, ratios: bool = True) -> str:
        def ms(v):
            return "-" if v is None else f"{v:.0f}"

        out = (
            f"{r['name']:<24}{r['requests']:>9}{r['failures']:>7}{ms(r['p50_ms']):>9}"
            f"{ms(r['p95_ms']):>9}{ms(r['p99_ms']):>9}{r['rps']:>7.1f}"
        )
        if ratios:
            out += "  " + "".join(
                f"{_ratio(r[k], admin[k]):>{w}}"
                for k, w in (("p50_ms", 7), ("p95_ms", 8), ("p99_ms", 8))
            )
        return out

    lines += [row(r) for r in result["pages"]]
    lines.append(row(admin, ratios=False))
    total = sum(r["requests"] for r in result["pages"]) + admin["requests"]
    lines += ["", f"errors: {result['errors']} (of {total:,} requests)"]
    lines += [f"  {sample}" for sample in result["error_samples"]]
    for mode, cpu in result["cpu_cores"].items():
        parts = ", ".join(
            f"{k} {v:.2f}" for k, v in cpu.items() if k not in ("machine", "others")
        )
        lines.append(
            f"CPU, {mode} run, cores busy of {result['cpu_count']}: {parts}; "
            f"other processes {cpu['others']:.2f}; whole machine {cpu['machine']:.2f}"
        )
    if result["locust_cpu_warning"]:
        lines.append("locust warned that its own CPU was above 90%")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", help="The PostgreSQL database to load (already filled)."
    )
    parser.add_argument(
        "--redis-url",
        default=DEFAULT_REDIS,
        help="The servers' shared cache: a Redis database of its own, flushed "
        f"(default {DEFAULT_REDIS}).",
    )
    parser.add_argument("--users", type=int, default=50, help="People at once.")
    parser.add_argument(
        "--seconds", type=int, default=60, help="How long each of the two loads lasts."
    )
    parser.add_argument(
        "--servers",
        type=int,
        choices=[1, 2],
        default=1,
        help="One gunicorn server, or two behind nginx on one address.",
    )
    parser.add_argument("--json", help="Also write the figures to this file.")
    # The two halves that run in processes of their own.
    parser.add_argument("--prepare", metavar="OUT", help=argparse.SUPPRESS)
    parser.add_argument(
        "--drive", nargs=2, metavar=("SPEC", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.prepare:
        prepare_main(args.prepare, args.users)
        return
    if args.drive:
        drive_main(*args.drive)
        return
    if not args.database_url:
        parser.error("--database-url is required")
    result = run_load(
        args.database_url,
        args.redis_url,
        users=args.users,
        seconds=args.seconds,
        servers=args.servers,
        progress=log,
    )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    print(table(result))
    for name, text in result.get("server_log", {}).items():
        print(f"\n{name} wrote:\n{text}")


if __name__ == "__main__":
    main()
