"""Real parts for the reminder tests: an SMTP server, Celery workers, a private Redis.

Nothing here is a fake: the SMTP server is aiosmtpd on a local port, the workers
are Celery workers on the real Redis (in this process, or a `celery worker`
subprocess on the test database), and the private Redis is a real redis-server.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
import os
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from email import message_from_bytes
from email import policy as email_policy
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.db import connection, connections

from peel.celery import app
from tracker import services

ROOT = Path(__file__).resolve().parent.parent
CELERY = str(Path(sys.executable).with_name("celery"))

# Tuesday 2 May 2017, the day after the early May bank holiday, a month before the
# West Mercia report for scrutiny was due.
TUESDAY = datetime.date(2017, 5, 2)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, timeout: float = 20, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


# --------------------------------------------------------------------- SMTP server


class MailSink:
    """A real SMTP server that keeps every message it accepts.

    `rcpt_delay` makes it slow to accept a recipient, so that a test can catch a
    worker in the middle of sending. The moves that set up a reminder test also
    send event notifications; they are accepted too, but kept apart
    (`notifications`) unless `with_notifications`, so that a reminder test counts
    the reminders.
    """

    def __init__(
        self,
        port: int | None = None,
        rcpt_delay: float = 0.0,
        with_notifications: bool = False,
    ):
        logging.getLogger("mail.log").setLevel(
            logging.WARNING
        )  # aiosmtpd logs every command
        self.port = port or free_port()
        self.rcpt_delay = rcpt_delay
        self.with_notifications = with_notifications
        self.messages = []
        self.notifications = []
        self.controller = None

    # aiosmtpd handler hooks
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_delay:
            await asyncio.sleep(self.rcpt_delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=email_policy.default)
        is_notification = str(message["Message-ID"]).startswith("<notification.")
        keep = (
            self.messages
            if self.with_notifications or not is_notification
            else self.notifications
        )
        keep.append(
            {"to": list(envelope.rcpt_tos), "raw": envelope.content, "message": message}
        )
        return "250 Message accepted for delivery"

    def start(self) -> MailSink:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def running(self) -> bool:
        return self.controller is not None

    def to(self, email: str) -> list:
        return [m["message"] for m in self.messages if email in m["to"]]

    def per_recipient(self) -> Counter:
        return Counter(address for m in self.messages for address in m["to"])

    def point_settings_here(self, settings) -> None:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = self.port
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5


class FaultyMailSink(MailSink):
    """A MailSink that can be told to misbehave, as real mail servers do.

    - `refuse`: answer every RCPT with 451 (a refusal before DATA: nothing taken);
    - `unknown`: addresses answered with 550 at RCPT, for good ("no such user");
    - `drops`: take the message, then drop the connection before replying 250,
      this many times (the message is kept: the server has it);
    - `slow`: take the message and reply this many seconds later, after the
      client has given up waiting;
    - `before_reply`: called with the message once it is taken, before the reply.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.refuse = False
        self.refused = 0
        self.unknown: set[str] = set()
        self.refused_for_good: Counter = Counter()
        self.drops = 0
        self.slow = 0.0
        self.before_reply = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.unknown:
            self.refused_for_good[address] += 1
            return "550 5.1.1 No such user here"
        if self.refuse:
            self.refused += 1
            return "451 4.3.0 Try again later"
        return await super().handle_RCPT(
            server, session, envelope, address, rcpt_options
        )

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        if self.before_reply is not None:
            self.before_reply(self.messages[-1])
        if self.drops > 0:
            self.drops -= 1
            server.transport.abort()
            return reply
        if self.slow:
            await asyncio.sleep(self.slow)
        return reply


@pytest.fixture
def smtp_server(settings):
    sink = MailSink().start()
    sink.point_settings_here(settings)
    yield sink
    sink.stop()


@pytest.fixture
def mail_server(settings):
    """An SMTP server that counts every message, event notifications included."""
    sink = MailSink(with_notifications=True).start()
    sink.point_settings_here(settings)
    yield sink
    sink.stop()


def text_body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


# --------------------------------------------------------------------- the world


def make_action(finding, lead, owner, deadline, title=None, contributors=()):
    action = services.action_create(
        lead,
        finding=finding,
        title=title or f"Action due {deadline:%d %B %Y}",
        owner=owner,
        deadline=deadline,
    )
    if contributors:
        action.contributors.add(*contributors)
    return action


# ------------------------------------------------------------------ Celery workers


def _close_db_connection(**kwargs):
    # The worker thread's own connection: closed after each task, so that the
    # test database can be flushed and dropped.
    connection.close()


@pytest.fixture
def reminder_queue(settings):
    """A queue of this test's own on the shared Redis, so no other worker takes its tasks."""
    queue = f"test-reminders-{uuid.uuid4().hex[:12]}"
    settings.REMINDER_QUEUE = queue
    yield queue
    forget_queue(settings.CELERY_BROKER_URL, queue)


def forget_queue(broker_url: str, queue: str) -> None:
    """Remove a test queue from Redis: its messages, its bindings, its unacknowledged ones."""
    client = redis.Redis.from_url(broker_url)
    keys = client.keys(f"*{queue}*")
    if keys:
        client.delete(*keys)
    # A killed worker's message waits in the transport's unacknowledged set.
    for tag, payload in client.hgetall("unacked").items():
        if queue.encode() in payload:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


@contextlib.contextmanager
def logging_as_it_was():
    """Put Python's logging back as it was: a worker started in this process sets
    up logging for itself (the root logger's level and handlers, and its own
    loggers), which later tests' caplog would otherwise not hear through."""
    root = logging.getLogger()
    manager = logging.Logger.manager
    loggers = {
        name: (one.level, one.disabled, one.propagate, list(one.handlers))
        for name, one in manager.loggerDict.items()
        if isinstance(one, logging.Logger)
    }
    before = (root.level, list(root.handlers), manager.disable)
    try:
        yield
    finally:
        root.setLevel(before[0])
        root.handlers[:] = before[1]
        logging.disable(before[2])
        for name, one in manager.loggerDict.items():
            if not isinstance(one, logging.Logger):
                continue
            if name in loggers:
                one.level, one.disabled, one.propagate, handlers = loggers[name]
                one.handlers[:] = handlers
            else:
                one.disabled = False


@contextlib.contextmanager
def running_worker(queue: str):
    """A real Celery worker in this process (solo pool), consuming `queue`."""
    queues = app.amqp.queues
    consume_from = getattr(queues, "_consume_from", None)
    signals.task_postrun.connect(_close_db_connection)
    logging_kept = logging_as_it_was()
    logging_kept.__enter__()
    try:
        with start_worker(
            app,
            pool="solo",
            perform_ping_check=False,
            queues=[queue],
            shutdown_timeout=10,
        ) as worker:
            yield worker
    finally:
        signals.task_postrun.disconnect(_close_db_connection)
        # The worker selected its queue on the shared app; give the app back as it was.
        queues._consume_from = consume_from
        logging_kept.__exit__(None, None, None)


@pytest.fixture
def celery_worker(transactional_db, reminder_queue, settings):
    settings.REMINDER_SEND_MAX_RETRIES = 2
    settings.REMINDER_RETRY_BACKOFF_SECONDS = 0.5
    with running_worker(reminder_queue) as worker:
        yield worker


@pytest.fixture(scope="module")
def migration_data_put_back(django_db_setup, django_db_blocker):
    """After a module of transactional tests, put the migrations' data (the 43 forces) back.

    Each transactional test ends by emptying the database; tests that run after
    them and find their data dynamically would otherwise find no forces.
    """
    yield
    with django_db_blocker.unblock():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents:
            connection.creation.deserialize_db_from_string(contents)
        connection.close()


def test_database_url() -> str:
    db = connections["default"].settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


class WorkerProcess:
    """`celery -A peel worker` in a subprocess, on the test database and the test's queue."""

    def __init__(self, queue: str, smtp_port: int, log: Path, **env):
        self.queue, self.log = queue, log
        self.env = {
            **os.environ,
            "DATABASE_URL": test_database_url(),
            "CONN_MAX_AGE": "0",
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "EMAIL_TIMEOUT": "5",
            "REMINDER_QUEUE": queue,
            "ENV_FILE": os.devnull,
            **{key: str(value) for key, value in env.items()},
        }
        self.process = None

    def start(self, timeout: float = 30) -> WorkerProcess:
        self.log_file = open(self.log, "ab")
        self.process = subprocess.Popen(
            [
                CELERY,
                "-A",
                "peel",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "-Q",
                self.queue,
                "-n",
                f"{self.queue}-{uuid.uuid4().hex[:6]}@%h",
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        start = self.log.stat().st_size if self.log.exists() else 0
        ready = wait_until(
            lambda: (
                b" ready." in self.log.read_bytes()[start:]
                or self.process.poll() is not None
            ),
            timeout,
        )
        if not ready or self.process.poll() is not None:
            raise RuntimeError(
                f"The worker did not start:\n{self.log.read_text()[-3000:]}"
            )
        return self

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: no shutdown, no acknowledgement
        self.process.wait(10)
        self.log_file.close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self.process:
            self.log_file.close()


# ---------------------------------------------------------------- a private Redis


class PrivateRedis:
    """A redis-server of the test's own on a free port, which the test may stop.

    The shared Redis on 6379 is never touched.
    """

    def __init__(self):
        self.port = free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        if not wait_until(lambda: self._answers(client), 10):
            raise RuntimeError("The private redis-server did not start.")
        return self

    @staticmethod
    def _answers(client) -> bool:
        try:
            return client.ping()
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def private_redis():
    server = PrivateRedis().start()
    yield server
    server.stop()


@contextlib.contextmanager
def broker_at(url: str):
    """Point the Celery app at another broker for a while.

    Celery reads CELERY_BROKER_URL from the environment before its settings, so
    both change. kombu keeps one connection pool per broker address, so dropping
    the app's references is enough: switching back finds the original pools open.
    """
    saved_env, saved_conf = os.environ.get("CELERY_BROKER_URL"), app.conf.broker_url

    def point(env_url, conf_url):
        if env_url is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = env_url
        app.conf.broker_url = conf_url
        app._pool = None
        app.amqp._producer_pool = None

    point(url, url)
    try:
        yield
    finally:
        point(saved_env, saved_conf)
