"""Personal API tokens: made, noted when used, revoked."""

import datetime
import secrets

from django.db.models import Q
from django.utils import timezone

from ..models import ApiToken, User, token_digest
from ..models.api import SHOWN_PREFIX_CHARS, TOKEN_PREFIX
from .errors import WorkflowError

API_TOKEN_MAX_DAYS = 366
# A token's last use is written at most this often, not on every request.
API_TOKEN_USE_GRANULARITY = datetime.timedelta(minutes=1)


def api_token_create(
    user: User, *, name: str, scope: str, expires_on: datetime.date
) -> tuple[ApiToken, str]:
    """Make a token for the person; the secret is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise WorkflowError("A name for the token is required.", field="name")
    if scope not in ApiToken.Scope.values:
        raise WorkflowError("Choose read only, or read and write.", field="scope")
    today = timezone.localdate()
    latest = today + datetime.timedelta(days=API_TOKEN_MAX_DAYS)
    if not today < expires_on <= latest:
        raise WorkflowError(
            "The expiry must be after today and within a year.", field="expires_on"
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        scope=scope,
        expires_on=expires_on,
        digest=token_digest(secret),
        shown_prefix=secret[:SHOWN_PREFIX_CHARS],
    )
    return token, secret


def api_token_revoke(user: User, token: ApiToken) -> None:
    """The person's own token stops working at once."""
    if token.user_id != user.pk:
        raise WorkflowError("This is not your token.")
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def api_token_note_use(token: ApiToken) -> None:
    """Record that the token was used, at most once a minute (no write per request)."""
    now = timezone.now()
    if token.last_used_at and now - token.last_used_at < API_TOKEN_USE_GRANULARITY:
        return
    ApiToken.objects.filter(
        Q(last_used_at__isnull=True)
        | Q(last_used_at__lt=now - API_TOKEN_USE_GRANULARITY),
        pk=token.pk,
    ).update(last_used_at=now)
    token.last_used_at = now
