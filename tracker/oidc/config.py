"""The identity providers' settings: from the environment, their endpoints discovered.

The first provider is set by OIDC_ISSUER and its neighbours (mozilla-django-oidc's
own settings); each of OIDC_MORE_PROVIDERS by the same names with its own prefix
(`settings.OIDC_MORE_PROVIDERS`). A sign-in is about one provider from start to
end: the views say which (`using`), and every setting read meanwhile (`value`,
`setting`, the library's too) is that provider's.

For each, the issuer alone is enough: its endpoints come from its
/.well-known/openid-configuration, fetched the first time someone signs in (not at
start-up, so that the app, its commands and its workers start while the provider is
down) and kept for the life of the process. An endpoint set in the environment wins.
The signing keys are fetched at each sign-in, so the provider may rotate them.
"""

import contextlib
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
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
# The provider of the sign-in under way: "" for the first, else its name.
_current: ContextVar[str] = ContextVar("oidc_provider", default="")


@dataclass(frozen=True)
class Provider:
    key: str  # "" for the first
    name: str  # what people call it: "West Mercia Police accounts"


def providers() -> list[Provider]:
    """Every provider a person may sign in with, the first first."""
    if not enabled():
        return []
    return [Provider("", settings.OIDC_PROVIDER_NAME)] + [
        Provider(key, values["OIDC_PROVIDER_NAME"])
        for key, values in settings.OIDC_MORE_PROVIDERS.items()
    ]


def known(key: str) -> bool:
    return enabled() and (key == "" or key in settings.OIDC_MORE_PROVIDERS)


@contextlib.contextmanager
def using(key: str) -> Iterator[None]:
    """Read the settings of this provider (`known`) until the block ends."""
    if not known(key):
        raise ValueError(f"No provider {key!r}")
    token = _current.set(key)
    try:
        yield
    finally:
        _current.reset(token)


def current() -> str:
    """The provider in use: "" for the first, else its name."""
    return _current.get()


def value(name: str) -> Any:
    """A setting of the provider in use: its own, or the first's (Django's settings)."""
    key = _current.get()
    if key:
        own = settings.OIDC_MORE_PROVIDERS.get(key, {})
        if name in own:
            return own[name]
    return getattr(settings, name)


class ProviderUnreachable(Exception):
    """The provider's discovery document could not be read, or names another issuer."""


def enabled() -> bool:
    return bool(settings.OIDC_ENABLED)


def discovery() -> dict[str, Any]:
    issuer = value("OIDC_ISSUER")
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
    """mozilla-django-oidc's `get_settings`: the provider in use's, with the
    endpoints discovered."""
    if attr not in ENDPOINTS:
        if attr in settings.OIDC_MORE_PROVIDERS.get(_current.get(), {}):
            return value(attr)
        return import_from_settings(attr, *default)
    explicit = value(attr) if hasattr(settings, attr) else ""
    if explicit:
        return explicit
    published = discovery().get(ENDPOINTS[attr])
    if published:
        return published
    if default:
        return default[0]
    raise ImproperlyConfigured(
        f"The provider publishes no {ENDPOINTS[attr]}: set {attr.replace('_OP', '')}."
    )
