"""Personal API tokens, sent as `Authorization: Bearer <token>`."""

import logging

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import authentication, exceptions

from .. import services
from ..models import ApiToken, token_digest

logger = logging.getLogger("tracker.api")


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """A token that is unknown, revoked or expired is refused with 401, and logged
    (by its id and owner where it is known: never the secret)."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # not ours: the session may still sign the person in
        if len(header) != 2:
            self._refuse(request, None, "malformed header")
        try:
            secret = header[1].decode()
        except UnicodeError:
            self._refuse(request, None, "malformed header")
        token = (
            ApiToken.objects.select_related("user__force")
            .filter(digest=token_digest(secret))
            .first()
        )
        if token is None:
            self._refuse(request, None, "unknown token")
        if token.revoked_at is not None:
            self._refuse(request, token, "revoked token")
        if token.is_expired(timezone.localdate()):
            self._refuse(request, token, "expired token")
        if not token.user.is_active:
            self._refuse(request, token, "deactivated account")
        services.api_token_note_use(token)
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'

    def _refuse(self, request, token: ApiToken | None, reason: str):
        logger.warning(
            "API token refused (%s): token id %s, user id %s, %s %s",
            reason,
            token.pk if token else "-",
            token.user_id if token else "-",
            request.method,
            request.path,
        )
        messages = {
            "unknown token": "This API token is not valid.",
            "revoked token": "This API token was revoked.",
            "expired token": "This API token has expired: create a new one.",
            "deactivated account": "The account this API token belongs to is deactivated.",
            "malformed header": "Send the token as 'Authorization: Bearer <token>'.",
        }
        raise exceptions.AuthenticationFailed(messages[reason])


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema, so that the documentation page can send it."""

    target_class = BearerTokenAuthentication
    name = "personalToken"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix="Bearer"
        )
