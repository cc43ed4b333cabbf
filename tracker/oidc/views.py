"""The sign-in page, the provider's way in and back, sign-out, and the refusal page."""

import time
from functools import wraps
from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from django.contrib import admin, auth
from django.contrib.auth import views as auth_views
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.generic import View
from mozilla_django_oidc import views as oidc_views

from tracker.forms import SignInForm

from . import config
from .backend import refuse

# What each refusal says, and its status.
STATUS = {"provider": 503}
# Which provider each sign-in under way (by its state) and each session is with.
PROVIDER_OF_STATE = "oidc_provider_of_state"
SESSION_PROVIDER = "oidc_provider"
# Sign-ins started and not finished that a session remembers (several tabs).
STATES_KEPT = 10
# When the tracker next asks the provider whether the person is still signed in
# there (mozilla-django-oidc's key; OIDC_RECHECK_MINUTES after each sign-in).
EXPIRES = "oidc_id_token_expiration"
# Asked again this soon when the provider could not be reached to ask.
RECHECK_AGAIN_SECONDS = 5 * 60


def sign_in_links(next_url: str = "") -> list[tuple[str, str]]:
    """Each provider's name and the address that starts signing in with it."""
    links = []
    for provider in config.providers():
        query = {"provider": provider.key} if provider.key else {}
        if next_url:
            query["next"] = next_url
        address = reverse("oidc:authenticate")
        links.append(
            (provider.name, f"{address}?{urlencode(query)}" if query else address)
        )
    return links


def refused(request, reason: str, email: str = ""):
    """The refusal page, naming the provider the sign-in was with."""
    return render(
        request,
        "registration/oidc_refused.html",
        {
            "reason": reason,
            "email": email,
            "provider": config.value("OIDC_PROVIDER_NAME"),
            "sign_in_links": sign_in_links(),
            "password_sign_in": settings.PASSWORD_SIGN_IN,
        },
        status=STATUS.get(reason, 403),
    )


class SignInPage(auth_views.LoginView):
    """The sign-in page: the provider's button, the password form, or both."""

    authentication_form = SignInForm

    def post(self, request, *args, **kwargs):
        if not settings.PASSWORD_SIGN_IN:
            refuse(request, "password_off")
            return refused(request, "password_off")
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        providers = config.providers()
        return {
            **context,
            "oidc_enabled": bool(providers),
            "sign_in_links": sign_in_links(context.get("next", "")),
            "provider": " or ".join(provider.name for provider in providers),
            "password_sign_in": settings.PASSWORD_SIGN_IN,
        }


def password_only(view):
    """A password page (reset, change) that a deployment without passwords refuses."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.PASSWORD_SIGN_IN:
            return refused(request, "password_off")
        return view(request, *args, **kwargs)

    return wrapper


def admin_sign_in(request, *args, **kwargs):
    """The admin's own password form, or the sign-in page when passwords are off."""
    if settings.PASSWORD_SIGN_IN:
        return admin.site.login(request, *args, **kwargs)
    target = request.GET.get("next", reverse("admin:index"))
    return redirect(f"{reverse('login')}?{urlencode({'next': target})}")


class SignIn(oidc_views.OIDCAuthenticationRequestView):
    """To the provider, with a state, a nonce and a PKCE challenge kept in the session."""

    get_settings = staticmethod(config.setting)

    def __init__(self, **kwargs):
        # The endpoints are read in get(), where a provider that cannot be reached
        # gets a page of its own.
        View.__init__(self, **kwargs)

    def get(self, request):
        key = request.GET.get("provider", "")
        if not config.known(key):
            raise Http404
        recheck = request.GET.get("recheck") == "1" and request.user.is_authenticated
        with config.using(key):
            try:
                self.OIDC_OP_AUTH_ENDPOINT = self.get_settings(
                    "OIDC_OP_AUTHORIZATION_ENDPOINT"
                )
            except config.ProviderUnreachable as exc:
                refuse(request, "provider", detail=str(exc))
                if recheck:
                    # Not the person's doing: they go on, and are asked again soon.
                    request.session[EXPIRES] = time.time() + RECHECK_AGAIN_SECONDS
                    return redirect(safe_next(request))
                return refused(request, "provider")
            self.OIDC_RP_CLIENT_ID = config.value("OIDC_RP_CLIENT_ID")
            self.recheck = recheck
            response = super().get(request)
        # The callback checks the answer against the provider this state went to.
        state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
        started = request.session.get(PROVIDER_OF_STATE, {})
        started[state] = {"provider": key, "recheck": recheck}
        request.session[PROVIDER_OF_STATE] = dict(list(started.items())[-STATES_KEPT:])
        return response

    def get_extra_params(self, request):
        extra = dict(super().get_extra_params(request))
        if getattr(self, "recheck", False):
            # Asked again without a page: the provider answers at once, signed in
            # or not (OpenID Connect Core 3.1.2.1).
            extra["prompt"] = "none"
        return extra


def safe_next(request) -> str:
    return oidc_views.get_next_url(request, "next") or "/"


class Callback(oidc_views.OIDCAuthenticationCallbackView):
    """Back from the provider: the code exchanged, the ID token checked, the person found."""

    get_settings = staticmethod(config.setting)
    recheck = False  # whether this answers the tracker's own question (ProviderRecheck)

    def get(self, request):
        if not config.enabled():
            raise Http404
        started = request.session.get(PROVIDER_OF_STATE, {})
        begun = started.get(request.GET.get("state", ""), {})
        key, self.recheck = begun.get("provider", ""), begun.get("recheck", False)
        if not config.known(key):
            # Started with a provider no longer set up here.
            refuse(request, "state", detail=f"no provider {key!r}")
            return refused(request, "state")
        with config.using(key):
            try:
                return super().get(request)
            except SuspiciousOperation as exc:
                # A state this browser never sent: an old or copied link, or a forgery.
                refuse(request, "state", detail=str(exc))
                return refused(request, "state")

    def login_success(self):
        provider = config.current()
        response = super().login_success()
        # For the sign-out: this session came through this provider.
        self.request.session[SESSION_PROVIDER] = provider
        return response

    def login_failure(self):
        request = self.request
        reason = getattr(request, "oidc_refusal", None)
        if reason is None:
            reason = "cancelled" if request.GET.get("error") else "state"
            refuse(request, reason, detail=request.GET.get("error", "no state"))
        if self.recheck:
            # The provider no longer signs them in (they left, or its own sign-in
            # ended), or the tracker no longer takes its word: signed out here.
            auth.logout(request)
            return refused(request, "ended", getattr(request, "oidc_refused_email", ""))
        return refused(request, reason, getattr(request, "oidc_refused_email", ""))


class SignOut(auth_views.LogoutView):
    """Ends the session here; whoever came through the provider goes on to its sign-out."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get("oidc_id_token")
        key = request.session.get(SESSION_PROVIDER, "")
        response = super().post(request, *args, **kwargs)
        url = provider_sign_out_url(request, id_token, key) if id_token else None
        return redirect(url) if url else response


def provider_sign_out_url(request, id_token: str, key: str = "") -> str | None:
    if not config.known(key):
        return None
    with config.using(key):
        try:
            endpoint = config.setting("OIDC_OP_END_SESSION_ENDPOINT", None)
        except config.ProviderUnreachable:
            return None
        client_id = config.value("OIDC_RP_CLIENT_ID")
    if not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": client_id,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
