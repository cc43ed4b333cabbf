"""What a token's scope allows. Who may do what is `tracker.permissions`, asked by the services."""

from rest_framework import permissions

from ..models import ApiToken


class TokenScope(permissions.BasePermission):
    """A read-only token reads; it never writes."""

    message = (
        "This API token is read only: create a read and write token to make changes."
    )

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        token = request.auth
        return not (isinstance(token, ApiToken) and token.is_read_only)
