"""The test provider's settings: everything it needs comes from PROVIDER_* variables."""

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
PORT = int(os.environ["PROVIDER_PORT"])

SECRET_KEY = "test-provider-only-" + "x" * 40
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# The issuer is this address plus /openid.
SITE_URL = f"http://127.0.0.1:{PORT}"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oidc_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "tests.oidc_provider.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": ["django.template.context_processors.request"]
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["PROVIDER_DATABASE"],
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
LOGIN_URL = "/login/"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
OIDC_IDTOKEN_INCLUDE_CLAIMS = True
OIDC_USERINFO = "tests.oidc_provider.settings.userinfo"
OIDC_EXTRA_SCOPE_CLAIMS = "tests.oidc_provider.claims.GroupsClaims"


def userinfo(claims, user):
    # In this provider a user's is_staff stands for "their email is verified", and
    # their first name for the groups they are in, separated by spaces.
    claims["email"] = user.email
    claims["email_verified"] = user.is_staff
    return claims


# Two providers may run at once on 127.0.0.1, where cookies are not told apart by
# port: each keeps its own.
SESSION_COOKIE_NAME = f"provider_{PORT}_session"
CSRF_COOKIE_NAME = f"provider_{PORT}_csrftoken"
