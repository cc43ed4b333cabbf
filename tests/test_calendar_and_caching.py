"""The calendar address dies with the password it was made under; no signed-in page is cached."""

import re

import pytest

from tracker import services

NEW_PASSWORD = "another long passphrase"


@pytest.fixture
def feed(owner, action):
    """The owner's calendar address, working."""
    return f"/calendar/{services.calendar_token_reset(owner)}.ics"


def assert_feed_is_off_and_the_page_says_why(client, owner, feed):
    client.logout()
    assert client.get(feed).status_code == 404
    owner.refresh_from_db()
    client.force_login(owner)
    page = client.get("/calendar/").content.decode()
    assert "Your password was changed" in page
    assert "turned your old calendar address off" in page
    # A new address works, and the explanation goes once it has served its turn.
    client.post("/calendar/", {"do": "reset"})
    owner.refresh_from_db()
    assert client.get(f"/calendar/{owner.calendar_token}.ics").status_code == 200
    assert "Your password was changed" not in client.get("/calendar/").content.decode()


def test_changing_the_password_turns_the_calendar_address_off(client, owner, feed):
    assert client.get(feed).status_code == 200
    client.force_login(owner)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "a-long-test-password",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        follow=True,
    )
    assert "Your calendar address stopped working" in response.content.decode()
    assert_feed_is_off_and_the_page_says_why(client, owner, feed)


def test_a_password_reset_by_email_turns_the_calendar_address_off(
    client, owner, feed, mailoutbox
):
    client.post("/accounts/password_reset/", {"email": owner.email})
    link = re.search(r"https?://\S+/accounts/reset/\S+/", mailoutbox[0].body).group(0)
    form_page = client.get(link.split("testserver", 1)[1], follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)
    assert_feed_is_off_and_the_page_says_why(client, owner, feed)


def test_an_administrator_setting_the_password_turns_the_calendar_address_off(
    client, owner, admin_user, feed
):
    client.force_login(admin_user)
    response = client.post(
        f"/admin/tracker/user/{owner.pk}/password/",
        {
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)
    assert_feed_is_off_and_the_page_says_why(client, owner, feed)


def test_a_deactivated_persons_calendar_address_does_not_work(client, owner, feed):
    owner.is_active = False
    owner.save()
    assert client.get(feed).status_code == 404


def test_signing_in_keeps_the_calendar_address(client, owner, feed, settings):
    # Signing in with an older hash re-hashes the same password: not a change.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    old_hash = owner.password
    client.post(
        "/accounts/login/",
        {"username": owner.email, "password": "a-long-test-password"},
    )
    owner.refresh_from_db()
    assert owner.password != old_hash  # re-hashed on sign-in
    client.logout()
    assert client.get(feed).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/actions/",
        "/actions/export.csv",
        "/actions/export.xlsx",
        "/calendar/",
        "/reminders/",
        "/accounts/password_change/",
    ],
)
def test_signed_in_pages_and_exports_are_not_stored_by_caches(
    client, lead, action, url
):
    client.force_login(lead)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_signed_in_action_page_is_not_stored_by_caches(client, lead, action):
    client.force_login(lead)
    response = client.get(action.get_absolute_url())
    assert response["Cache-Control"] == "private, no-store"


def test_the_calendar_feed_may_be_kept_by_the_calendar_alone(client, feed):
    # Calendar programs poll; the address is the key, so only a private cache keeps it.
    assert client.get(feed)["Cache-Control"] == "private, max-age=900"


def test_disabling_sign_in_by_password_turns_the_calendar_address_off(
    client, owner, feed
):
    owner.set_unusable_password()
    owner.save()
    assert client.get(feed).status_code == 404
