"""Onboarding: a person added without a password gets a welcome email with a link
to set one; signing in takes the email address in any letter case.

The emails go to a real SMTP server (aiosmtpd) started by the test.
"""

# Fixtures imported from tests.reminders_support are, as pytest intends, test arguments.
# ruff: noqa: F811

import datetime
import io
import re

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.conftest import make_user
from tests.reminders_support import (  # noqa: F401 (fixtures)
    free_port,
    smtp_server,
    text_body,
)
from tracker import services
from tracker.models import Role, User

NEW_PASSWORD = "a brand new passphrase"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def link_in(text: str, settings) -> str:
    """The set-your-password link in an email or a command's output, as a path."""
    match = re.search(re.escape(settings.SITE_URL) + r"(/accounts/reset/\S+/)", text)
    assert match, f"no set-your-password link in:\n{text}"
    return match.group(1)


def set_password(client, path: str, password: str = NEW_PASSWORD):
    """Follow the link as the person would; answer the page it leads to."""
    page = client.get(path, follow=True)
    content = page.content.decode()
    if "Set your password" not in content:
        return page
    return client.post(
        page.redirect_chain[-1][0],
        {"new_password1": password, "new_password2": password},
        follow=True,
    )


def signs_in(client, email: str, password: str = NEW_PASSWORD) -> bool:
    client.logout()
    response = client.post(
        "/accounts/login/", {"username": email, "password": password}
    )
    return response.status_code == 302


@pytest.fixture
def mail_server_down(settings):
    """A port where nothing listens: the mail server refuses every connection."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5


# ------------------------------------------------------------- the welcome email


def test_add_user_emails_a_welcome_whose_link_sets_the_password_once(
    db, client, smtp_server, settings
):
    out, _ = run(
        "add_user",
        "jo.morgan@westmercia.test",
        "--role",
        "force-lead",
        "--force",
        "west-mercia",
        "--first-name",
        "Jo",
    )
    assert "Welcome email sent to jo.morgan@westmercia.test" in out
    [message] = smtp_server.to("jo.morgan@westmercia.test")
    assert "PEEL action tracker" in message["Subject"]
    body = text_body(message)
    assert "Hello Jo" in body
    assert "force lead of West Mercia Police" in body
    html = message.get_body(preferencelist=("html",)).get_content()
    path = link_in(body, settings)
    assert path in html
    assert "force lead of West Mercia Police" in html

    done = set_password(client, path)
    assert "Password set" in done.content.decode()
    assert signs_in(client, "jo.morgan@westmercia.test")

    client.logout()
    again = client.get(path, follow=True).content.decode()
    assert "This link has expired" in again
    assert "Set your password" not in again


def test_the_set_password_page_says_so_for_a_new_person(
    db, client, smtp_server, settings
):
    run("add_user", "new@hmicfrs.test", "--role", "inspector")
    [message] = smtp_server.to("new@hmicfrs.test")
    page = client.get(link_in(text_body(message), settings), follow=True)
    content = page.content.decode()
    assert "<title>Set your password" in content
    assert "Set my password" in content


def test_the_welcome_link_expires_after_the_reset_timeout(
    db, client, smtp_server, settings
):
    settings.PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        run("add_user", "late@hmicfrs.test", "--role", "inspector")
    [message] = smtp_server.to("late@hmicfrs.test")
    path = link_in(text_body(message), settings)
    assert "3 days" in text_body(message)

    with time_machine.travel(start + datetime.timedelta(days=3, seconds=1)):
        page = set_password(client, path)
    assert "This link has expired" in page.content.decode()
    assert not User.objects.get(email="late@hmicfrs.test").has_usable_password()
    with time_machine.travel(start + datetime.timedelta(days=3, seconds=-60)):
        page = set_password(client, path)
    assert "Password set" in page.content.decode()


def test_add_user_print_link_prints_the_link_and_sends_nothing(
    db, client, smtp_server, settings
):
    out, _ = run("add_user", "kim@hmicfrs.test", "--role", "inspector", "--print-link")
    assert smtp_server.messages == []
    path = link_in(out, settings)
    assert "Password set" in set_password(client, path).content.decode()
    assert signs_in(client, "kim@hmicfrs.test")


def test_add_user_with_a_password_sends_no_welcome_link(db, smtp_server, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery staple\n"))
    out, _ = run(
        "add_user", "pat@hmicfrs.test", "--role", "inspector", "--password-stdin"
    )
    assert smtp_server.messages == []
    assert "welcome" not in out


def test_when_the_mail_server_is_down_the_account_is_kept_and_resend_works(
    db, client, mail_server_down, settings
):
    with pytest.raises(CommandError) as error:
        run(
            "add_user", "ann@westmercia.test", "--role", "force-staff", "--force", "WMP"
        )
    said = str(error.value)
    assert "could not be sent" in said
    assert "add_user ann@westmercia.test --resend" in said
    assert "--print-link" in said
    assert User.objects.filter(email="ann@westmercia.test").exists()

    out, _ = run("add_user", "Ann@westmercia.test", "--resend", "--print-link")
    assert (
        "Password set" in set_password(client, link_in(out, settings)).content.decode()
    )
    assert signs_in(client, "ann@westmercia.test")


def test_resend_sends_a_fresh_welcome(db, client, smtp_server, settings):
    run("add_user", "bea@hmicfrs.test", "--role", "inspector", "--print-link")
    out, _ = run("add_user", "bea@hmicfrs.test", "--resend")
    assert "Welcome email sent to bea@hmicfrs.test" in out
    [message] = smtp_server.to("bea@hmicfrs.test")
    path = link_in(text_body(message), settings)
    assert "Password set" in set_password(client, path).content.decode()


@pytest.mark.parametrize(
    "email, message",
    [
        ("nobody@hmicfrs.test", "No one has the email nobody@hmicfrs.test"),
        ("owner@westmercia.test", "has already set a password"),
        ("gone@westmercia.test", "inactive"),
    ],
)
def test_resend_explains_who_it_cannot_welcome(
    db, owner, force, smtp_server, email, message
):
    gone = services.user_create(
        email="gone@westmercia.test", role="force-staff", force_slug="west-mercia"
    )
    gone.is_active = False
    gone.save()
    with pytest.raises(CommandError, match=message):
        run("add_user", email, "--resend")
    assert smtp_server.messages == []


def test_resend_needs_no_role_but_adding_does(db):
    with pytest.raises(CommandError, match="--role"):
        run("add_user", "a@hmicfrs.test")
    assert not User.objects.exists()


def test_import_users_welcomes_each_person_added(
    db, client, smtp_server, settings, tmp_path
):
    path = tmp_path / "people.csv"
    path.write_text(
        "email,role,force,first_name,last_name\n"
        "ann@example.org,force-staff,west-mercia,Ann,Lee\n"
        "bad-address,force-staff,west-mercia,Bob,Ray\n"
        "cat@example.org,inspector,,Cat,Day\n",
        encoding="utf-8",
    )
    with pytest.raises(SystemExit):
        run("import_users", str(path))
    assert sorted(smtp_server.per_recipient()) == ["ann@example.org", "cat@example.org"]
    [message] = smtp_server.to("ann@example.org")
    assert "force staff of West Mercia Police" in text_body(message)
    [message] = smtp_server.to("cat@example.org")
    assert "an inspector" in text_body(message)
    assert "Password set" in (
        set_password(client, link_in(text_body(message), settings)).content.decode()
    )


def test_import_users_print_link_prints_one_link_a_person(
    db, client, settings, tmp_path
):
    path = tmp_path / "people.csv"
    path.write_text(
        "email,role,force\nann@example.org,force-staff,west-mercia\n"
        "cat@example.org,inspector,\n",
        encoding="utf-8",
    )
    out, _ = run("import_users", str(path), "--print-link")
    lines = [line for line in out.splitlines() if "/accounts/reset/" in line]
    assert [line.split()[0] for line in lines] == ["ann@example.org", "cat@example.org"]
    assert (
        "Password set"
        in set_password(client, link_in(lines[1], settings)).content.decode()
    )
    assert signs_in(client, "cat@example.org")


def test_import_users_with_the_mail_server_down_keeps_everyone(
    db, mail_server_down, tmp_path
):
    path = tmp_path / "people.csv"
    path.write_text(
        "email,role,force\nann@example.org,force-staff,west-mercia\n"
        "cat@example.org,inspector,\n",
        encoding="utf-8",
    )
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import_users", str(path), stdout=out, stderr=err)
    assert User.objects.count() == 2
    assert "Added 2 users; 0 rows left out." in out.getvalue()
    errors = err.getvalue()
    assert "could not be sent" in errors
    assert "add_user ann@example.org --resend" in errors
    assert "add_user cat@example.org --resend" in errors


# -------------------------------------------------------------- the reset form


def test_the_reset_form_sends_to_a_person_without_a_password(
    db, client, smtp_server, settings
):
    services.user_create(email="new@hmicfrs.test", role="inspector")
    response = client.post("/accounts/password_reset/", {"email": "New@HMICFRS.test"})
    assert response.status_code == 302
    [message] = smtp_server.to("new@hmicfrs.test")
    path = re.search(r"https?://testserver(/accounts/reset/\S+/)", text_body(message))
    assert "Password set" in set_password(client, path.group(1)).content.decode()
    assert signs_in(client, "new@hmicfrs.test")


@pytest.mark.parametrize("password", [None, "a-long-test-password"])
def test_the_reset_form_sends_nothing_to_an_inactive_account(
    db, client, smtp_server, password
):
    user = services.user_create(
        email="gone@hmicfrs.test", role="inspector", password=password
    )
    user.is_active = False
    user.save()
    response = client.post("/accounts/password_reset/", {"email": "gone@hmicfrs.test"})
    assert response.status_code == 302
    assert smtp_server.messages == []


# ------------------------------------------------------- email in any letter case


def test_sign_in_accepts_the_email_in_any_letter_case(client, owner):
    assert signs_in(client, "OWNER@WestMercia.TEST", "a-long-test-password")
    assert client.get("/").status_code == 200


def test_failures_in_any_letter_case_count_towards_one_lockout(client, owner):
    for spelling in [
        "Owner@westmercia.test",
        "OWNER@WESTMERCIA.TEST",
        "owner@westmercia.test",
        "oWner@westmercia.test",
    ]:
        response = client.post(
            "/accounts/login/", {"username": spelling, "password": "wrong"}
        )
        assert response.status_code == 200
    fifth = client.post(
        "/accounts/login/", {"username": "Owner@WestMercia.test", "password": "wrong"}
    )
    assert fifth.status_code == 429
    locked = client.post(
        "/accounts/login/",
        {"username": "owner@westmercia.test", "password": "a-long-test-password"},
    )
    assert locked.status_code == 429


def test_a_success_clears_failures_made_in_another_letter_case(client, owner):
    for _ in range(4):
        client.post(
            "/accounts/login/",
            {"username": "OWNER@westmercia.test", "password": "wrong"},
        )
    assert signs_in(client, "owner@westmercia.test", "a-long-test-password")
    client.logout()
    for _ in range(4):
        response = client.post(
            "/accounts/login/",
            {"username": "Owner@westmercia.test", "password": "wrong"},
        )
        assert response.status_code == 200  # the count started again


def test_the_admin_keeps_emails_in_lower_case_and_refuses_a_case_twin(
    client, admin_user, owner
):
    client.force_login(admin_user)
    response = client.post(
        f"/admin/tracker/user/{owner.pk}/change/",
        {
            "email": "Olive.New@WestMercia.test",
            "first_name": "Olive",
            "last_name": "",
            "role": Role.FORCE_STAFF,
            "force": owner.force_id,
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "09:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    owner.refresh_from_db()
    assert owner.email == "olive.new@westmercia.test"

    other = make_user("other@westmercia.test", Role.FORCE_STAFF, owner.force)
    response = client.post(
        f"/admin/tracker/user/{other.pk}/change/",
        {
            "email": "OLIVE.NEW@westmercia.test",
            "first_name": "",
            "last_name": "",
            "role": Role.FORCE_STAFF,
            "force": owner.force_id,
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "09:00:00",
        },
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    other.refresh_from_db()
    assert other.email == "other@westmercia.test"


def test_accounts_that_differ_only_by_case_sign_in_only_by_their_exact_spelling(
    client, force
):
    """Made before addresses were kept in lower case: never guess which one is meant."""
    User.objects.bulk_create(
        [
            User(email="Jo@westmercia.test", role=Role.FORCE_STAFF, force=force),
            User(email="jo@westmercia.test", role=Role.FORCE_STAFF, force=force),
        ]
    )
    upper, lower = User.objects.order_by("email")
    upper.set_password("upper's passphrase")
    upper.save()
    lower.set_password("lower's passphrase")
    lower.save()
    assert signs_in(client, "Jo@westmercia.test", "upper's passphrase")
    assert client.get("/").context["user"] == upper
    assert signs_in(client, "jo@westmercia.test", "lower's passphrase")
    assert client.get("/").context["user"] == lower
    assert not signs_in(client, "JO@westmercia.test", "lower's passphrase")


def test_a_wrong_password_is_said_once_and_truly(client, owner):
    page = client.post(
        "/accounts/login/",
        {"username": owner.email.upper(), "password": "not the password"},
    ).content.decode()
    assert page.count("didn’t match") == 1
    assert "case-sensitive" not in page  # the email is not
