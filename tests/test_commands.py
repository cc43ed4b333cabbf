"""Onboarding and demo data from the shell."""

import io

import pytest
from django.core.management import CommandError, call_command

from tracker.demo import DEMO_USERS
from tracker.models import (
    Action,
    Finding,
    Inspection,
    ProgressUpdate,
    Question,
    Role,
    User,
)


def run(*args, stdin=None, monkeypatch=None):
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def counts():
    return tuple(
        model.objects.count()
        for model in (User, Inspection, Question, Finding, Action, ProgressUpdate)
    )


def test_load_demo_builds_west_mercia_and_twice_changes_nothing(db):
    out, _ = run("load_demo")
    assert "Demo data loaded" in out
    inspection = Inspection.objects.get(force__code="WMP", programme="PEEL 2016")
    assert inspection.questions.count() == 6
    assert [q.grade for q in inspection.questions.all()] == [
        "good",
        "requires_improvement",
        "not_stated",
        "not_stated",
        "requires_improvement",
        "not_stated",
    ]
    assert (
        inspection.findings.filter(kind=Finding.Kind.AREA_FOR_IMPROVEMENT).count() == 5
    )
    plan = Action.objects.get(deadline="2017-05-01")
    report = Action.objects.get(deadline="2017-06-01")
    assert report.parent == plan
    assert plan.children.count() == 3
    assert {plan.deadline_set_by, report.deadline_set_by} == {
        Action.DeadlineSetBy.INSPECTORATE
    }
    assert ProgressUpdate.objects.exists()
    assert {user.role for user in User.objects.all()} == set(Role.values)
    assert Action.objects.filter(owner__isnull=False).count() == Action.objects.count()

    before = counts()
    out, _ = run("load_demo")
    assert "nothing changed" in out
    assert counts() == before
    for email, *_ in DEMO_USERS:
        assert email in out


def test_add_user_with_a_password_from_stdin(db, monkeypatch):
    out, _ = run(
        "add_user",
        "Kim@Example.org",
        "--role",
        "force-lead",
        "--force",
        "west-mercia",
        "--password-stdin",
        stdin="correct horse battery staple\n",
        monkeypatch=monkeypatch,
    )
    user = User.objects.get(email="kim@example.org")
    assert (user.role, user.force.code) == (Role.FORCE_LEAD, "WMP")
    assert user.check_password("correct horse battery staple")
    assert "Force lead of West Mercia Police" in out


def test_add_user_without_password_cannot_sign_in_until_reset(db):
    run("add_user", "insp@example.org", "--role", "inspector")
    assert not User.objects.get(email="insp@example.org").has_usable_password()


@pytest.mark.parametrize(
    "args, message",
    [
        (["a@example.org", "--role", "chief"], "is not a role"),
        (["a@example.org", "--role", "force-staff"], "need a force"),
        (["a@example.org", "--role", "force-staff", "--force", "atlantis"], "no force"),
        (
            ["a@example.org", "--role", "inspector", "--force", "west-mercia"],
            "give no force",
        ),
        (["not-an-email", "--role", "inspector"], "valid email"),
    ],
)
def test_add_user_explains_bad_input_and_saves_nothing(db, args, message):
    with pytest.raises(CommandError, match=message):
        run("add_user", *args)
    assert not User.objects.exists()


def test_add_user_refuses_a_weak_password(db, monkeypatch):
    with pytest.raises(Exception, match="too common|too short"):
        run(
            "add_user",
            "a@example.org",
            "--role",
            "inspector",
            "--password-stdin",
            stdin="password\n",
            monkeypatch=monkeypatch,
        )
    assert not User.objects.exists()


def test_add_user_refuses_a_duplicate(db):
    run("add_user", "a@example.org", "--role", "inspector")
    with pytest.raises(CommandError, match="already exists"):
        run("add_user", "A@example.org", "--role", "inspector")


def test_import_users_keeps_good_rows_and_reports_bad_ones_by_line(db, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(
        "email,role,force,first_name,last_name\n"
        "ann@example.org,force-staff,west-mercia,Ann,Lee\n"
        "bad-address,force-staff,west-mercia,Bob,Ray\n"
        "cat@example.org,force-lead,west-mercia,Cat,Day\n"
        "dan@example.org,force-staff,,Dan,Fox\n"
        "ann@example.org,force-staff,west-mercia,Ann,Again\n",
        encoding="utf-8",
    )
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import_users", str(path), stdout=out, stderr=err)
    assert sorted(User.objects.values_list("email", flat=True)) == [
        "ann@example.org",
        "cat@example.org",
    ]
    assert User.objects.get(email="ann@example.org").last_name == "Lee"
    errors = err.getvalue().splitlines()
    assert [line.split(":")[0] for line in errors] == ["line 3", "line 5", "line 6"]
    assert "Added 2 users; 3 rows left out." in out.getvalue()


def test_import_users_rejects_a_file_without_the_columns(db, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("name,team\nAnn,A\n", encoding="utf-8")
    with pytest.raises(CommandError, match="header lacks email, role"):
        call_command("import_users", str(path))
