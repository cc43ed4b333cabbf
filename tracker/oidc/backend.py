"""Who a provider's sign-in is: a verified email matched to an onboarded, active account.

No account is ever made here (no self-registration into a force), and nothing about
an account is changed: the tracker's own role and force are the truth. A provider's
groups that say otherwise are logged for the administrator, never applied.
"""

import logging
from typing import Any

import jwt
import requests
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from . import config

logger = logging.getLogger(__name__)


class SignInRefused(Exception):
    """A sign-in the provider vouched for that the tracker turns down, and why."""

    def __init__(self, reason: str, email: str = "", detail: str = ""):
        super().__init__(reason)
        self.reason, self.email, self.detail = reason, email, detail


def is_true(value: Any) -> bool:
    # Providers send JSON true; some (Entra ID's xms_edov among them) send a string.
    return value is True or (isinstance(value, str) and value.lower() in {"true", "1"})


def refuse(request, reason: str, email: str = "", detail: str = "") -> None:
    """Record why, for the page (views.Callback) and the log. Never the token."""
    request.oidc_refusal = reason
    request.oidc_refused_email = email
    logger.warning(
        "Sign-in through %s refused (%s)%s%s",
        config.value("OIDC_PROVIDER_NAME"),
        reason,
        f" for {email}" if email else "",
        f": {detail}" if detail else "",
    )


class ProviderBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, verifying the ID token fully and matching only."""

    get_settings = staticmethod(config.setting)

    def __init__(self, *args, **kwargs):
        # Django makes a backend to load the person of every signed-in request: the
        # endpoints (perhaps a request to the provider) are read only at sign-in.
        self.UserModel = get_user_model()

    OIDC_OP_TOKEN_ENDPOINT = property(
        lambda self: self.get_settings("OIDC_OP_TOKEN_ENDPOINT")
    )
    OIDC_OP_USER_ENDPOINT = property(
        lambda self: self.get_settings("OIDC_OP_USER_ENDPOINT")
    )
    OIDC_OP_JWKS_ENDPOINT = property(
        lambda self: self.get_settings("OIDC_OP_JWKS_ENDPOINT")
    )
    # The provider's the sign-in is with (`config.using`, set by the views).
    OIDC_RP_CLIENT_ID = property(lambda self: config.value("OIDC_RP_CLIENT_ID"))
    OIDC_RP_CLIENT_SECRET = property(lambda self: config.value("OIDC_RP_CLIENT_SECRET"))
    OIDC_RP_SIGN_ALGO = property(lambda self: config.value("OIDC_RP_SIGN_ALGO"))
    OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request, **kwargs):
        if not config.enabled() or request is None or "code" not in request.GET:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except SignInRefused as refusal:
            refuse(request, refusal.reason, refusal.email, refusal.detail)
        except SuspiciousOperation as exc:
            refuse(request, "token", detail=str(exc))
        except (requests.RequestException, config.ProviderUnreachable) as exc:
            refuse(request, "provider", detail=str(exc))
        return None

    def verify_token(self, token, **kwargs):
        try:
            # Before the library looks a key up by it: a token without one (an
            # unsigned "none" token, say) would otherwise fail with a KeyError.
            if "kid" not in jwt.get_unverified_header(token):
                raise SuspiciousOperation("ID token names no signing key")
            return super().verify_token(token, **kwargs)
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"ID token refused: {exc}") from exc

    def _verify_jws(self, payload, key):
        """The signature, and what the library leaves out: audience, issuer, expiry."""
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(
                f"ID token signed with {header.get('alg')!r}, not {self.OIDC_RP_SIGN_ALGO}"
            )
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=config.value("OIDC_ISSUER"),
                leeway=60,
                options={"require": ["exp", "iat", "aud", "iss", "sub"]},
            )
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"ID token refused: {exc}") from exc

    def get_userinfo(self, access_token, id_token, payload):
        claims = super().get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):
            # OpenID Connect Core 5.3.2: otherwise the answer is about someone else.
            raise SignInRefused("token", detail="userinfo is about another subject")
        # The ID token's claims, checked above, win: Entra ID puts groups and
        # xms_edov in the token only.
        return {**claims, **payload}

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        claim = config.value("OIDC_EMAIL_CLAIM")
        email = claims.get(claim)
        if not isinstance(email, str) or "@" not in email:
            raise SignInRefused("no_email", detail=f"no {claim!r} claim")
        email = email.strip().lower()
        verified_claim = config.value("OIDC_EMAIL_VERIFIED_CLAIM")
        if config.value("OIDC_REQUIRE_VERIFIED_EMAIL") and not is_true(
            claims.get(verified_claim)
        ):
            raise SignInRefused(
                "unverified_email", email, f"{verified_claim} is not true"
            )
        domains = config.value("OIDC_EMAIL_DOMAINS")
        if domains and email.rsplit("@", 1)[1] not in domains:
            # A provider vouches for its own organisation's people only: another
            # force's tenant cannot sign in an inspector by naming their address.
            raise SignInRefused(
                "other_domain", email, f"not one of {', '.join(domains)}"
            )
        users = list(self.UserModel.objects.filter(email__iexact=email)[:2])
        if len(users) > 1:
            # Accounts older than lower-case emails may differ only by case.
            users = [user for user in users if user.email == email]
        if len(users) != 1:
            raise SignInRefused("unknown_email", email)
        user = users[0]
        if not user.is_active:
            raise SignInRefused("inactive", email)
        log_places_that_differ(user, claims)
        return user


def claimed_places(claims: dict[str, Any]) -> tuple[set[str], set[str]]:
    """The roles and force slugs the provider's groups (or roles) map to."""
    role_claim = config.value("OIDC_ROLE_CLAIM")
    if not role_claim:
        return set(), set()
    values = claims.get(role_claim) or []
    if isinstance(values, str):
        values = [values]
    groups = {str(value) for value in values}
    role_map, force_map = config.value("OIDC_ROLE_MAP"), config.value("OIDC_FORCE_MAP")
    roles = {role_map[g] for g in groups if g in role_map}
    forces = {force_map[g] for g in groups if g in force_map}
    return roles, forces


def log_places_that_differ(user, claims: dict[str, Any]) -> None:
    roles, forces = claimed_places(claims)
    force = user.force.slug if user.force_id else ""
    if roles and user.role not in roles:
        logger.warning(
            "%s signed in as %s, but %s's groups say %s: change the role in the "
            "tracker's administration if the groups are right",
            user.email,
            user.role,
            config.value("OIDC_PROVIDER_NAME"),
            ", ".join(sorted(roles)),
        )
    if forces and force not in forces:
        logger.warning(
            "%s signed in with force %s, but %s's groups say %s: move them in the "
            "tracker's administration if the groups are right",
            user.email,
            force or "(none)",
            config.value("OIDC_PROVIDER_NAME"),
            ", ".join(sorted(forces)),
        )
