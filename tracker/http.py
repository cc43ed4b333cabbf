"""Who is signing in, for django-axes: the client's address behind proxies, and the email."""

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the socket's, or the one the trusted proxies saw.

    With TRUSTED_PROXY_COUNT = N, each of the N proxies appends the address it was
    reached from to X-Forwarded-For, so the client is the Nth from the right;
    anything to the left of it was written by the client and proves nothing.
    django-axes keys sign-in failures on this (AXES_CLIENT_IP_CALLABLE).
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        # Not strict: a junk entry the client put on the left must not make the
        # whole header count as missing, or every such attempt would be keyed on
        # the proxy's address, which is the lockout of everyone this prevents.
        address, _routable = get_client_ip(
            request,
            proxy_count=proxies - 1,
            request_header_order=["HTTP_X_FORWARDED_FOR"],
            strict=False,
        )
        if address:
            return address
    # No proxy, or a request that did not come through them all (a health check).
    return request.META.get("REMOTE_ADDR")


def sign_in_username(request, credentials=None):
    """The email django-axes counts failed sign-ins against: one count per address
    in any letter case, as signing in accepts any (AXES_USERNAME_CALLABLE)."""
    data = credentials or getattr(request, "data", request.POST)
    username = data.get(settings.AXES_USERNAME_FORM_FIELD)
    return username.lower() if isinstance(username, str) else username


def not_a_password_attempt(request, credentials=None) -> bool:
    """django-axes leaves alone what names no email (AXES_WHITELIST_CALLABLE): the
    provider's callback. Its refusals would otherwise count against "nobody" from
    that address, and five strangers at one police station's address would lock
    everyone there out of signing in with the provider. The provider throttles its
    own sign-ins; password attempts are counted as before."""
    return not sign_in_username(request, credentials)
