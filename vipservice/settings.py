"""The one settings module. Everything that differs between machines comes from the environment.

Defaults run the product on SQLite with a SQLite-file Celery broker, so a laptop needs no server.
``DJANGO_ENV=production`` turns on the hardened mode that passes ``manage.py check --deploy``; in
that mode the secret key and allowed hosts have no default.
"""

from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from vipservice.env import env_bool, env_int, env_list, env_str
from vipservice.schedule import JOBS, LONGEST_JOB_SECONDS, beat_schedule

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VIPSERVICE_VAR_DIR", str(BASE_DIR / "var")))

ENVIRONMENT = env_str("DJANGO_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DJANGO_DEBUG", default=not PRODUCTION)
if PRODUCTION:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", required=True)
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("Set DJANGO_ALLOWED_HOSTS in production.")
else:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
    ALLOWED_HOSTS = env_list(
        "DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"]
    )

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# A form sent with an expired token: the product's page in the reader's language.
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

INSTALLED_APPS = [
    # Django admin with the product's sign-in and second factor (core.admin_site).
    "vipservice.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    # django-axes and django-auditlog under names in our catalogue (their own have no Chinese).
    "vipservice.apps.AxesConfig",
    "vipservice.apps.AuditlogConfig",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "core",
    "approvals",
    "clients",
    "dataruns",
    "managers",
    "servicedesk",
    "feedback",
    "analytics",
    "retention",
    "programme",
]

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.middleware.SessionTimeoutMiddleware",
    "core.middleware.UserLanguageMiddleware",
    "core.middleware.NoStoreMiddleware",
    "core.middleware.ApiJsonErrorsMiddleware",
    "core.middleware.RejectNulMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.MethodNotAllowedPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "vipservice.urls"
WSGI_APPLICATION = "vipservice.wsgi.application"
AUTH_USER_MODEL = "core.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "core.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite by default, anything dj-database-url understands through DATABASE_URL.
# Persistent connections: SPEC section 11 measured 4.3x the throughput with them.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets web, worker and beat share one SQLite file without "database is locked". The mode
    # is kept in the file and set once, after migrate (core.apps): set on every new connection,
    # two processes opening at the same instant could fail at once, the pragma does not wait on
    # the busy timeout (seen in the race of two reclassifications, issue 11).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    # Degrades to a miss while Redis is down (core/cache.py); short timeouts so a hung Redis
    # costs a request half a second, not a hang.
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions live in the database only, with or without Redis (issue 11). ``cached_db`` saved one
# primary-key read per request, but a sign-out while Redis was unreachable could not delete the
# Redis copy, and when Redis came back that copy signed the old cookie in again.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # The frame's user in one query; a session signed in before this backend existed names
    # Django's ModelBackend and is asked to sign in again once.
    "core.auth.FrameBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "login"

# Sessions (issue 13): signed out after 30 minutes idle and 10 hours after sign-in
# (core.middleware.SessionTimeoutMiddleware); the cookie does not outlive the absolute limit.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_TIMEOUT", 10 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT

# Content Security Policy (Django's own middleware): scripts and styles only from this site, no
# inline script (charts and confirmations live in static files), no inline style (a class per
# width step, the page's rules in static/css), no plugins, no framing. Chart.js sizes its canvas
# through CSSOM, which style-src does not govern. The nonce is for the one <style> element Django's
# admin writes (a change list without actions; `{% csp_nonce_attr %}`).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Login throttling (django-axes): lock a username+IP pair after repeated failures, and an address
# that fails across many usernames (password spraying, issue 13). Failures are kept as history
# (AccessFailureLog) after a good sign-in; the lock counter resets.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_IP_FAILURE_LIMIT = env_int("AXES_IP_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_HANDLER = "core.axes.SprayAwareHandler"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_USERNAME_CALLABLE = "core.throttle.axes_username"

# Second factor (issue 13): supervisors and administrators may enrol an authenticator app (TOTP,
# django-otp; /accounts/two-factor/). Whoever has one gives its code after the password, within
# TWO_FACTOR_PENDING_SECONDS, and Django admin requires it too. A wrong code waits 1, 2, 4 ...
# seconds (OTP_TOTP_THROTTLE_FACTOR) and counts as a failed sign-in for django-axes. Optional: a
# user without a device signs in by password, as the demo users do.
TWO_FACTOR_PENDING_SECONDS = env_int("TWO_FACTOR_PENDING_SECONDS", 300)
OTP_TOTP_ISSUER = "VIP Service"
OTP_TOTP_THROTTLE_FACTOR = 1

# Hotline look-ups per user: at most this many numbers per window (seconds); beyond, 429 and a
# message. A look-up reveals who a number belongs to, so it is braked like a search (issue 13).
HOTLINE_LOOKUP_LIMIT = env_int("HOTLINE_LOOKUP_LIMIT", 30)
HOTLINE_LOOKUP_WINDOW = env_int("HOTLINE_LOOKUP_WINDOW", 600)

# Calls per minute each mobile-app API key may make; beyond, 429 (issue 13).
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 120)

# The public web feedback form (SPEC section 6): submissions per address per window (seconds);
# beyond, 429 and a page asking to wait. A household or an office behind one address may send a
# few; a script may not.
WEB_FEEDBACK_LIMIT = env_int("WEB_FEEDBACK_LIMIT", 10)
WEB_FEEDBACK_WINDOW = env_int("WEB_FEEDBACK_WINDOW", 3600)

# The core-banking upload page takes files up to this size (bytes); bigger files are imported with
# the import_corebanking command.
CORE_BANKING_UPLOAD_MAX_BYTES = env_int("CORE_BANKING_UPLOAD_MAX_BYTES", 100_000_000)

# Internationalisation: Simplified Chinese first, English too; Asia/Shanghai everywhere.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Django 6.1's MAILERS replaces the EMAIL_* settings. Development prints mail to the console unless
# EMAIL_HOST is set; production always sends by SMTP (default: the local relay on localhost).
_EMAIL_HOST = env_str("EMAIL_HOST", "localhost" if PRODUCTION else "")
MAILERS = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _EMAIL_HOST,
                "port": env_int("EMAIL_PORT", 25),
                "username": env_str("EMAIL_HOST_USER", ""),
                "password": env_str("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
            },
        }
        if _EMAIL_HOST
        else {"BACKEND": "core.mail.ReadableConsoleBackend"}
    )
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "VIP Service <vip-service@bank.example>")
# Links in mail (survey links) point where `./dev run` serves: its HOST and PORT unless set.
SITE_URL = env_str("SITE_URL", f"http://{env_str('HOST', '127.0.0.1')}:{env_str('PORT', '8000')}")

# Celery: Redis when REDIS_URL is set. Otherwise kombu's SQLAlchemy transport on a SQLite file of
# its own: every read and write is a transaction (BEGIN IMMEDIATE), so a message is never read half
# written, which is how the file-system transport crashed worker and beat (issue 11).
CELERY_BROKER_SQLITE = VAR_DIR / "celery" / "broker.sqlite3"
CELERY_BROKER_URL = REDIS_URL or f"sqla+sqlite:///{CELERY_BROKER_SQLITE}"
# A message taken by a worker that dies is handed to another after this many seconds: above the
# longest job's time limit, so a slow run is never doubled, and above every countdown and ETA.
CELERY_VISIBILITY_TIMEOUT = LONGEST_JOB_SECONDS + 300
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
    if REDIS_URL
    else {"connect_args": {"timeout": 30}}
)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = False
# Every task is idempotent (a run per period, claims by conditional UPDATE): acknowledge after the
# work, and hand the message back when the worker process dies under it.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = LONGEST_JOB_SECONDS
CELERY_TASK_SOFT_TIME_LIMIT = LONGEST_JOB_SECONDS - 60
CELERY_TASK_ANNOTATIONS = {
    spec.task: {"time_limit": spec.time_limit, "soft_time_limit": spec.time_limit - 30}
    for spec in JOBS.values()
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing from a web request must not hang when the broker is down: three quick tries, then
# the caller carries on (the outbox and the job catch-up do the work later).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")

# SPEC section 8: the one beat schedule, Asia/Shanghai, built from vipservice/schedule.py.
CELERY_BEAT_SCHEDULE = beat_schedule()

# Mail in the outbox (core.OutboxMail): tries per message before it is given up, and the first
# wait between tries (doubled each time).
OUTBOX_MAX_ATTEMPTS = 5
OUTBOX_RETRY_SECONDS = 60

# The core bank's nightly file sets (SPEC section 2): taken from here, moved to archive/ or
# rejected/ beside it.
COREBANKING_INBOX = env_str("COREBANKING_INBOX", str(VAR_DIR / "inbox"))

# Feedback mail intake: a Maildir for the embedded default and tests, IMAP in production.
FEEDBACK_MAILDIR = env_str("FEEDBACK_MAILDIR", str(VAR_DIR / "mail" / "feedback"))
FEEDBACK_IMAP_URL = env_str("FEEDBACK_IMAP_URL", "")
# The bank's own mail servers (host names or domains in their Received headers' "by" part): the SLA
# clock starts at the newest of their Received headers. Empty: the topmost Received header.
FEEDBACK_MAIL_SERVERS = tuple(s.lower() for s in env_list("FEEDBACK_MAIL_SERVERS", []))
# A larger message is quarantined unread; a larger attachment is not kept (the ticket says so).
FEEDBACK_MAIL_MAX_BYTES = env_int("FEEDBACK_MAIL_MAX_BYTES", 50 * 1024 * 1024)
FEEDBACK_ATTACHMENT_MAX_BYTES = env_int("FEEDBACK_ATTACHMENT_MAX_BYTES", 25 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.requestid.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # Off only for scripts/security_scan.py, which scans a local gunicorn over plain HTTP.
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SESSION_COOKIE_HTTPONLY = True
    X_FRAME_OPTIONS = "DENY"

# Shown in the page title and the top bar.
PRODUCT_NAME = _("VIP Service")
# The bank's name on the pages clients see (the satisfaction survey, the web feedback form), in
# each language: BANK_NAME in Chinese (the default language), BANK_NAME_EN in English.
BANK_NAME = env_str("BANK_NAME", "示例银行")
BANK_NAME_EN = env_str("BANK_NAME_EN", "Example Bank")
