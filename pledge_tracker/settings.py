"""Pledge Tracker settings: one module, read from the environment with django-environ."""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# Production unless told otherwise: a deployment that forgets DEBUG never runs in debug mode.
# `make run` and `make test` set DEBUG=true for development.
DEBUG = env.bool("DEBUG", default=False)
REQUIRED_IN_PRODUCTION = ("SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_URL")


def _listed(names):
    return " and ".join(filter(None, [", ".join(names[:-1]), names[-1]]))


if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="django-insecure-development-only-key")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
    EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
else:
    missing = [name for name in REQUIRED_IN_PRODUCTION if not env.str(name, default="")]
    if missing:
        raise ImproperlyConfigured(
            f"DEBUG is off, so {_listed(missing)} must be set in the environment "
            "(README, Configuration); set DEBUG=true for development."
        )
    SECRET_KEY = env("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    EMAIL_CONFIG = env.email("EMAIL_URL")
vars().update(EMAIL_CONFIG)

INSTALLED_APPS = [
    "modeltranslation",  # before the admin, as it asks
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "bootstrap",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pgtrigger",
    "simple_history",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "cities",
    "commitments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "pledge_tracker.i18n.FirstVisitLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Records who changed reference data (weights, mayors...) in its admin history.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it answers a locked-out login with the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login before checking
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "pledge_tracker.urls"

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
                "pledge_tracker.i18n.languages",
            ],
        },
    },
]

WSGI_APPLICATION = "pledge_tracker.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Take the write lock when a transaction starts, so concurrent writers queue up instead of
    # failing half-way ("database is locked").
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
else:
    # Keep connections between requests, checked before reuse, instead of one per request.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=300)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # No JIT: compiling a plan cost the cities CSV's query 280 of its 320 ms; the site's
        # queries are short, and would never win it back.
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# How long a public page stays cached for anonymous visitors; any write to the record makes a
# new version at once (commitments.caching). 0 turns page caching off.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "advocate:dashboard"
LOGOUT_REDIRECT_URL = "commitments:home"

DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Pledge Tracker <noreply@localhost>")
# Where people reach the site, for links in email (which has no request to take the host from).
SITE_URL = env.str(
    "SITE_URL", default="http://127.0.0.1:8000" if DEBUG else f"https://{ALLOWED_HOSTS[0]}"
).rstrip("/")

# The whole log's CSVs, built ahead as files by the background worker after the record changes
# (`commitments.downloads`): a directory the web servers read and the worker writes, shared by
# every server of a site.
DOWNLOADS_DIR = env.path("DOWNLOADS_DIR", default=BASE_DIR / "downloads")

# Followers' mail: at most one message per follower in this many minutes (a burst of approvals
# goes as one message), each telling this many changes in full and counting the rest.
FOLLOW_THROTTLE_MINUTES = env.int("FOLLOW_THROTTLE_MINUTES", default=10)
FOLLOW_UPDATES_PER_MESSAGE = env.int("FOLLOW_UPDATES_PER_MESSAGE", default=25)

# Background work (email, long imports) through Django 6's tasks API, backported by
# django-tasks: stored in the database and run by `manage.py db_worker` (`make run` starts
# one), or, with TASKS_URL=redis://…, queued in Redis and run by RQ workers
# (`manage.py rqworker --job-class django_tasks_rq.Job`).
TASKS_URL = env.str("TASKS_URL", default="")
if TASKS_URL.startswith(("redis://", "rediss://")):
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": TASKS_URL}}
elif TASKS_URL:
    raise ImproperlyConfigured("TASKS_URL is a redis:// URL, or empty for the database.")
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# English at unprefixed addresses, Spanish under /es/ (`pledge_tracker.urls`).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = int(timedelta(days=365).total_seconds())  # the switcher's choice
# Dates as each language writes them (`pledge_tracker/formats/<language>/formats.py`).
FORMAT_MODULE_PATH = ["pledge_tracker.formats"]
# The framework's texts stored in each language (`commitments/translation.py`); a Spanish page
# shows the English text where the Spanish is empty.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

FORMS_URLFIELD_ASSUME_HTTPS = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# HTTPS. Behind a load balancer that terminates TLS, set BEHIND_TLS_PROXY=true (only if the
# proxy overwrites X-Forwarded-Proto) so Django knows the request was secure, and
# CSRF_TRUSTED_ORIGINS when the public origin differs from the host the app server sees.
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = env.bool("USE_X_FORWARDED_HOST", default=False)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe app servers over plain HTTP
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
X_FRAME_OPTIONS = "DENY"

# Pages load scripts, styles, images and fonts from this site only, and run no inline script or
# style (Bootstrap's CSS draws its form controls with data: images).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Abuse limits. The request limits count in the shared cache (CACHE_URL, Redis in production),
# so every worker and app server shares one count per client; RATE_LIMITS=off turns them off
# (for load tests), never the login lockout.
RATE_LIMITS = env.str("RATE_LIMITS", default="on") != "off"
RATELIMIT_ENABLE = RATE_LIMITS
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="120/m")
DOWNLOAD_RATE_LIMIT = env.str("DOWNLOAD_RATE_LIMIT", default="30/m")
# How many streamed downloads the whole site sends at once (counted in the shared cache, across
# app servers): fewer than one server's workers, so that some always serve the pages. Each
# stream's marks are renewed as it sends: one whose worker died frees them within
# STREAM_SECONDS (limits.py).
STREAMS_AT_ONCE = env.int("STREAMS_AT_ONCE", default=1)
STREAM_SECONDS = env.int("STREAM_SECONDS", default=60)
SUBMISSION_RATE_LIMIT = env.str("SUBMISSION_RATE_LIMIT", default="30/h")
PASSWORD_RESET_RATE_LIMIT = env.str("PASSWORD_RESET_RATE_LIMIT", default="5/h")
# Proxies in front of the app servers that append the client's address to X-Forwarded-For;
# 0 reads the connection's own address, which a client cannot forge.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
SILENCED_SYSTEM_CHECKS = [
    # django-ratelimit lists third-party Redis backends only; Django's own increments atomically.
    "django_ratelimit.W001",
]
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Covering indexes' extra columns are for PostgreSQL; SQLite builds the index without them.
    SILENCED_SYSTEM_CHECKS.append("models.W040")
if DEBUG:
    # One development process may count in its own memory; production's counts must be shared.
    SILENCED_SYSTEM_CHECKS += ["django_ratelimit.E003", "axes.W001"]
elif not RATE_LIMITS:
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")

# Login lockout (django-axes): repeated failures lock out that username from that address,
# never the whole site or the real user signing in from elsewhere.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_CLIENT_IP_CALLABLE = "pledge_tracker.limits.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "pledge_tracker.limits.locked_out"

REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    # JSON only: the browsable API's pages need inline script and style, which the Content
    # Security Policy forbids; people read the API's documentation at /api/docs/.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "commitments.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Anonymous clients may ask so often (429 with Retry-After beyond), per address as
    # pledge_tracker.limits.client_ip tells them apart.
    "DEFAULT_THROTTLE_CLASSES": ["pledge_tracker.limits.AnonymousClientThrottle"]
    if RATE_LIMITS
    else [],
    "DEFAULT_THROTTLE_RATES": {"anon": API_RATE_LIMIT},
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Pledge Tracker API",
    "DESCRIPTION": "Read-only open data on US mayors' commitments under the Mayoral Pledge "
    "to End Police Violence. Licensed CC BY 4.0.",
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "ENUM_NAME_OVERRIDES": {
        "ActionStatusEnum": "commitments.scoring.Status",
        "PledgeStatusEnum": "commitments.models.PledgeStatus",
        "RecordedPledgeStatusEnum": "commitments.models.RECORDED_PLEDGE_STATUSES",
        "GradeEnum": "commitments.scoring.Grade",
        "ReviewStateEnum": "commitments.models.ReviewState",
    },
    "SERVE_INCLUDE_SCHEMA": False,
    # `check --deploy` runs before the database exists; the schema is generated and validated
    # by the tests instead (tests/test_open_data.py).
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}
