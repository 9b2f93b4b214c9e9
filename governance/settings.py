"""Django settings, read from the environment (django-environ).

Defaults need no server: SQLite under ``var/`` and kombu's filesystem broker under ``var/``.
``governance.settings_production`` hardens these for deployment.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)  # never overrides a variable that is already set

VAR_DIR = Path(env.str("GOVERNANCE_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# Off unless asked for (DJANGO_DEBUG=true): `make run` serves the product, never the debug page or URL list.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY",
    default="django-insecure-development-only-key-never-use-in-production",
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "guardian",
    "axes",
    "governance.core",
    "governance.parties",
    "governance.agreements",
    "governance.diary",
    "governance.documents",
    "governance.webhooks",
    "governance.decisions",
    "governance.meetings",
    "governance.home",
    "governance.oparl",
    "governance.search",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "governance.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "governance.core.middleware.RequestCachesMiddleware",  # before anything reads the session
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "governance.core.middleware.MethodNotAllowedMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "governance.urls"
WSGI_APPLICATION = "governance.wsgi.application"

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
                "governance.home.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'governance.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker share the file. A transaction that reads and then writes would fail at
    # once with "database is locked" when it tries to upgrade its read lock while the other process writes;
    # BEGIN IMMEDIATE takes the write lock up front, so it waits (up to 20 s) instead. WAL lets readers go on
    # while one process writes. A writer that still waits longer than the timeout gets "database is locked":
    # the render task retries it with backoff and then fails the version (docs/adr/0012-sqlite-writers.md).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache: pages kept per user until the data changes (core.caching, docs/adr/0013-page-cache.md), the cost
# allocation and the cost table. In memory per process by default; CACHE_URL=redis://127.0.0.1:6379/1 shares
# it between the web processes (production). A kept page is compressed (a county's dashboard ~40 kB).
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 3000)
# Database sessions that also read the data generation (core.sessions): a kept page costs no extra query.
SESSION_ENGINE = "governance.core.sessions"
#: How long a kept page lives at most (seconds); 0 keeps none. A change to any data ends it at once.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend with a user's own and group permissions in one query (issue 15). Sessions made
    # with the former "django.contrib.auth.backends.ModelBackend" end: users log in once more.
    "governance.core.permissions.OneQueryModelBackend",
    # guardian's ObjectPermissionBackend with one permission checker per user and request (issue 16).
    "governance.core.permissions.RequestCachedObjectPermissionBackend",
]
# guardian's check looks for its own backend's dotted path only; ours is a subclass of it
# (tests/core/test_permission_cache.py checks that one is configured).
SILENCED_SYSTEM_CHECKS = ["guardian.W001"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# django-guardian
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None

# django-axes: lock an account+address pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# A locked-out login gets a Swedish page with status 429 (governance/core/views.py), not axes' English text.
AXES_LOCKOUT_CALLABLE = "governance.core.views.lockout"

# A failed CSRF check gets the Swedish 403 page with a Swedish reason.
CSRF_FAILURE_VIEW = "governance.core.views.csrf_failure"

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Svenska"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["governance.formats"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# WhiteNoise serves static files whatever DEBUG is. Outside production it finds them where they are
# (STATICFILES_DIRS, the apps), so `make run` needs no collectstatic; production serves STATIC_ROOT.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Files served at the site's root: /favicon.ico, which browsers ask for whatever the page links to.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media")))

# Generated and uploaded files go through STORAGES["default"]; set STORAGE_BACKEND=s3 and the
# AWS_* variables to use an S3-compatible store (django-storages).
if env.str("STORAGE_BACKEND", default="filesystem") == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "access_key": env.str("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Celery. Without CELERY_BROKER_URL, kombu's filesystem transport under var/ (no server needed).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
_broker_dir = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        # the broadcast (pidbox) exchanges; kombu would otherwise write ./control in the working directory
        "control_folder": str(_broker_dir / "control"),
    }
else:
    # Redis: with late acknowledgement an unacknowledged message (its worker was killed) is delivered again
    # after the visibility timeout. It must stay above every task's hard time limit (CELERY_TASK_TIME_LIMIT
    # and the tasks' own), or Redis hands a task that is still running to a second worker. The stale-job sweep
    # (documents.stale_jobs_sweep below) requeues an abandoned document long before this hour is up.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A stuck document render cannot hold a worker: SoftTimeLimitExceeded (the version fails, or keeps its .docx
# with a PDF note) after the soft limit, the worker process killed after the hard one.
CELERY_TASK_ANNOTATIONS = {
    "documents.document_render": {
        "soft_time_limit": env.int("DOCUMENT_TASK_SOFT_TIME_LIMIT", default=120),
        "time_limit": env.int("DOCUMENT_TASK_TIME_LIMIT", default=150),
    }
}
# The long-lived PDF converter (unoserver, `manage.py converter`, governance/documents/converter.py). When
# nothing answers there, each PDF starts a LibreOffice of its own; empty: always do that.
DOCUMENT_CONVERTER_URL = env.str("DOCUMENT_CONVERTER_URL", default="http://127.0.0.1:2003")
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The audit chain's daily anchors (governance/core/anchors.py): an append-only file that belongs on write-once
# storage outside the database host; signed with AUDIT_ANCHOR_KEY (SECRET_KEY if empty). Backups: manage.py backup.
AUDIT_ANCHOR_PATH = Path(env.str("AUDIT_ANCHOR_PATH", default=str(VAR_DIR / "audit-anchors.log")))
AUDIT_ANCHOR_KEY = env.str("AUDIT_ANCHOR_KEY", default="")
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(VAR_DIR / "backups")))

CELERY_BEAT_SCHEDULE = {
    "audit-chain-check": {"task": "core.audit_chain_check", "schedule": crontab(hour=3, minute=15)},
    "audit-anchor": {"task": "core.audit_anchor", "schedule": crontab(hour=3, minute=25)},
    "mail-outbox": {"task": "core.mails_deliver_due", "schedule": crontab()},  # every minute
    "role-assignments-sync": {"task": "parties.role_assignments_sync", "schedule": crontab(hour=0, minute=5)},
    "membership-grants-sync": {
        "task": "meetings.membership_grants_sync",
        "schedule": crontab(hour=0, minute=10),
    },
    "cases-advance-periods": {
        "task": "decisions.cases_advance_periods",
        "schedule": crontab(hour=0, minute=20),
    },
    "meeting-notices-due": {"task": "meetings.notices_send_due", "schedule": crontab(hour=6, minute=30)},
    "notifications-sweep": {"task": "decisions.notifications_sweep", "schedule": crontab(hour=6, minute=45)},
    "deadline-reminders": {"task": "decisions.reminders_send", "schedule": crontab(hour=7, minute=0)},
    "weekly-digest": {"task": "decisions.digest_send", "schedule": crontab(hour=7, minute=30, day_of_week=1)},
    "documents-stale-jobs": {"task": "documents.stale_jobs_sweep", "schedule": crontab(minute="*/5")},
    "webhook-outbox": {"task": "webhooks.deliveries_deliver_due", "schedule": crontab()},  # every minute
}
CELERY_TASK_ALWAYS_EAGER = False

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
ADMINS = [("Systemförvaltning", a) for a in env.list("DJANGO_ADMIN_EMAILS", default=[])]
SERVER_EMAIL = env.str("SERVER_EMAIL", default="noreply@origo.example")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Origo samverkan <noreply@origo.example>")
# The address people reach the product on: links in e-mails are built on it.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Webhooks (governance/webhooks): also allow http:// and loopback receivers (a receiver on this machine).
# Never in production (settings_production turns it off); private and link-local addresses are always refused.
WEBHOOKS_ALLOW_INSECURE = env.bool("WEBHOOKS_ALLOW_INSECURE", default=DEBUG)

# Content-Security-Policy (django-csp 4): no inline scripts; htmx is served from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused request (403) is one line without a traceback (governance/core/log_filters.py).
    "filters": {"refusal_one_line": {"()": "governance.core.log_filters.RefusalOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.request": {"filters": ["refusal_one_line"]}},
}

# Upload limits (bytes): signed agreements, custom templates.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The REST API under /api/v1/ (governance.api): token or session, one error format, bounded pages.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "governance.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "governance.api.pagination.ApiPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "governance.api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "governance.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="120/minute"),
        "user": env.str("API_THROTTLE_USER", default="6000/minute"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Origo samverkan – API",
    "DESCRIPTION": _(
        "Läs organisationer, avtal, kostnadsfördelning, rekommendationer, remisser, anslutningsärenden, "
        "möten och dokument med samma behörigheter som sidorna, och för ärenden vidare. Alla fel har formen "
        '{"code", "message", "fields"}.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CaseStateEnum": "governance.decisions.choices.CaseState",
        "MeetingStateEnum": "governance.meetings.choices.MeetingState",
        "DocumentStatusEnum": "governance.documents.choices.DocumentStatus",
    },
}
