from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tracker.forms import PasswordResetForm, SignInForm

urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=SignInForm),
        name="login",
    ),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("tracker.urls")),
]

handler400 = "tracker.views.errors.bad_request"
