"""Asking the provider again: someone who has left the force loses access here within
OIDC_RECHECK_MINUTES, not when their session would have ended."""

import time
from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from . import config
from .views import EXPIRES, SESSION_PROVIDER

# Not asked about: the way in and out, and what is not a page a person opened.
SKIPPED = ("/oidc/", "/accounts/", "/api/", "/static/", "/admin/jsi18n/")


class ProviderRecheck:
    """A person who signed in through a provider is sent back to it, without a page
    (prompt=none), on the first page they open once OIDC_RECHECK_MINUTES have
    passed. The provider answers at once: still signed in there, they come
    straight back to the page; not (their account closed, its own sign-in ended),
    they are signed out here (`views.Callback.login_failure`).

    Only pages opened in the browser are asked about (a GET that accepts HTML):
    not a form's POST, a script's request, a file, a feed or the API.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self.due(request):
            query = {"recheck": "1", "next": request.get_full_path()}
            provider = request.session.get(SESSION_PROVIDER, "")
            if provider:
                query["provider"] = provider
            return redirect(f"{reverse('oidc:authenticate')}?{urlencode(query)}")
        return self.get_response(request)

    @staticmethod
    def due(request) -> bool:
        return (
            request.method == "GET"
            and "text/html" in request.headers.get("Accept", "")
            and not request.path.startswith(SKIPPED)
            and request.user.is_authenticated
            and SESSION_PROVIDER in request.session
            and config.known(request.session[SESSION_PROVIDER])
            and time.time() > request.session.get(EXPIRES, 0)
        )
