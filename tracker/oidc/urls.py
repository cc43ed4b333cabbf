"""The provider's way in and back (/oidc/), and the accounts pages that know of it."""

from django.contrib.auth import urls as auth_urls
from django.contrib.auth import views as auth_views
from django.urls import path

from tracker.forms import PasswordResetForm

from . import views

app_name = "oidc"
urlpatterns = [
    path("authenticate/", views.SignIn.as_view(), name="authenticate"),
    path("callback/", views.Callback.as_view(), name="callback"),
]

PASSWORD_PAGES = {
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}


def account_urls():
    """Django's accounts pages (under accounts/): sign-in and sign-out of our own, and
    the password pages refused where PASSWORD_SIGN_IN is off."""
    ours = {
        "login": views.SignInPage.as_view(),
        "logout": views.SignOut.as_view(),
        "password_reset": auth_views.PasswordResetView.as_view(
            form_class=PasswordResetForm
        ),
    }
    patterns = []
    for pattern in auth_urls.urlpatterns:
        view = ours.get(pattern.name, pattern.callback)
        if pattern.name in PASSWORD_PAGES:
            view = views.password_only(view)
        patterns.append(path(str(pattern.pattern), view, name=pattern.name))
    return patterns
