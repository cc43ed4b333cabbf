from django.contrib import admin
from django.urls import include, path

from tracker import health
from tracker.oidc.urls import account_urls
from tracker.oidc.views import admin_sign_in

urlpatterns = [
    # The admin's password form, or the sign-in page where passwords are off.
    path("admin/login/", admin_sign_in),
    path("admin/", admin.site.urls),
    # Sign-in, sign-out and the password pages (tracker/oidc/urls.py).
    path("accounts/", include(account_urls())),
    path("oidc/", include("tracker.oidc.urls")),
    path("api/v1/", include("tracker.api.urls")),
    # For a load balancer: alive, and ready with everything shared (tracker/health.py).
    path("health/live/", health.Live.as_view(), name="health-live"),
    path("health/ready/", health.Ready.as_view(), name="health-ready"),
    path("", include("tracker.urls")),
]

handler400 = "tracker.views.errors.bad_request"
