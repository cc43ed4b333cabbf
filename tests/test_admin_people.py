"""Adding a person in the admin goes through services.user_create, as the commands do:
the same checks, shown on the form, and the same welcome email when no password is set.

The emails go to a real SMTP server (aiosmtpd) started by the test.
"""

# Fixtures imported from tests.reminders_support are, as pytest intends, test arguments.
# ruff: noqa: F811

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from tests.admin_support import errors_of, form_data
from tests.conftest import make_user
from tests.reminders_support import (  # noqa: F401 (fixtures)
    free_port,
    smtp_server,
    text_body,
)
from tests.test_onboarding import link_in, set_password, signs_in
from tracker import services
from tracker.models import Role, User

ADD_URL = "/admin/tracker/user/add/"
PASSWORD = "correct horse battery staple"


def add_form(client, **values) -> dict:
    """The add page's form as a browser would post it, with these values chosen."""
    data = form_data(client.get(ADD_URL), "user_form")
    data.update({name: [str(value)] for name, value in values.items()})
    data["_save"] = ["Save"]
    return data


def messages_of(response) -> str:
    """The messages the page tells the administrator, one a line."""
    page = response.content.decode()
    if 'class="messagelist"' not in page:
        return ""
    return page.split('class="messagelist"', 1)[1].split("</ul>", 1)[0]


def field_errors(response, name: str) -> str:
    """The error messages the page shows on one field's row."""
    page = response.content.decode()
    assert f"field-{name}" in page, f"no {name} field on the page"
    row = page.split(f"field-{name}", 1)[1].split('class="form-row', 1)[0]
    return " ".join(
        part.split("</ul>")[0] for part in row.split('class="errorlist')[1:]
    )


def test_user_check_returns_the_person_it_would_add_and_saves_nothing(force):
    person = services.user_check(
        email=" Jo@WestMercia.TEST ", role=Role.FORCE_LEAD, force=force
    )
    assert person.pk is None and not User.objects.exists()
    assert (person.email, person.role, person.force) == (
        "jo@westmercia.test",
        Role.FORCE_LEAD,
        force,
    )
    assert not person.has_usable_password()
    with pytest.raises(ValidationError) as refused:
        services.user_check(email="i@hmicfrs.test", role="inspector", force=force)
    assert refused.value.message_dict == {
        "force": ["Inspectors and administrators work across forces: give no force."]
    }


@pytest.fixture
def mail_server_down(settings):
    """A port where nothing listens: the mail server refuses every connection."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5


def test_the_add_page_offers_a_welcome_email_instead_of_a_password(admin_client):
    page = admin_client.get(ADD_URL)
    data = form_data(page, "user_form")
    assert {"email", "role", "force", "usable_password"} <= set(data)
    assert "emailed a link to set their own password" in page.content.decode()


def test_a_force_lead_added_without_a_password_is_emailed_a_link_that_sets_one(
    admin_client, admin_user, client, force, smtp_server, settings
):
    data = add_form(
        admin_client,
        email="Jo.Morgan@WestMercia.TEST",
        role=Role.FORCE_LEAD,
        force=force.pk,
        usable_password="false",
    )
    response = admin_client.post(ADD_URL, data, follow=True)
    assert response.redirect_chain, errors_of(response)
    person = User.objects.get(email__iexact="jo.morgan@westmercia.test")
    assert response.redirect_chain[-1][0] == f"/admin/tracker/user/{person.pk}/change/"
    assert person.email == "jo.morgan@westmercia.test"
    assert (person.role, person.force) == (Role.FORCE_LEAD, force)
    assert not (person.is_staff or person.is_superuser)
    assert not person.has_usable_password()
    said = messages_of(response)
    assert "was added successfully" in said
    assert "A welcome email was sent to jo.morgan@westmercia.test" in said
    [entry] = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(person.pk)
    )
    assert (entry.action_flag, entry.user) == (ADDITION, admin_user)

    [message] = smtp_server.to("jo.morgan@westmercia.test")
    body = text_body(message)
    assert "force lead of West Mercia Police" in body
    done = set_password(client, link_in(body, settings))
    assert "Password set" in done.content.decode()
    assert signs_in(client, "jo.morgan@westmercia.test")


def test_an_inspector_with_a_force_is_refused_on_the_force_field_and_nothing_is_saved(
    admin_client, force, smtp_server
):
    data = add_form(
        admin_client,
        email="ian@hmicfrs.test",
        role=Role.INSPECTOR,
        force=force.pk,
        usable_password="false",
    )
    response = admin_client.post(ADD_URL, data)
    assert response.status_code == 200, "the admin accepted the save"
    assert "Please correct the error below." in response.content.decode()
    assert "Inspectors and administrators work across forces: give no force." in (
        field_errors(response, "force")
    )
    assert not User.objects.filter(email="ian@hmicfrs.test").exists()
    assert smtp_server.messages == []


def test_a_force_lead_without_a_force_is_refused_on_the_force_field(
    admin_client, smtp_server
):
    data = add_form(
        admin_client, email="lee@westmercia.test", role=Role.FORCE_LEAD, force=""
    )
    data.update(usable_password=["false"])
    response = admin_client.post(ADD_URL, data)
    errors = field_errors(response, "force")
    assert "Force staff and force leads need a force." in errors
    assert "--force" not in errors  # the commands' wording, not the admin's
    assert not User.objects.filter(email="lee@westmercia.test").exists()
    assert smtp_server.messages == []


@pytest.mark.parametrize(
    "stored, typed",
    [
        ("owner@westmercia.test", "OWNER@WestMercia.test"),
        # Made before emails were kept in lower case.
        ("Jo.Legacy@WestMercia.test", "jo.legacy@westmercia.test"),
    ],
)
def test_an_email_someone_has_in_another_letter_case_is_refused(
    admin_client, force, smtp_server, stored, typed
):
    User.objects.bulk_create([User(email=stored, role=Role.FORCE_STAFF, force=force)])
    data = add_form(
        admin_client,
        email=typed,
        role=Role.FORCE_STAFF,
        force=force.pk,
        usable_password="false",
    )
    response = admin_client.post(ADD_URL, data)
    assert "already exists" in field_errors(response, "email")
    assert f"A user with the email {typed.lower()} already exists." in (
        response.content.decode()
    )
    assert User.objects.filter(email__iexact=typed).count() == 1
    assert smtp_server.messages == []


def test_a_person_added_with_a_password_signs_in_with_it_and_is_sent_nothing(
    admin_client, client, force, smtp_server
):
    data = add_form(
        admin_client,
        email="Pat@WestMercia.test",
        role=Role.FORCE_STAFF,
        force=force.pk,
        usable_password="true",
        password1=PASSWORD,
        password2=PASSWORD,
    )
    response = admin_client.post(ADD_URL, data, follow=True)
    assert response.redirect_chain, errors_of(response)
    person = User.objects.get(email="pat@westmercia.test")
    assert person.check_password(PASSWORD)
    said = messages_of(response)
    assert "was added successfully" in said
    assert "welcome" not in said.lower()
    assert smtp_server.messages == []
    assert signs_in(client, "pat@westmercia.test", PASSWORD)


def test_a_weak_password_is_refused_on_the_password_field(
    admin_client, force, smtp_server
):
    data = add_form(
        admin_client,
        email="pat@westmercia.test",
        role=Role.FORCE_STAFF,
        force=force.pk,
        usable_password="true",
        password1="password",
        password2="password",
    )
    response = admin_client.post(ADD_URL, data)
    assert "too common" in field_errors(response, "password2")
    assert not User.objects.filter(email="pat@westmercia.test").exists()


def test_an_administrator_added_in_the_admin_is_given_the_admin(
    admin_client, smtp_server
):
    data = add_form(
        admin_client,
        email="ada@hmicfrs.test",
        role=Role.ADMIN,
        force="",
        usable_password="true",
        password1=PASSWORD,
        password2=PASSWORD,
    )
    response = admin_client.post(ADD_URL, data)
    assert response.status_code == 302, errors_of(response)
    person = User.objects.get(email="ada@hmicfrs.test")
    assert (person.role, person.is_staff, person.is_superuser) == (
        Role.ADMIN,
        True,
        True,
    )


def test_when_the_mail_server_refuses_the_account_is_kept_and_the_admin_told_why(
    admin_client, client, force, mail_server_down, settings
):
    data = add_form(
        admin_client,
        email="ann@westmercia.test",
        role=Role.FORCE_STAFF,
        force=force.pk,
        usable_password="false",
    )
    response = admin_client.post(ADD_URL, data, follow=True)
    assert response.redirect_chain, errors_of(response)
    said = messages_of(response)
    assert "A welcome email was sent" not in said
    warning = said.split('class="warning"', 1)[1].split("</li>", 1)[0]
    assert "could not be sent (" in warning
    assert "Connection refused" in warning
    assert "manage.py add_user ann@westmercia.test --resend" in warning
    assert "kept" in warning
    person = User.objects.get(email="ann@westmercia.test")
    assert not person.has_usable_password()


@pytest.fixture
def staff_lead(force):
    """A force lead let into the admin with every right over people it grants."""
    person = make_user("stafflead@westmercia.test", Role.FORCE_LEAD, force)
    person.is_staff = True
    person.save()
    person.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["add_user", "change_user", "view_user"]
        )
    )
    return person


def test_staff_who_are_not_administrators_cannot_add_people(
    client, staff_lead, force, smtp_server
):
    client.force_login(staff_lead)
    assert client.get(ADD_URL).status_code == 403
    response = client.post(
        ADD_URL,
        {
            "email": "new@westmercia.test",
            "role": Role.FORCE_STAFF,
            "force": force.pk,
            "usable_password": "false",
        },
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="new@westmercia.test").exists()
    assert smtp_server.messages == []
