"""Settings for the PEEL action tracker, all read from the environment.

A `.env` file beside manage.py (made by `bin/setup` for a first run) is read
too; real environment variables win over it.
"""

import datetime
import re
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(env.str("ENV_FILE", default=str(BASE_DIR / ".env")))

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DEBUG=true on a development machine."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"
elif not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for production: use at least 50 random characters."
    )

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The address people reach the app at, used in links inside emails and feeds.
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_forms_gds",
    "django.forms",
    "django_filters",
    "django_celery_beat",
    "axes",
    "simple_history",
    "health_check",
    "tracker",
]

MIDDLEWARE = [
    # First, so that its line times and tells of every answer, redirects included.
    "tracker.middleware.RequestLog",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Whoever came through a provider is asked about again now and then (tracker/oidc).
    "tracker.oidc.middleware.ProviderRecheck",
    "tracker.middleware.NoStoreForSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # After CSP, so that the page it puts in place of a blank 405 gets its headers.
    "tracker.middleware.MethodNotAllowedPage",
    # Last, so that it sees the outcome of every sign-in attempt.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Sign-in throttling: after 5 failures for one email from one address, that
# pair waits 15 minutes. The lockout is keyed on both so that nobody can lock
# a colleague out from elsewhere.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "tracker.http.sign_in_username"
AXES_WHITELIST_CALLABLE = "tracker.http.not_a_password_attempt"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# How many proxies of our own stand in front of the app. 0: the client is the
# socket's address and X-Forwarded-For is ignored (anyone can write it); N: the
# client is the Nth address from the right in X-Forwarded-For (tracker.http).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT is a number of proxies: 0 or more.")
AXES_CLIENT_IP_CALLABLE = "tracker.http.client_ip"

# Signing in with the force's own accounts (OpenID Connect, tracker/oidc; README).
# Off unless OIDC_ISSUER and OIDC_CLIENT_ID are set. More providers beside the first
# (a force's own Entra ID tenant, the inspectorate's) are named in OIDC_MORE_PROVIDERS,
# each set by the same variables with its name after OIDC_: OIDC_HMICFRS_ISSUER...


def _oidc_provider(prefix: str) -> dict:
    """One provider's settings, from the environment variables that start with `prefix`."""
    return {
        "OIDC_ISSUER": env.str(f"{prefix}ISSUER", default="").rstrip("/"),
        "OIDC_RP_CLIENT_ID": env.str(f"{prefix}CLIENT_ID", default=""),
        "OIDC_RP_CLIENT_SECRET": env.str(f"{prefix}CLIENT_SECRET", default=""),
        "OIDC_PROVIDER_NAME": env.str(
            f"{prefix}PROVIDER_NAME", default="your organisation's account"
        ),
        "OIDC_RP_SCOPES": env.str(f"{prefix}SCOPES", default="openid email profile"),
        "OIDC_RP_SIGN_ALGO": env.str(f"{prefix}SIGN_ALGO", default="RS256"),
        "OIDC_EMAIL_CLAIM": env.str(f"{prefix}EMAIL_CLAIM", default="email"),
        "OIDC_REQUIRE_VERIFIED_EMAIL": env.bool(
            f"{prefix}REQUIRE_VERIFIED_EMAIL", default=True
        ),
        "OIDC_EMAIL_VERIFIED_CLAIM": env.str(
            f"{prefix}EMAIL_VERIFIED_CLAIM", default="email_verified"
        ),
        # The email domains the provider speaks for; none: any.
        "OIDC_EMAIL_DOMAINS": [
            domain.lower().lstrip("@")
            for domain in env.list(f"{prefix}EMAIL_DOMAINS", default=[])
        ],
        # Groups (or app roles) that should mean a role or a force: a difference
        # from the tracker's own is logged at sign-in, never applied.
        "OIDC_ROLE_CLAIM": env.str(f"{prefix}ROLE_CLAIM", default=""),
        "OIDC_ROLE_MAP": env.dict(f"{prefix}ROLE_MAP", default={}),
        "OIDC_FORCE_MAP": env.dict(f"{prefix}FORCE_MAP", default={}),
        # Discovered from the issuer unless set (tracker/oidc/config.py).
        "OIDC_OP_AUTHORIZATION_ENDPOINT": env.str(
            f"{prefix}AUTHORIZATION_ENDPOINT", default=""
        ),
        "OIDC_OP_TOKEN_ENDPOINT": env.str(f"{prefix}TOKEN_ENDPOINT", default=""),
        "OIDC_OP_USER_ENDPOINT": env.str(f"{prefix}USER_ENDPOINT", default=""),
        "OIDC_OP_JWKS_ENDPOINT": env.str(f"{prefix}JWKS_ENDPOINT", default=""),
        "OIDC_OP_END_SESSION_ENDPOINT": env.str(
            f"{prefix}END_SESSION_ENDPOINT", default=""
        ),
    }


_first_provider = _oidc_provider("OIDC_")
OIDC_ISSUER = _first_provider["OIDC_ISSUER"]
OIDC_RP_CLIENT_ID = _first_provider["OIDC_RP_CLIENT_ID"]
OIDC_ENABLED = bool(OIDC_ISSUER and OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = _first_provider["OIDC_RP_CLIENT_SECRET"]
OIDC_PROVIDER_NAME = _first_provider["OIDC_PROVIDER_NAME"]
OIDC_RP_SCOPES = _first_provider["OIDC_RP_SCOPES"]
OIDC_RP_SIGN_ALGO = _first_provider["OIDC_RP_SIGN_ALGO"]
OIDC_EMAIL_CLAIM = _first_provider["OIDC_EMAIL_CLAIM"]
OIDC_REQUIRE_VERIFIED_EMAIL = _first_provider["OIDC_REQUIRE_VERIFIED_EMAIL"]
OIDC_EMAIL_VERIFIED_CLAIM = _first_provider["OIDC_EMAIL_VERIFIED_CLAIM"]
OIDC_EMAIL_DOMAINS = _first_provider["OIDC_EMAIL_DOMAINS"]
OIDC_ROLE_CLAIM = _first_provider["OIDC_ROLE_CLAIM"]
OIDC_ROLE_MAP = _first_provider["OIDC_ROLE_MAP"]
OIDC_FORCE_MAP = _first_provider["OIDC_FORCE_MAP"]
OIDC_OP_AUTHORIZATION_ENDPOINT = _first_provider["OIDC_OP_AUTHORIZATION_ENDPOINT"]
OIDC_OP_TOKEN_ENDPOINT = _first_provider["OIDC_OP_TOKEN_ENDPOINT"]
OIDC_OP_USER_ENDPOINT = _first_provider["OIDC_OP_USER_ENDPOINT"]
OIDC_OP_JWKS_ENDPOINT = _first_provider["OIDC_OP_JWKS_ENDPOINT"]
OIDC_OP_END_SESSION_ENDPOINT = _first_provider["OIDC_OP_END_SESSION_ENDPOINT"]


def _oidc_prefix(key: str) -> str:
    """The environment's prefix of a provider named in OIDC_MORE_PROVIDERS."""
    return f"OIDC_{key.upper().replace('-', '_')}_"


OIDC_MORE_PROVIDERS = {
    key.lower(): _oidc_provider(_oidc_prefix(key))
    for key in env.list("OIDC_MORE_PROVIDERS", default=[])
}
for _key, _provider in OIDC_MORE_PROVIDERS.items():
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", _key):
        raise ImproperlyConfigured(
            f"OIDC_MORE_PROVIDERS: {_key!r} is not a name of letters, digits and dashes."
        )
    if not OIDC_ENABLED:
        raise ImproperlyConfigured(
            "OIDC_MORE_PROVIDERS names more providers, but the first is not set "
            "(OIDC_ISSUER, OIDC_CLIENT_ID)."
        )
    _prefix = _oidc_prefix(_key)
    if not all(
        _provider[name]
        for name in ("OIDC_ISSUER", "OIDC_RP_CLIENT_ID", "OIDC_RP_CLIENT_SECRET")
    ):
        raise ImproperlyConfigured(
            f"Set {_prefix}ISSUER, {_prefix}CLIENT_ID and {_prefix}CLIENT_SECRET."
        )
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False
OIDC_STORE_ID_TOKEN = True  # the hint the provider's sign-out asks for
# How often the provider is asked again whether a person is still signed in there
# (tracker.oidc.middleware): someone whose account is closed loses access so soon.
OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS = env.int("OIDC_RECHECK_MINUTES", default=60) * 60
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc:callback"
PASSWORD_SIGN_IN = env.bool("PASSWORD_SIGN_IN", default=True)
if OIDC_ENABLED:
    if not OIDC_RP_CLIENT_SECRET:
        raise ImproperlyConfigured("OIDC_CLIENT_SECRET is not set.")
    AUTHENTICATION_BACKENDS.append("tracker.oidc.backend.ProviderBackend")
if not PASSWORD_SIGN_IN:
    if not OIDC_ENABLED:
        raise ImproperlyConfigured(
            "PASSWORD_SIGN_IN is off but no provider is set (OIDC_ISSUER, "
            "OIDC_CLIENT_ID): nobody could sign in."
        )
    AUTHENTICATION_BACKENDS.remove("django.contrib.auth.backends.ModelBackend")

# Content Security Policy: only this site's own scripts, styles and images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if OIDC_ENABLED:
    # Signing out goes on to the provider's sign-out from the form's POST.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] += sorted(
        {
            "{0.scheme}://{0.netloc}".format(urlsplit(url))
            for provider in (_first_provider, *OIDC_MORE_PROVIDERS.values())
            for url in (
                provider["OIDC_ISSUER"],
                provider["OIDC_OP_END_SESSION_ENDPOINT"],
            )
            if url
        }
    )

ROOT_URLCONF = "peel.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tracker.context_processors.notifications",
                "tracker.context_processors.sign_in",
            ],
        },
    },
]

WSGI_APPLICATION = "peel.wsgi.application"

# The embedded default is an SQLite file under var/; production and CI use
# PostgreSQL: DATABASE_URL=postgres://user:password@host:5432/peel
# The cache (the national figures, among others): this process's own by default,
# for a first run on one server; Redis (CACHE_URL=redis://host:6379/1) wherever
# more than one app server must serve the same figures.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'peel.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite lets one writer in at a time. Each transaction takes the write lock
    # when it begins (not half-way, where waiting could deadlock, so SQLite fails
    # it at once: "database is locked"), and waits up to `timeout` seconds for it;
    # WAL lets pages be read meanwhile.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE",
        timeout=20,
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "tracker.User"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["peel.formats"]

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "staticfiles")
# Third-party browser assets come from the npm registry at setup (bin/setup runs
# `npm ci`), never from a CDN and never committed.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # The compiled stylesheet and GOV.UK Frontend's script (bin/setup).
    BASE_DIR / "build" / "static",
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
STORAGES = {
    # Evidence files live here, outside the static files, and are only ever
    # served through a view that checks who is asking.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
        },
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Evidence on S3-compatible storage (django-storages) when EVIDENCE_S3_BUCKET is set,
# so that every app server sees the same files; the local folder otherwise. Files
# are still served only through the view that checks who asks, never by a link
# to the bucket.
EVIDENCE_S3_BUCKET = env.str("EVIDENCE_S3_BUCKET", default="")
if EVIDENCE_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": EVIDENCE_S3_BUCKET,
            "location": env.str("EVIDENCE_S3_PREFIX", default=""),
            # Unset: boto3's own (AWS_ACCESS_KEY_ID..., an instance role).
            "endpoint_url": env.str("EVIDENCE_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("EVIDENCE_S3_REGION", default="") or None,
            "access_key": env.str("EVIDENCE_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("EVIDENCE_S3_SECRET_ACCESS_KEY", default="") or None,
            "file_overwrite": False,
            "default_acl": None,  # the bucket's own: private
        },
    }

# Widgets render from the project's templates too (templates/widgets/).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
CRISPY_GDS_FRONTEND_VERSION = "6.6.0"
# Widgets crispy-forms-gds does not know by name get their GOV.UK classes: django-filter's
# sort box (a CSV select), a number box (the percent complete), several files at once.
CRISPY_CLASS_CONVERTERS = {
    "csvselect": "govuk-select",
    "numberinput": "govuk-input govuk-input--width-3",
    "multiplefileinput": "govuk-file-upload",
}

# Email: EMAIL_URL=smtp://user:password@mail.example.org:587/?tls=True
# (the default prints messages on the console, for a first run).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="PEEL action tracker <noreply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)

# Celery, with Redis as broker. Tasks are acknowledged after they run, so a
# worker killed mid-task leaves the message for another worker.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="redis://localhost:6379/0")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)

# Behind a TLS-terminating proxy, set SECURE_PROXY_SSL_HEADER_NAME=HTTP_X_FORWARDED_PROTO.
if env.str("SECURE_PROXY_SSL_HEADER_NAME", default=""):
    SECURE_PROXY_SSL_HEADER = (env.str("SECURE_PROXY_SSL_HEADER_NAME"), "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# A load balancer polls these over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = 0 if DEBUG else env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

FILE_UPLOAD_PERMISSIONS = 0o640

# Evidence limits, said on the update form and in the README. Sizes are in MB
# (1024 x 1024 bytes), the quota of each force in GB.
EVIDENCE_MAX_FILE_MB = env.int("EVIDENCE_MAX_FILE_MB", default=20)
EVIDENCE_MAX_FILES_PER_UPDATE = env.int("EVIDENCE_MAX_FILES_PER_UPDATE", default=10)
EVIDENCE_MAX_UPDATE_MB = env.int("EVIDENCE_MAX_UPDATE_MB", default=50)
EVIDENCE_MAX_LINKS_PER_UPDATE = env.int("EVIDENCE_MAX_LINKS_PER_UPDATE", default=20)
EVIDENCE_FORCE_QUOTA_GB = env.float("EVIDENCE_FORCE_QUOTA_GB", default=5)
# Up to ten times the files an update takes, the form answers with its own
# message and keeps the words; beyond that Django stops reading the request and
# the 400 page (tracker.views.errors.bad_request) says why.
DATA_UPLOAD_MAX_NUMBER_FILES = max(100, 10 * EVIDENCE_MAX_FILES_PER_UPDATE)
# A request larger than the most files an update takes at their largest is
# refused before it is read, not written to disk first.
FILE_UPLOAD_HANDLERS = [
    "tracker.evidence.RequestSizeLimit",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # django-axes reports every sign-in at INFO; failures and lockouts are WARNING.
    # WeasyPrint tells every step of drawing a pack at INFO; fontTools every subset.
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # One JSON line per request (tracker.middleware.RequestLog); REQUEST_LOG=false
        # to leave them out.
        "peel.requests": {
            "level": "INFO" if env.bool("REQUEST_LOG", default=True) else "WARNING"
        },
    },
}

# Deadline reminders (tracker.reminders, tracker.tasks) ---------------------------------
# Celery beat starts the sweep at 08:00 London time on weekdays; the schedule is a
# PeriodicTask in the database (made by a migration), so it can be changed in the admin.
#
# Fail fast when Redis is down: publishing a task gives up within about a second
# instead of retrying for ever, so neither a web request nor the sweep hangs. The
# outbox rows are already in the database, and the next sweep queues them again.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float(
    "CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0
)
_FAIL_FAST = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **_FAIL_FAST,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    # A message taken but not acknowledged (a killed worker) comes back after this
    # long. Longer than any retry countdown below, or Redis would hand a waiting
    # retry to a second worker (harmless, as sending claims its rows, but wasteful).
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 60 * 60),
}
CELERY_TASK_PUBLISH_RETRY_POLICY = _FAIL_FAST
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 5
# The queue the digest tasks go to; a worker must listen to it (the default one does).
REMINDER_QUEUE = env.str("REMINDER_QUEUE", default="celery")
# A digest that the mail server refuses is tried again after 1, 2, 4 ... minutes,
# then its items are marked failed, shown in the admin and re-queued by the next sweep ...
REMINDER_SEND_MAX_RETRIES = env.int("REMINDER_SEND_MAX_RETRIES", default=5)
# ... until each has been tried this many times in all: then it stays failed until
# someone sends it again from the admin.
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=10)
REMINDER_RETRY_BACKOFF_SECONDS = env.float("REMINDER_RETRY_BACKOFF_SECONDS", default=60)
REMINDER_RETRY_BACKOFF_MAX_SECONDS = env.float(
    "REMINDER_RETRY_BACKOFF_MAX_SECONDS", default=30 * 60
)
# A sending task is killed after this long ...
REMINDER_SEND_TIME_LIMIT_SECONDS = env.int(
    "REMINDER_SEND_TIME_LIMIT_SECONDS", default=5 * 60
)
# ... so a claim older than this belongs to a dead worker: its items get one last attempt.
REMINDER_CLAIM_TIMEOUT_SECONDS = env.int(
    "REMINDER_CLAIM_TIMEOUT_SECONDS", default=30 * 60
)

# Webhooks (tracker.webhooks): posted through the same worker and outbox as the
# notifications. Only to https addresses (http too in development), and only to
# public addresses, to a force's own networks (set on the force, by an
# administrator), and to the networks named here, which every force's webhooks
# may reach ("10.99.0.0/24"); never to this server's neighbours.
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=DEBUG)
WEBHOOK_ALLOWED_NETWORKS = env.list("WEBHOOK_ALLOWED_NETWORKS", default=[])
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10)
# Events one task posts; more are queued for the next (within the task's time limit).
WEBHOOK_BATCH = env.int("WEBHOOK_BATCH", default=20)

# The REST API (tracker.api) -------------------------------------------------------------
# Personal tokens (Authorization: Bearer ...) or the browser's session (with CSRF);
# every request is throttled per token, or per person for the session.
INSTALLED_APPS += ["rest_framework", "drf_spectacular", "drf_spectacular_sidecar"]
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="1000/hour")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tracker.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "tracker.api.permissions.TokenScope",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["tracker.api.throttling.PerTokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": API_RATE_LIMIT},
    "DEFAULT_PAGINATION_CLASS": "tracker.api.pagination.ById",
    "PAGE_SIZE": env.int("API_PAGE_SIZE", default=50),
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "tracker.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PEEL action tracker API",
    "DESCRIPTION": (
        "Forces, inspections, findings and the actions that answer them. Every "
        "object is read and changed through the same rules as the pages."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The documentation page's scripts and styles from this site's own static files.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ActionStatus": "tracker.models.Action.Status",
        "FindingStatus": "tracker.models.Finding.Status",
        "DeadlineChangeStatus": "tracker.models.DeadlineChangeRequest.Status",
    },
}
