from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tracker.forms import PasswordResetForm

urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("tracker.urls")),
]

handler400 = "tracker.views.bad_request"
