"""The identity provider's settings: from the environment, its endpoints discovered.

The issuer alone is enough: its endpoints come from its
/.well-known/openid-configuration, fetched the first time someone signs in (not at
start-up, so that the app, its commands and its workers start while the provider is
down) and kept for the life of the process. An endpoint set in the environment wins.
The signing keys are fetched at each sign-in, so the provider may rotate them.
"""

import threading
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from mozilla_django_oidc.utils import import_from_settings

# mozilla-django-oidc's setting -> the discovery document's key.
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_END_SESSION_ENDPOINT": "end_session_endpoint",
}

_discovered: dict[str, dict[str, Any]] = {}
_lock = threading.Lock()


class ProviderUnreachable(Exception):
    """The provider's discovery document could not be read, or names another issuer."""


def enabled() -> bool:
    return bool(settings.OIDC_ENABLED)


def discovery() -> dict[str, Any]:
    issuer = settings.OIDC_ISSUER
    with _lock:
        document = _discovered.get(issuer)
    if document is not None:
        return document
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnreachable(f"{url}: {exc}") from exc
    # OpenID Connect Discovery 1.0, 4.3: the document must name the issuer asked.
    named = str(document.get("issuer", "")).rstrip("/")
    if named != issuer:
        raise ProviderUnreachable(f"{url} names the issuer {named!r}, not {issuer!r}")
    with _lock:
        _discovered[issuer] = document
    return document


def forget_discovery() -> None:
    with _lock:
        _discovered.clear()


def setting(attr: str, *default: Any) -> Any:
    """mozilla-django-oidc's `get_settings`, with the endpoints discovered."""
    if attr not in ENDPOINTS:
        return import_from_settings(attr, *default)
    explicit = getattr(settings, attr, "")
    if explicit:
        return explicit
    value = discovery().get(ENDPOINTS[attr])
    if value:
        return value
    if default:
        return default[0]
    raise ImproperlyConfigured(
        f"The provider publishes no {ENDPOINTS[attr]}: set {attr.replace('_OP', '')}."
    )
