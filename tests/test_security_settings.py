"""Headers, cookies, sign-in throttling and password reset, as a browser sees them."""

import re

import pytest


def test_pages_carry_a_content_security_policy(client, owner):
    client.force_login(owner)
    policy = client.get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_https_answers_carry_hsts_and_nosniff(client, owner, settings):
    assert settings.DEBUG is False  # the suite runs with production settings
    client.force_login(owner)
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_cookies_are_secure_when_not_debugging(settings):
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY


def test_forms_need_a_csrf_token(owner, action):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(f"/actions/{action.pk}/updates/", {"text": "Sneaky"})
    assert response.status_code == 403
    assert not action.updates.exists()


def test_sign_in_works_with_the_right_password(client, owner):
    response = client.post(
        "/accounts/login/",
        {"username": owner.email, "password": "a-long-test-password"},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_sign_in_is_throttled_after_five_failures(client, owner):
    for _ in range(4):
        response = client.post(
            "/accounts/login/", {"username": owner.email, "password": "wrong"}
        )
        assert response.status_code == 200
        assert "didn’t match" in response.content.decode()
    fifth = client.post(
        "/accounts/login/", {"username": owner.email, "password": "wrong"}
    )
    assert fifth.status_code == 429
    locked = client.post(
        "/accounts/login/",
        {"username": owner.email, "password": "a-long-test-password"},
    )
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert client.get("/").status_code == 302  # still signed out


def test_password_reset_by_email(client, owner, mailoutbox):
    response = client.post("/accounts/password_reset/", {"email": owner.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [owner.email]
    link = re.search(r"https?://\S+/accounts/reset/\S+/", message.body).group(0)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {
            "new_password1": "a brand new passphrase",
            "new_password2": "a brand new passphrase",
        },
    )
    assert done.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("a brand new passphrase")


def test_password_reset_says_the_same_for_unknown_addresses(client, db, mailoutbox):
    response = client.post(
        "/accounts/password_reset/", {"email": "nobody@example.org"}, follow=True
    )
    assert "Check your email" in response.content.decode()
    assert mailoutbox == []


def test_password_change(client, owner):
    client.force_login(owner)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "a-long-test-password",
            "new_password1": "another long passphrase",
            "new_password2": "another long passphrase",
        },
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("another long passphrase")


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/password_reset/"])
def test_public_pages_render(client, url):
    assert client.get(url).status_code == 200
