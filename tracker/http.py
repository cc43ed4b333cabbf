"""HTTP plumbing: who the client is behind proxies, and no caching of signed-in pages."""

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


class NoStoreForSignedInMiddleware:
    """Answers to a signed-in person are kept by no cache, neither shared nor the browser's.

    They hold a force's work (pages, CSV and Excel exports alike), and a browser's
    disk cache outlives signing out on a shared computer. A response that chose its
    own caching (the calendar feed, evidence) keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not response.has_header("Cache-Control")
        ):
            response["Cache-Control"] = "private, no-store"
        return response
