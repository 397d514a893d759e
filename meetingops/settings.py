"""Django settings for MeetingOps. Every value that differs between a laptop and
production comes from the environment through `meetingops.config` (see .env.example)."""

import os
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

from meetingops import config

BASE_DIR = Path(__file__).resolve().parent.parent

# A .env file beside manage.py is read if present; real environment variables win.
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

CONFIG = config.load(os.environ, base_dir=BASE_DIR)
VAR_DIR = CONFIG.var_dir

DEBUG = CONFIG.debug
SECRET_KEY = CONFIG.secret_key
ALLOWED_HOSTS = CONFIG.allowed_hosts
CSRF_TRUSTED_ORIGINS = CONFIG.csrf_trusted_origins

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from here (no CDN)
    "django_celery_beat",
    "django_htmx",
    "meetingops",
    "security",
    "oversight",
    "bookings",
    "training",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "meetingops.middleware.ApiNotFoundMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "security.middleware.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "meetingops.middleware.WatchdogMiddleware",
]

ROOT_URLCONF = "meetingops.urls"
WSGI_APPLICATION = "meetingops.wsgi.application"
ASGI_APPLICATION = "meetingops.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "security.context_processors.signup",
            ],
        },
    },
]

# Database -------------------------------------------------------------------------
DATABASES = {"default": CONFIG.database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Each service opens its own transaction so on_commit fires when its work is durable.
ATOMIC_REQUESTS = False

# Users and sign-in (SE-1) ----------------------------------------------------------
AUTH_USER_MODEL = "security.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "security.adapters.AccountAdapter"
ACCOUNT_FORMS = {
    "signup": "security.forms.CompanySignupForm",
    "add_email": "security.forms.CompanyAddEmailForm",
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# Sign-up is for the company's own addresses: proving the address is the proof of
# being an employee, so an account only opens after the emailed link is followed.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[MeetingOps] "
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ALLOWED_SIGNUP_DOMAINS = CONFIG.allowed_signup_domains

# Email ------------------------------------------------------------------------------
globals().update(CONFIG.email)  # EMAIL_BACKEND, EMAIL_HOST, EMAIL_FILE_PATH, ...
DEFAULT_FROM_EMAIL = CONFIG.default_from_email
SERVER_EMAIL = CONFIG.default_from_email
IT_ALERT_EMAILS = CONFIG.it_alert_emails
SITE_URL = CONFIG.site_url
ENCRYPTION_KEYS = CONFIG.encryption_keys
WATCHDOG_SILENCE_MINUTES = CONFIG.watchdog_silence_minutes
# How often each web process looks at the heartbeats (meetingops.watchdog); 0: never.
WATCHDOG_CHECK_SECONDS = 60

# Cache: shared between the web server, worker and scheduler (rate limits need that).
if CONFIG.redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CONFIG.redis_url,
            "KEY_PREFIX": "meetingops",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Sessions (SE-4 builds on these) --------------------------------------------------
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# Internationalization (X-2) --------------------------------------------------------
# The browser's language chooses; Simplified Chinese when it names neither.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
USE_I18N = True
TIME_ZONE = CONFIG.time_zone
USE_TZ = True

# Static and uploaded files ----------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Security headers: `manage.py check --deploy` reports nothing with DEBUG=false (SE-9).
SECURE_SSL_REDIRECT = CONFIG.secure_ssl_redirect
# The health check is asked over plain HTTP from inside the container network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = CONFIG.secure_cookies
CSRF_COOKIE_SECURE = CONFIG.secure_cookies
SECURE_HSTS_SECONDS = CONFIG.secure_hsts_seconds
SECURE_HSTS_INCLUDE_SUBDOMAINS = bool(CONFIG.secure_hsts_seconds)
SECURE_HSTS_PRELOAD = bool(CONFIG.secure_hsts_seconds)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if CONFIG.secure_proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# REST API (X-1) -----------------------------------------------------------------------
# A request body larger than this is refused (413 `too_large` in the API), never read.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
REST_FRAMEWORK = {
    # Personal tokens first: a request without credentials then gets a 401 naming the
    # Bearer scheme. Sessions keep DRF's CSRF check (STYLE "Security habits").
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "security.api.authentication.ApiTokenAuthentication",
        # DRF's SessionAuthentication, answering in the user's chosen language.
        "security.api.authentication.UserLanguageSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only, held to DATA_UPLOAD_MAX_MEMORY_SIZE; anything else is a 415.
    "DEFAULT_PARSER_CLASSES": ["meetingops.api.LimitedJSONParser"],
    # orjson writes the JSON: a week's occupancy is thousands of rows (BK-9).
    "DEFAULT_RENDERER_CLASSES": [
        "meetingops.api.FastJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "EXCEPTION_HANDLER": "meetingops.api.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "meetingops.api.ApiPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MeetingOps API",
    "DESCRIPTION": "Book, approve, run and oversee online meetings.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # /api/docs/ works without the internet: Swagger UI from our own static files.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Each operation's refusals (401, 403, 404, 413, 415, 503...) in the one error shape.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "meetingops.api.schema_document_refusals",
    ],
}

# Celery: Redis when REDIS_URL is set, otherwise Kombu's file-system transport so
# the worker and beat run on a laptop with no server at all.
CELERY_BROKER_DIR = VAR_DIR / "celery"
if CONFIG.redis_url:
    CELERY_BROKER_URL = CONFIG.redis_url
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# django-celery-beat's DatabaseScheduler, leaving the watchdog's heartbeat on its tick.
CELERY_BEAT_SCHEDULER = "meetingops.beat:WatchedScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        name: {"handlers": ["console"], "level": CONFIG.log_level, "propagate": False}
        for name in ["meetingops", "security", "oversight", "bookings", "training", "celery"]
    },
}
