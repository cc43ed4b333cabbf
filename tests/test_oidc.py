"""Signing in with the force's own accounts, through a real OpenID Connect provider.

The provider is django-oidc-provider in a Django project of its own
(tests/oidc_provider/), started on a free local port in a process of its own for
this module and stopped after it. A `requests` session plays the browser: it goes to
the provider, signs in on its form, comes back with a code, and the app exchanges
the code and checks the ID token's signature with the provider's published keys.
"""

import contextlib
import json
import logging
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import SuspiciousOperation
from playwright.sync_api import expect

from tests.browser_support import Person
from tests.conftest import make_user
from tracker.emails import welcome_message
from tracker.models import Role
from tracker.oidc import config
from tracker.oidc.backend import ProviderBackend

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parent.parent
CLIENT_ID = "peel-tracker"
CLIENT_SECRET = "a-test-client-secret"
PROVIDER_PASSWORD = "provider-password"
PROVIDER_NAME = "Test Police accounts"
# The provider's people: who they say they are, and whether it vouches for the email.
PROVIDER_USERS = [
    {"email": "Officer@Force.test"},  # onboarded as officer@force.test
    {"email": "stranger@force.test"},  # nobody onboarded them
    {"email": "unconfirmed@force.test", "verified": False},
    {"email": "gone@force.test"},  # deactivated in the tracker
    {"email": "lead@force.test", "groups": ["g-inspectors"]},
    {"email": "leaver@force.test"},  # their account at the provider is closed mid-test
]
# The inspectorate's provider: its inspector, and a force's officer it knows of too.
SECOND_CLIENT_ID = "peel-tracker-inspectorate"
SECOND_PROVIDER_NAME = "HMICFRS accounts"
SECOND_PROVIDER_USERS = [
    {"email": "inspector@hmicfrs.test"},
    {"email": "officer@force.test"},
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_provider(folder: Path, site: str, client_id: str, users: list[dict]):
    """django-oidc-provider in a process of its own on a free port, for the app at `site`."""
    port = free_port()
    config_file = folder / "config.json"
    config_file.write_text(
        json.dumps(
            {
                "client_id": client_id,
                "client_secret": CLIENT_SECRET,
                "redirect_uri": f"{site}/oidc/callback/",
                "post_logout_redirect_uri": f"{site}/accounts/login/",
                "users": [
                    {"password": PROVIDER_PASSWORD, **person} for person in users
                ],
            }
        )
    )
    database = folder / "provider.sqlite3"
    env = {
        **os.environ,
        "PROVIDER_PORT": str(port),
        "PROVIDER_DATABASE": str(database),
    }
    log = (folder / "provider.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider.serve", str(config_file)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    issuer = f"http://127.0.0.1:{port}/openid"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, (folder / "provider.log").read_text()
            try:
                requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the provider did not start"
                time.sleep(0.2)
        yield {"issuer": issuer, "database": database, "url": site}
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def provider(live_server, tmp_path_factory):
    folder = tmp_path_factory.mktemp("provider")
    with running_provider(folder, live_server.url, CLIENT_ID, PROVIDER_USERS) as it:
        yield it


@pytest.fixture(scope="module")
def second_provider(live_server, tmp_path_factory):
    """The inspectorate's own accounts, beside the force's."""
    folder = tmp_path_factory.mktemp("second-provider")
    with running_provider(
        folder, live_server.url, SECOND_CLIENT_ID, SECOND_PROVIDER_USERS
    ) as it:
        yield it


@pytest.fixture
def caplog(caplog):
    """pytest's caplog, sure to hear the sign-in's log whatever ran before.

    In a full run an earlier test left the `tracker.oidc` loggers deaf to it
    (their records never reached the root, where caplog listens) though each
    file passed alone; so the loggers are set to be heard here, and put back.
    """
    loggers = [
        logging.getLogger(name) for name in ("tracker.oidc", "tracker.oidc.backend")
    ]
    before = [(one.disabled, one.propagate, one.level) for one in loggers]
    for one in loggers:
        one.disabled, one.propagate = False, True
    caplog.set_level(logging.INFO, logger="tracker.oidc")
    caplog.set_level(logging.INFO, logger="tracker.oidc.backend")
    yield caplog
    for one, (disabled, propagate, _level) in zip(loggers, before, strict=True):
        one.disabled, one.propagate = disabled, propagate


@pytest.fixture
def oidc(settings, provider):
    settings.OIDC_ENABLED = True
    settings.OIDC_ISSUER = provider["issuer"]
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = PROVIDER_NAME
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "tracker.oidc.backend.ProviderBackend",
    ]
    # requests, like the standard library, sends no Secure cookie over plain HTTP.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    config.forget_discovery()
    yield provider
    config.forget_discovery()


@pytest.fixture
def people(force):
    return {
        "officer": make_user("officer@force.test", Role.FORCE_STAFF, force),
        "unconfirmed": make_user("unconfirmed@force.test", Role.FORCE_STAFF, force),
        "gone": make_user("gone@force.test", Role.FORCE_STAFF, force, is_active=False),
        "lead": make_user("lead@force.test", Role.FORCE_LEAD, force),
    }


def sign_in_at_provider(
    base: str, email: str, session=None, start="/oidc/authenticate/"
):
    """Start at the app's button, sign in on the provider's form, follow it home."""
    session = session or requests.Session()
    page = session.get(f"{base}{start}", timeout=10)
    assert "Test provider" in page.text, page.url
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token
    answer = session.post(
        page.url,
        data={
            "csrfmiddlewaretoken": token.group(1),
            "username": email,
            "password": PROVIDER_PASSWORD,
        },
        timeout=20,
    )
    return session, answer


def came_back_through_callback(answer) -> bool:
    return any("/oidc/callback/?code=" in step.url for step in answer.history) or (
        "/oidc/callback/?code=" in answer.url
    )


def test_first_sign_in_of_an_onboarded_person_lands_on_their_home_page(
    oidc, people, caplog
):
    session, answer = sign_in_at_provider(oidc["url"], "Officer@Force.test")
    assert came_back_through_callback(answer)
    assert answer.status_code == 200
    assert answer.url == f"{oidc['url']}/"
    assert "Sign out" in answer.text
    assert "Change password" in answer.text  # passwords are still on here
    # Signed in for the pages after it too, and as the onboarded account.
    actions = session.get(f"{oidc['url']}/actions/", allow_redirects=False)
    assert actions.status_code == 200
    assert "officer@force.test" in actions.text
    assert get_user_model().objects.count() == 4  # nobody was made
    assert "eyJ" not in caplog.text  # no token in the log


@pytest.mark.parametrize(
    "email, reason, heading",
    [
        ("stranger@force.test", "unknown_email", "There is no account for you"),
        ("unconfirmed@force.test", "unverified_email", "has not been confirmed"),
        ("gone@force.test", "inactive", "Your account in the tracker is closed"),
    ],
)
def test_a_refused_person_gets_a_page_saying_why_and_whom_to_ask(
    oidc, people, caplog, email, reason, heading
):
    before = list(get_user_model().objects.values_list("email", "is_active", "role"))
    session, answer = sign_in_at_provider(oidc["url"], email)
    assert came_back_through_callback(answer)
    assert answer.status_code == 403
    assert heading in answer.text
    assert "govuk-heading-l" in answer.text
    assert "tracker administrator" in answer.text
    assert email.lower() in answer.text
    # Not signed in, and nothing changed: no account made, none opened.
    home = session.get(f"{oidc['url']}/", allow_redirects=False)
    assert home.status_code == 302 and "/accounts/login/" in home.headers["Location"]
    after = list(get_user_model().objects.values_list("email", "is_active", "role"))
    assert after == before
    refusals = [r for r in caplog.records if r.name == "tracker.oidc.backend"]
    assert [r.levelname for r in refusals] == ["WARNING"]
    assert f"({reason}) for {email.lower()}" in refusals[0].getMessage()
    assert "eyJ" not in caplog.text


def test_a_deactivated_account_cannot_sign_in_by_password_either(oidc, people, client):
    response = client.post(
        "/accounts/login/",
        {"username": "gone@force.test", "password": "a-long-test-password"},
    )
    assert response.status_code == 200
    assert "didn’t match, or the account is inactive" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_groups_that_say_another_role_are_logged_never_applied(
    oidc, people, settings, caplog
):
    settings.OIDC_RP_SCOPES = "openid email profile groups"
    settings.OIDC_ROLE_CLAIM = "groups"
    settings.OIDC_ROLE_MAP = {"g-inspectors": "inspector"}
    _session, answer = sign_in_at_provider(oidc["url"], "lead@force.test")
    assert answer.status_code == 200 and answer.url == f"{oidc['url']}/"
    people["lead"].refresh_from_db()
    assert people["lead"].role == Role.FORCE_LEAD
    assert "lead@force.test signed in as force_lead" in caplog.text
    assert "groups say inspector" in caplog.text


def test_with_password_sign_in_off_only_the_provider_signs_in(
    oidc, people, settings, client
):
    settings.PASSWORD_SIGN_IN = False
    settings.AUTHENTICATION_BACKENDS = [
        b for b in settings.AUTHENTICATION_BACKENDS if not b.endswith("ModelBackend")
    ]
    page = client.get("/accounts/login/").content.decode()
    assert f"Sign in with {PROVIDER_NAME}" in page
    assert 'type="password"' not in page
    assert "Forgotten your password?" not in page
    refused = client.post(
        "/accounts/login/",
        {"username": "officer@force.test", "password": "a-long-test-password"},
    )
    assert refused.status_code == 403
    assert "Passwords are not used here" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    for path in ("/accounts/password_reset/", "/accounts/password_change/"):
        assert client.get(path).status_code == 403, path
    admin = client.get("/admin/login/?next=/admin/")
    assert admin.status_code == 302
    assert admin["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    # The provider still signs people in, and the header offers no password change.
    _session, answer = sign_in_at_provider(oidc["url"], "Officer@Force.test")
    assert answer.status_code == 200 and answer.url == f"{oidc['url']}/"
    assert "Change password" not in answer.text


def test_a_tampered_id_token_is_refused(oidc, people, monkeypatch, caplog):
    real = ProviderBackend.get_token

    def tampered(self, payload):
        tokens = real(self, payload)
        head, body, signature = tokens["id_token"].split(".")
        flipped = ("A" if signature[10] != "A" else "B").join(
            (signature[:10], signature[11:])
        )
        tokens["id_token"] = ".".join((head, body, flipped))
        return tokens

    monkeypatch.setattr(ProviderBackend, "get_token", tampered)
    session, answer = sign_in_at_provider(oidc["url"], "Officer@Force.test")
    assert answer.status_code == 403
    assert "could not be checked" in answer.text
    assert session.get(f"{oidc['url']}/", allow_redirects=False).status_code == 302
    assert "refused (token)" in caplog.text
    assert "eyJ" not in caplog.text


def provider_key(database: Path) -> str:
    with sqlite3.connect(database) as db:
        (key,) = db.execute("SELECT key FROM oidc_provider_rsakey").fetchone()
    return key


def id_token(key, kid: str, **claims) -> str:
    now = int(time.time())
    body = {
        "iss": claims.pop("iss"),
        "aud": CLIENT_ID,
        "sub": "1",
        "iat": now,
        "exp": now + 600,
        "nonce": "the-nonce",
        "email": "officer@force.test",
        "email_verified": True,
        **claims,
    }
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid})


@pytest.mark.parametrize(
    "change",
    [
        "another key",
        "another audience",
        "another issuer",
        "expired",
        "another nonce",
        "no signature",
    ],
)
def test_the_id_token_is_checked_where_the_library_verifies_it(oidc, change):
    """Tokens forged here, checked against the provider's real published keys."""
    kid = requests.get(f"{oidc['issuer']}/jwks", timeout=5).json()["keys"][0]["kid"]
    real_key = provider_key(oidc["database"])
    backend = ProviderBackend()
    good = id_token(real_key, kid, iss=oidc["issuer"])
    assert backend.verify_token(good, nonce="the-nonce")["sub"] == "1"
    now = int(time.time())
    forged = {
        "another key": lambda: id_token(
            rsa.generate_private_key(public_exponent=65537, key_size=2048),
            kid,
            iss=oidc["issuer"],
        ),
        "another audience": lambda: id_token(
            real_key, kid, iss=oidc["issuer"], aud="another-client"
        ),
        "another issuer": lambda: id_token(real_key, kid, iss="http://127.0.0.1:1/x"),
        "expired": lambda: id_token(
            real_key, kid, iss=oidc["issuer"], iat=now - 7200, exp=now - 3600
        ),
        "another nonce": lambda: id_token(
            real_key, kid, iss=oidc["issuer"], nonce="a-replayed-nonce"
        ),
        "no signature": lambda: jwt.encode(
            {"iss": oidc["issuer"], "aud": CLIENT_ID, "sub": "1", "exp": now + 60},
            None,
            algorithm="none",
        ),
    }[change]()
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(forged, nonce="the-nonce")


def test_sign_out_ends_the_session_here_and_goes_to_the_providers(oidc, people):
    session, answer = sign_in_at_provider(oidc["url"], "Officer@Force.test")
    assert answer.url == f"{oidc['url']}/"
    out = session.post(
        f"{oidc['url']}/accounts/logout/",
        data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
        allow_redirects=False,
    )
    assert out.status_code == 302
    location = out.headers["Location"]
    assert location.startswith(f"{oidc['issuer']}/end-session?")
    assert "id_token_hint=" in location
    # Signed out here at once, before the provider is even asked.
    home = session.get(f"{oidc['url']}/", allow_redirects=False)
    assert home.status_code == 302 and "/accounts/login/" in home.headers["Location"]
    # The provider ends its own session and sends the person back to sign in here.
    back = session.get(location, timeout=10)
    assert back.url == f"{oidc['url']}/accounts/login/"
    assert f"Sign in with {PROVIDER_NAME}" in back.text
    # Signed out there too: the provider asks for the password again.
    again = session.get(f"{oidc['url']}/oidc/authenticate/", timeout=10)
    assert "Test provider" in again.text and 'name="password"' in again.text


def test_a_password_sign_in_signs_out_here_only(oidc, people, client):
    client.force_login(people["officer"], "django.contrib.auth.backends.ModelBackend")
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"


def test_a_callback_this_browser_did_not_start_is_refused(oidc, people, client):
    response = client.get("/oidc/callback/?code=stolen&state=made-up")
    assert response.status_code == 403
    assert "not started from this browser" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_provider_that_cannot_be_reached_gets_a_page(oidc, settings, client):
    settings.OIDC_ISSUER = f"http://127.0.0.1:{free_port()}/openid"
    config.forget_discovery()
    response = client.get("/oidc/authenticate/")
    assert response.status_code == 503
    assert "could not reach" in response.content.decode()


def test_without_a_provider_the_sign_in_page_is_as_it_was(client, settings):
    assert settings.OIDC_ENABLED is False
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with" not in page
    assert 'type="password"' in page
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=a&state=b").status_code == 404


def test_with_passwords_off_the_welcome_says_to_sign_in_with_the_provider(
    settings, force
):
    person = make_user("new@force.test", Role.FORCE_STAFF, force)
    assert "set your password" in welcome_message(person).body
    settings.PASSWORD_SIGN_IN = False
    settings.OIDC_PROVIDER_NAME = PROVIDER_NAME
    message = welcome_message(person)
    assert "set your password" not in message.body
    assert "/reset/" not in message.body
    assert f"You sign in with {PROVIDER_NAME}" in message.body
    assert "/accounts/login/" in message.body
    html = message.alternatives[0][0]
    assert "Set your password" not in html and "/accounts/login/" in html


def test_password_failures_still_lock_out_beside_the_provider(oidc, people, client):
    for _ in range(5):
        client.post(
            "/accounts/login/", {"username": "officer@force.test", "password": "no"}
        )
    locked = client.post(
        "/accounts/login/",
        {"username": "officer@force.test", "password": "a-long-test-password"},
    )
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def check_accessibility(page, name):
    Person.check_accessibility(SimpleNamespace(page=page, scanned={}), name)


def test_in_a_browser_a_person_signs_in_with_the_provider_and_a_stranger_is_told_why(
    oidc, people, browser, static_files, tmp_path
):
    page = browser.new_context(base_url=oidc["url"]).new_page()
    page.goto("/accounts/login/")
    check_accessibility(page, "sign-in with a provider")
    page.screenshot(path=tmp_path / "sign-in.png", full_page=True)
    page.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}").click()
    expect(page.get_by_role("heading", name="Test provider")).to_be_visible()
    page.get_by_label("Email").fill("Officer@Force.test")
    page.get_by_label("Password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(oidc["url"] + "/")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    stranger = browser.new_context(base_url=oidc["url"]).new_page()
    stranger.goto("/accounts/login/")
    stranger.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}").click()
    stranger.get_by_label("Email").fill("stranger@force.test")
    stranger.get_by_label("Password").fill(PROVIDER_PASSWORD)
    stranger.get_by_role("button", name="Sign in").click()
    expect(
        stranger.get_by_role("heading", name="There is no account for you")
    ).to_be_visible()
    check_accessibility(stranger, "refused sign-in")
    stranger.screenshot(path=tmp_path / "refused.png", full_page=True)


def test_refusals_at_the_callback_lock_nobody_out(oidc, people):
    for _ in range(6):
        _session, answer = sign_in_at_provider(oidc["url"], "stranger@force.test")
        assert answer.status_code == 403
    _session, answer = sign_in_at_provider(oidc["url"], "Officer@Force.test")
    assert answer.status_code == 200 and answer.url == f"{oidc['url']}/"


# More than one provider ---------------------------------------------------------------


@pytest.fixture
def two_providers(oidc, second_provider, settings):
    """The force's accounts first, the inspectorate's beside them (OIDC_MORE_PROVIDERS)."""
    settings.OIDC_MORE_PROVIDERS = {
        "hmicfrs": {
            "OIDC_ISSUER": second_provider["issuer"],
            "OIDC_RP_CLIENT_ID": SECOND_CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_PROVIDER_NAME": SECOND_PROVIDER_NAME,
            "OIDC_RP_SCOPES": "openid email profile",
            "OIDC_RP_SIGN_ALGO": "RS256",
            "OIDC_EMAIL_CLAIM": "email",
            "OIDC_REQUIRE_VERIFIED_EMAIL": True,
            "OIDC_EMAIL_VERIFIED_CLAIM": "email_verified",
            "OIDC_EMAIL_DOMAINS": ["hmicfrs.test"],
            "OIDC_ROLE_CLAIM": "",
            "OIDC_ROLE_MAP": {},
            "OIDC_FORCE_MAP": {},
            "OIDC_OP_AUTHORIZATION_ENDPOINT": "",
            "OIDC_OP_TOKEN_ENDPOINT": "",
            "OIDC_OP_USER_ENDPOINT": "",
            "OIDC_OP_JWKS_ENDPOINT": "",
            "OIDC_OP_END_SESSION_ENDPOINT": "",
        }
    }
    return {"first": oidc, "second": second_provider}


SECOND_START = "/oidc/authenticate/?provider=hmicfrs"


def test_the_sign_in_page_offers_each_provider(two_providers, client):
    page = client.get("/accounts/login/?next=/actions/").content.decode()
    assert f"Sign in with {PROVIDER_NAME}" in page
    assert f"Sign in with {SECOND_PROVIDER_NAME}" in page
    assert 'href="/oidc/authenticate/?next=%2Factions%2F"' in page
    assert 'href="/oidc/authenticate/?provider=hmicfrs&amp;next=%2Factions%2F"' in page
    assert client.get("/oidc/authenticate/?provider=elsewhere").status_code == 404


def test_an_inspector_signs_in_with_the_inspectorates_provider_and_out_of_it(
    two_providers, people, caplog
):
    make_user("inspector@hmicfrs.test", Role.INSPECTOR)
    site = two_providers["first"]["url"]
    session, answer = sign_in_at_provider(
        site, "inspector@hmicfrs.test", start=SECOND_START
    )
    assert came_back_through_callback(answer)
    assert answer.url == f"{site}/"
    assert "inspector@hmicfrs.test" in session.get(f"{site}/national/").text
    # Signing out goes on to the provider the person came through.
    out = session.post(
        f"{site}/accounts/logout/",
        data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
        allow_redirects=False,
    )
    assert out.headers["Location"].startswith(
        f"{two_providers['second']['issuer']}/end-session?"
    )
    assert f"client_id={SECOND_CLIENT_ID}" in out.headers["Location"]


def test_a_provider_vouches_only_for_its_own_organisations_people(
    two_providers, people, caplog
):
    # The inspectorate's provider knows a force officer's address too: it is not
    # the provider for them, so it cannot sign them in.
    session, answer = sign_in_at_provider(
        two_providers["first"]["url"], "officer@force.test", start=SECOND_START
    )
    assert answer.status_code == 403
    assert "Sign in with your own organisation" in answer.text
    assert SECOND_PROVIDER_NAME in answer.text
    assert "_auth_user_id" not in session.cookies.get_dict()
    refusals = [r for r in caplog.records if r.name == "tracker.oidc.backend"]
    assert [r.getMessage() for r in refusals] == [
        f"Sign-in through {SECOND_PROVIDER_NAME} refused (other_domain) for "
        "officer@force.test: not one of hmicfrs.test"
    ]
    # The force's own provider signs them in.
    _session, answer = sign_in_at_provider(
        two_providers["first"]["url"], "Officer@Force.test"
    )
    assert answer.url == f"{two_providers['first']['url']}/"


def test_an_answer_is_checked_against_the_provider_the_sign_in_went_to(
    two_providers, people, caplog
):
    """A code from the first provider, brought back under a sign-in begun with the
    second: exchanged with the second, which knows nothing of it; refused."""
    site = two_providers["first"]["url"]
    session = requests.Session()
    begun = session.get(f"{site}{SECOND_START}", allow_redirects=False)
    asked = dict(parse_qsl(urlsplit(begun.headers["Location"]).query))
    # The same request, taken to the first provider instead (its own client id).
    first = two_providers["first"]["issuer"]
    page = session.get(
        f"{first}/authorize?" + urlencode({**asked, "client_id": CLIENT_ID}),
        timeout=10,
    )
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    answer = session.post(
        page.url,
        data={
            "csrfmiddlewaretoken": token.group(1),
            "username": "Officer@Force.test",
            "password": PROVIDER_PASSWORD,
        },
        timeout=20,
    )
    assert came_back_through_callback(answer)
    assert answer.status_code in (403, 503)
    assert "You have not been signed in" in answer.text or "not working" in answer.text
    home = session.get(f"{site}/", allow_redirects=False)
    assert home.status_code == 302 and "/accounts/login/" in home.headers["Location"]


# Asked again --------------------------------------------------------------------------

PAGE = {"Accept": "text/html,application/xhtml+xml"}  # what a browser sends for a page


def as_if_a_while_had_passed(session) -> None:
    """The person's sign-in here as it is once OIDC_RECHECK_MINUTES have passed."""
    store = SessionStore(session.cookies["sessionid"])
    store["oidc_id_token_expiration"] = time.time() - 1
    store.save()


def test_after_a_while_the_provider_is_asked_again_and_a_person_still_there_goes_on(
    oidc, people
):
    site = oidc["url"]
    session, answer = sign_in_at_provider(site, "Officer@Force.test")
    assert answer.url == f"{site}/"
    as_if_a_while_had_passed(session)

    page = session.get(f"{site}/actions/?status=in_progress", headers=PAGE, timeout=20)

    asked = [step.headers["Location"] for step in page.history]
    assert any("prompt=none" in where for where in asked), asked
    assert page.url == f"{site}/actions/?status=in_progress"
    assert "officer@force.test" in page.text
    # Not asked again on the next page.
    again = session.get(f"{site}/actions/", headers=PAGE, allow_redirects=False)
    assert again.status_code == 200


def test_someone_whose_account_the_provider_closes_is_signed_out_at_the_next_ask(
    oidc, people, force, caplog
):
    make_user("leaver@force.test", Role.FORCE_STAFF, force)
    site = oidc["url"]
    session, answer = sign_in_at_provider(site, "leaver@force.test")
    assert answer.url == f"{site}/"
    # They leave the force: its IT service closes their account.
    with sqlite3.connect(oidc["database"]) as db:
        db.execute(
            "UPDATE auth_user SET is_active = 0 WHERE username = ?",
            ("leaver@force.test",),
        )
    # Until the tracker asks again, a file or a script's request is not interrupted.
    assert session.get(f"{site}/actions/", allow_redirects=False).status_code == 200
    as_if_a_while_had_passed(session)

    page = session.get(f"{site}/actions/", headers=PAGE, timeout=20)

    assert page.status_code == 403
    assert "Your sign-in has ended" in page.text
    home = session.get(f"{site}/", headers=PAGE, allow_redirects=False)
    assert home.status_code == 302 and "/accounts/login/" in home.headers["Location"]
    assert "refused (cancelled)" in caplog.text


def test_a_provider_that_cannot_be_asked_again_lets_the_person_go_on(
    oidc, people, settings
):
    site = oidc["url"]
    session, _ = sign_in_at_provider(site, "Officer@Force.test")
    as_if_a_while_had_passed(session)
    settings.OIDC_ISSUER = f"http://127.0.0.1:{free_port()}/openid"
    config.forget_discovery()

    page = session.get(f"{site}/actions/", headers=PAGE, timeout=20)

    assert page.url == f"{site}/actions/" and page.status_code == 200
    assert SessionStore(session.cookies["sessionid"])["oidc_id_token_expiration"] > (
        time.time() + 60
    )
