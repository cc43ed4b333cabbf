"""Production settings: refuse to start unsafe, and pass Django's deployment checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env_overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        # Start from the environment without the settings under test (bin/test sets some).
        if key
        not in (
            "SECRET_KEY",
            "DEBUG",
            "ALLOWED_HOSTS",
            "SECURE_SSL_REDIRECT",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        )
    }
    env.update(ENV_FILE=os.devnull, **env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def test_deploy_check_passes_without_warnings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="peel.example.org",
        CACHE_URL="redis://127.0.0.1:6379/1",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_warns_of_a_cache_of_the_process_own():
    result = manage(
        "check",
        "--deploy",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="peel.example.org",
        CACHE_URL="locmemcache://",
    )
    assert "peel.W002" in result.stderr + result.stdout
    assert "CACHE_URL=redis://" in result.stderr + result.stdout


def test_refuses_to_start_without_a_secret_key_when_not_debugging():
    result = manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_refuses_a_weak_secret_key_when_not_debugging():
    result = manage("check", DEBUG="false", SECRET_KEY="short")
    assert result.returncode != 0
    assert "too weak" in result.stderr


def test_debug_runs_without_a_secret_key():
    result = manage("check", DEBUG="true")
    assert result.returncode == 0, result.stderr


def test_time_zone_is_london(settings):
    assert settings.TIME_ZONE == "Europe/London"
    assert settings.USE_TZ is True


def production(**overrides):
    return dict(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="peel.example.org",
        **overrides,
    )


def test_check_says_when_the_static_files_are_not_collected(tmp_path):
    # Without collectstatic, every page would fail on its first stylesheet link.
    result = manage("check", **production(STATIC_ROOT=str(tmp_path)))
    assert "peel.W001" in result.stderr
    assert "manage.py collectstatic" in result.stderr


@pytest.mark.parametrize("entry_point", ["peel.wsgi", "peel.asgi"])
def test_the_web_server_refuses_to_start_without_collected_static_files(
    tmp_path, entry_point
):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS")
    }
    env.update(ENV_FILE=os.devnull, **production(STATIC_ROOT=str(tmp_path)))
    result = subprocess.run(
        [sys.executable, "-c", f"import {entry_point}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "manage.py collectstatic" in result.stderr


def test_a_bucket_named_puts_the_evidence_on_s3_storage():
    said = "from django.conf import settings; o = settings.STORAGES['default']; print(o['BACKEND'], o['OPTIONS']['bucket_name'], o['OPTIONS']['endpoint_url'])"
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        said,
        DEBUG="true",
        EVIDENCE_S3_BUCKET="peel-evidence",
        EVIDENCE_S3_ENDPOINT_URL="https://s3.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "storages.backends.s3.S3Storage",
        "peel-evidence",
        "https://s3.example.org",
    ]
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        said.split(";")[0] + "; print(settings.STORAGES['default']['BACKEND'])",
        DEBUG="true",
    )
    assert result.stdout.strip() == "django.core.files.storage.FileSystemStorage"
