"""Sign-in throttling behind a proxy: failures count against an email from one client.

Behind a TLS proxy every request comes from the proxy's address; the client's own
is in X-Forwarded-For, as the proxies wrote it (TRUSTED_PROXY_COUNT of them).
"""

import pytest
from django.test import RequestFactory

ATTACKER = "198.51.100.7"
REAL_USER = "203.0.113.20"
PROXY = "10.0.0.2"


def sign_in(client, email, password, forwarded_for=None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post(
        "/accounts/login/",
        {"username": email, "password": password},
        REMOTE_ADDR=PROXY,
        headers=headers,
    )


def test_behind_one_proxy_failures_lock_out_only_that_client(client, owner, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for attempt in range(5):
        # The attacker's own header comes first; the proxy appends the address it saw.
        response = sign_in(
            client, owner.email, "wrong", forwarded_for=f"1.2.3.{attempt}, {ATTACKER}"
        )
    assert response.status_code == 429
    assert (
        sign_in(client, owner.email, "a-long-test-password", ATTACKER).status_code
        == 429
    )

    response = sign_in(client, owner.email, "a-long-test-password", REAL_USER)
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(
    client, owner, settings
):
    settings.TRUSTED_PROXY_COUNT = 0
    for attempt in range(5):
        # A spoofed header, different every time, cannot dodge the lockout.
        response = sign_in(
            client, owner.email, "wrong", forwarded_for=f"1.2.3.{attempt}"
        )
    assert response.status_code == 429
    response = sign_in(
        client, owner.email, "a-long-test-password", forwarded_for=REAL_USER
    )
    assert response.status_code == 429


@pytest.mark.parametrize(
    ("count", "forwarded_for", "expected"),
    [
        (0, "1.2.3.4", PROXY),
        (1, "1.2.3.4, 203.0.113.20", "203.0.113.20"),
        (2, "1.2.3.4, 203.0.113.20, 10.0.0.1", "203.0.113.20"),
        (1, "not an address, 2001:db8::5", "2001:db8::5"),
        # Not through the proxies (a health check on the socket): the socket's address.
        (2, "203.0.113.20", PROXY),
        (1, "", PROXY),
    ],
)
def test_the_client_is_the_nth_address_from_the_right(
    settings, count, forwarded_for, expected
):
    from tracker.http import client_ip

    settings.TRUSTED_PROXY_COUNT = count
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, headers=headers)
    assert client_ip(request) == expected
