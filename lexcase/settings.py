"""LexCase settings: one file, driven by the environment (DATABASE_URL, LEXCASE_*)."""

from __future__ import annotations

import json
import os
import secrets
import warnings
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LEXCASE_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("LEXCASE_DEBUG", False)
# The test suite turns this on (lexcase/accounts/pytest_plugin.py): every compiled-once read
# (core.fixedsql, the matter list's `_ListQuery`) is also built from its real arguments and
# must give the same SQL and parameters, so a cache key that misses what shapes the query
# fails a test instead of serving one reader the query built for another.
LEXCASE_CHECK_FIXED_SQL = env_bool("LEXCASE_CHECK_FIXED_SQL", False)
# The embedded default is a laptop install; a real deployment must set its own key.
DEV_SECRET_KEY = "insecure-dev-key-change-me-" + "x" * 40
SECRET_KEY = os.environ.get("LEXCASE_SECRET_KEY", "") or DEV_SECRET_KEY
ALLOWED_HOSTS = [
    host.strip() for host in os.environ.get("LEXCASE_ALLOWED_HOSTS", "").split(",") if host.strip()
]
# Production (DEBUG off) fails closed: `check --deploy` cannot tell the built-in key from a
# real one (it is long enough), and a missing host list would otherwise answer any Host.
if not DEBUG:
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "LEXCASE_SECRET_KEY is not set (or is the built-in development key, or shorter "
            "than 50 characters). Production settings (LEXCASE_DEBUG off) need the firm's own "
            "key (docs/operations.md). For development on a laptop set LEXCASE_DEBUG=1."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "LEXCASE_ALLOWED_HOSTS is not set. Production settings (LEXCASE_DEBUG off) need "
            "the host names the firm serves LexCase under, comma-separated."
        )
elif not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
# Behind TLS (production) every cookie is Secure and __Host- prefixed.
HTTPS = env_bool("LEXCASE_HTTPS", False)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks_db",
    "lexcase.core",
    "lexcase.accounts",
    "lexcase.audit",
    "lexcase.notifications",
    "lexcase.parties",
    "lexcase.matters",
    "lexcase.calendar",
    "lexcase.comms",
    "lexcase.conflicts",
    "lexcase.todos",
    "lexcase.documents",
    "lexcase.search",
    "lexcase.portal",
    "lexcase.collab",
    "lexcase.billing",
    "lexcase.insights",
    "lexcase.reviews",
    "lexcase.papers",
    "lexcase.web",
    "lexcase.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lexcase.core.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "lexcase.core.middleware.RequestGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lexcase.accounts.middleware.SessionTimeoutMiddleware",
    "lexcase.documents.uploads.UploadLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "lexcase.accounts.middleware.MfaEnrolmentMiddleware",
    "lexcase.portal.middleware.PortalGateMiddleware",
    "lexcase.collab.middleware.CollaboratorGateMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "lexcase.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "lexcase.urls"
WSGI_APPLICATION = "lexcase.wsgi.application"

# Django's form templates, the hot ones rendered in Python (the same text: core/renderers.py).
FORM_RENDERER = "lexcase.core.renderers.FastRenderer"
TEMPLATES = [
    {
        # Django's, with each page's context let go of after rendering (lexcase/core/templating.py).
        "BACKEND": "lexcase.core.templating.DjangoTemplates",
        "NAME": "django",  # the alias Django's backend has (engines["django"])
        "DIRS": [BASE_DIR / "lexcase" / "core" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lexcase.notifications.context_processors.notifications",
                "lexcase.accounts.context_processors.firm",
                "lexcase.accounts.context_processors.mfa_enrolment",
            ],
            # `{% url %}`, a literal `{% translate %}` and `{% static %}` with less work, the
            # same text (lexcase/core/fasttags.py).
            "builtins": ["lexcase.core.fasttags"],
            "libraries": {
                "i18n": "lexcase.core.fasttags_i18n",
                "static": "lexcase.core.fasttags_static",
            },
        },
    }
]
# The `i18n` and `static` libraries above replace Django's on purpose (their
# `{% translate %}` and `{% static %}` with less work, lexcase/core/fasttags.py); Django warns
# of any library name given twice, which `check --deploy --fail-level WARNING`
# (core/tests/test_deploy.py) would fail on.
SILENCED_SYSTEM_CHECKS = ["templates.W003"]

DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'lexcase.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, each query's placeholder conversion kept (lexcase/core/sqlite/).
    DATABASES["default"]["ENGINE"] = "lexcase.core.sqlite"
    # WAL + IMMEDIATE writers + a busy timeout: concurrent writers queue instead of failing.
    # A page cache of up to 32 MiB per connection (SQLite's default is 2 MiB): at 100k
    # matters (a 1 GB file) a directory search reads ~300-1,000 candidate rows scattered over
    # the party table, and with 2 MiB each was read again from the OS on every search (the
    # window query 1.7-3.1 ms, 0.7-1.4 ms with 32 MiB; the bare indexed page unchanged).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-32768;"
        ),
    }
    # ":memory:" spelled out (Django's default for SQLite): pytest-django's xdist suffix skips
    # a missing name only for Django's own engine, and would make "test_<path>_gw0" of ours.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("LEXCASE_SQLITE_TEST_NAME") or ":memory:"
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # JIT compilation cost more than it saved on every list query measured (bench/).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# allauth's backend alone checks passwords (PredicatesOnly, listed first, answers permissions):
# with Django's ModelBackend listed too, a failed sign-in ran Argon2 twice (each backend hashed
# once, for a known and an unknown account alike), doubling the CPU an attacker costs us.
# Sessions signed in before this change named ModelBackend and end once.
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    # A predicate's "no" is final: Django's model permissions are never granted here, and
    # asking allauth's backend (a ModelBackend) for them cost two queries a page
    # (lexcase/accounts/backends.py).
    "lexcase.accounts.backends.PredicatesOnly",
    # allauth's backend with the session's user read as a fixed read (backends.SignIn).
    # Sessions signed in before it named allauth's backend and end once.
    "lexcase.accounts.backends.SignIn",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # A larger local list of breached passwords and their usual decorations, shipped as data
    # (no network at run time): lexcase/accounts/passwords.py.
    {"NAME": "lexcase.accounts.passwords.BreachedPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "lexcase.accounts.adapters.NoSignupAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
# Failed sign-ins: per account first (a guessed password), per IP address only far higher
# so an office behind one NAT is not locked out by one person's typos. Counters live in the
# shared cache (CACHES); an administrator unlocks an account on the users page.
LEXCASE_LOGIN_FAILED_PER_ACCOUNT = os.environ.get("LEXCASE_LOGIN_FAILED_PER_ACCOUNT", "5/5m")
LEXCASE_LOGIN_FAILED_PER_IP = os.environ.get("LEXCASE_LOGIN_FAILED_PER_IP", "100/5m")
ACCOUNT_RATE_LIMITS = {
    "login_failed": f"{LEXCASE_LOGIN_FAILED_PER_ACCOUNT}/key,{LEXCASE_LOGIN_FAILED_PER_IP}/ip"
}
ACCOUNT_PREVENT_ENUMERATION = True
# Forgotten passwords (accounts.services.password_reset_request): a one-time link mailed to
# the account's address, valid LEXCASE_PASSWORD_RESET_MINUTES; nothing is mailed to an
# address no account has. Requests are limited per address and per IP address.
PASSWORD_RESET_TIMEOUT = 60 * int(os.environ.get("LEXCASE_PASSWORD_RESET_MINUTES", "60"))
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_RATE_LIMITS["reset_password"] = os.environ.get(
    "LEXCASE_PASSWORD_RESET_LIMIT", "3/15m/key,20/15m/ip"
)
ACCOUNT_RATE_LIMITS["reset_password_from_key"] = "20/m/ip"
# Second factor (allauth MFA): an authenticator app (TOTP), security keys and passkeys
# (WebAuthn, where the browser offers it; our own templates under core/templates/mfa/ and
# accounts/static/accounts/webauthn.js, no inline script) and recovery codes. A key is a
# second factor after the password, never a sign-in without one (no passkey login).
MFA_ADAPTER = "lexcase.accounts.adapters.LexCaseMFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = False
# Recovery codes are stored hashed (accounts/recovery_codes.py), so they are shown once.
MFA_RECOVERY_CODES_SHOW_ONCE = True
MFA_TOTP_ISSUER = os.environ.get("LEXCASE_FIRM_NAME", "LexCase")
# One period either side: a phone clock 30 s off still signs in; a used code never again.
MFA_TOTP_TOLERANCE = 1
# Roles that must enrol a second factor before they can do anything else, comma-separated;
# "all" for everyone (the firm-wide policy). Empty: nobody is forced.
LEXCASE_MFA_REQUIRED_ROLES = [
    role.strip()
    for role in os.environ.get("LEXCASE_MFA_REQUIRED_ROLES", "admin,partner").split(",")
    if role.strip()
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "lexcase" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Served by WhiteNoise straight from the app folders (WHITENOISE_USE_FINDERS): no
    # collectstatic step to forget on a laptop install.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Matter documents: local files under var/documents unless an S3 bucket is configured
    # (docs/operations.md, "Documents"). Never served directly, only by permission-checked views.
    "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": VAR_DIR / "documents",
            "base_url": None,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
}
if os.environ.get("LEXCASE_S3_BUCKET"):
    STORAGES["documents"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["LEXCASE_S3_BUCKET"],
            "endpoint_url": os.environ.get("LEXCASE_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("LEXCASE_S3_REGION") or None,
            "access_key": os.environ.get("LEXCASE_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("LEXCASE_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("LEXCASE_S3_PREFIX", ""),
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "addressing_style": os.environ.get("LEXCASE_S3_ADDRESSING_STYLE") or None,
        },
    }
# Largest accepted document upload, in MiB, per file and per request (a form may carry
# several files); bodies over either are refused while they arrive (documents/uploads.py).
LEXCASE_MAX_UPLOAD_MB = int(os.environ.get("LEXCASE_MAX_UPLOAD_MB", "100"))
LEXCASE_MAX_UPLOAD_REQUEST_MB = int(
    os.environ.get("LEXCASE_MAX_UPLOAD_REQUEST_MB", str(2 * LEXCASE_MAX_UPLOAD_MB))
)
# Upload bodies spool here and extraction works here, not in /tmp, so `documents_tmp_clean`
# may remove what a killed worker left behind.
FILE_UPLOAD_TEMP_DIR = str(VAR_DIR / "tmp" / "uploads")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(mode=0o700, parents=True, exist_ok=True)
LEXCASE_EXTRACT_TEMP_DIR = VAR_DIR / "tmp" / "extract"
# Word/Excel/OFD archives over these caps are refused at upload (core/office.py) and not
# extracted (documents/extract.py); the parsers run in a child process with these memory,
# CPU and time limits.
LEXCASE_OFFICE_MAX_INFLATED_MB = int(os.environ.get("LEXCASE_OFFICE_MAX_INFLATED_MB", "200"))
LEXCASE_OFFICE_MAX_ENTRIES = int(os.environ.get("LEXCASE_OFFICE_MAX_ENTRIES", "10000"))
LEXCASE_OFFICE_MAX_RATIO = int(os.environ.get("LEXCASE_OFFICE_MAX_RATIO", "100"))
LEXCASE_EXTRACT_MEMORY_MB = int(os.environ.get("LEXCASE_EXTRACT_MEMORY_MB", "1024"))
LEXCASE_EXTRACT_CPU_SECONDS = int(os.environ.get("LEXCASE_EXTRACT_CPU_SECONDS", "600"))
LEXCASE_EXTRACT_TIMEOUT_SECONDS = int(os.environ.get("LEXCASE_EXTRACT_TIMEOUT_SECONDS", "1800"))
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"

# Shared by every worker process: login throttling counters, used TOTP codes (replay) and
# the conflict-check limit must not be per process. Redis where configured, else a table in
# the database (created by accounts migration 0007).
if os.environ.get("LEXCASE_REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["LEXCASE_REDIS_URL"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "lexcase_cache",
        }
    }

TASKS = {
    "default": {
        "BACKEND": os.environ.get("LEXCASE_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Security headers (ASVS 3.4): strict CSP, no inline scripts or styles anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Django's database sessions with the per-request read compiled once (accounts/sessions.py).
SESSION_ENGINE = "lexcase.accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Sessions end after LEXCASE_SESSION_IDLE_MINUTES without a request (default 8 h) and
# LEXCASE_SESSION_ABSOLUTE_HOURS after sign-in whatever the activity (default 12 h):
# lexcase/accounts/middleware.py. The cookie lives as long as the absolute limit.
LEXCASE_SESSION_IDLE_MINUTES = int(os.environ.get("LEXCASE_SESSION_IDLE_MINUTES", "480"))
LEXCASE_SESSION_ABSOLUTE_HOURS = int(os.environ.get("LEXCASE_SESSION_ABSOLUTE_HOURS", "12"))
SESSION_COOKIE_AGE = 60 * 60 * LEXCASE_SESSION_ABSOLUTE_HOURS
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LEXCASE_LOG_LEVEL", "WARNING")},
}

# Firm configuration.
LEXCASE_FIRM_NAME = os.environ.get("LEXCASE_FIRM_NAME", "")
# Firm matter number: {year}, {type} (the matter type's short code, e.g. 民) and {seq}.
LEXCASE_MATTER_NUMBER_PATTERN = os.environ.get(
    "LEXCASE_MATTER_NUMBER_PATTERN", "{year}-{type}-{seq:04d}"
)
# Closing and archiving (lexcase/matters/archive.py): months from closing to the archive
# deadline, and the archive number (档号): {year}, {type}, {retention} (e.g. 永久) and {seq}.
LEXCASE_ARCHIVE_DEADLINE_MONTHS = int(os.environ.get("LEXCASE_ARCHIVE_DEADLINE_MONTHS", "3"))
# Days before a hearing that its matter's team is told (the morning job; 0: on the day).
LEXCASE_HEARING_NOTICE_DAYS = int(os.environ.get("LEXCASE_HEARING_NOTICE_DAYS", "2"))
# Hosts besides the chat platforms' own that group robots may post to (comma-separated).
LEXCASE_ROBOT_EXTRA_HOSTS = [
    h.strip().lower()
    for h in os.environ.get("LEXCASE_ROBOT_EXTRA_HOSTS", "").split(",")
    if h.strip()
]
LEXCASE_ARCHIVE_NUMBER_PATTERN = os.environ.get(
    "LEXCASE_ARCHIVE_NUMBER_PATTERN", "{year}-{type}-{retention}-{seq:04d}"
)
LEXCASE_PAGE_SIZE = 50
# Ad-hoc conflict checks (the check page and POST /api/v1/conflicts/check; every intake is
# checked whoever registers it): the roles that may run them, comma-separated, and at most
# N per user per window ("30/10m"; units s, m, h). The count lives in the cache: several
# worker processes share it only when CACHES is a shared cache (database, Redis).
LEXCASE_CONFLICT_CHECK_ROLES = [
    role.strip()
    for role in os.environ.get("LEXCASE_CONFLICT_CHECK_ROLES", "lawyer,partner,admin").split(",")
    if role.strip()
]
LEXCASE_CONFLICT_CHECK_RATE = os.environ.get("LEXCASE_CONFLICT_CHECK_RATE", "30/10m")

# Money (lexcase/billing): VAT rate proposed for a new invoice; fee agreements whose expected
# total exceeds the threshold need a partner's approval; bill numbers per year. Override any
# key with LEXCASE_BILLING='{"approval_threshold": "50000.00"}'. Amounts are strings (Decimal).
LEXCASE_BILLING = {
    "vat_rate": "0.06",
    "approval_threshold": "100000.00",
    "bill_number_pattern": "{year}-{seq:05d}",
    "payment_terms_days": 30,
    **json.loads(os.environ.get("LEXCASE_BILLING", "{}")),
}
# Matter reviews (lexcase/reviews/settings.py has the keys and defaults: periodic cadence in
# days per priority, stage/closing review window, low survey score), as JSON, e.g.
# LEXCASE_REVIEWS='{"cadence_days": {"P1": 7, "P2": 30, "P3": 90}}'.
LEXCASE_REVIEWS = json.loads(os.environ.get("LEXCASE_REVIEWS", "{}"))
# Workload weights (lexcase/todos/workload.py has the keys and defaults), as JSON, e.g.
# LEXCASE_WORKLOAD='{"capacity": 40, "priority": {"P1": 4, "P2": 2, "P3": 1}}'.
LEXCASE_WORKLOAD = json.loads(os.environ.get("LEXCASE_WORKLOAD", "{}"))

# A laptop install writes each mail as a readable UTF-8 file under var/mail/ (invitation
# links can be copied from there); a deployment behind TLS sends it by SMTP.
if HTTPS or os.environ.get("LEXCASE_SMTP_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("LEXCASE_SMTP_HOST", "localhost"),
                "port": int(os.environ.get("LEXCASE_SMTP_PORT", "25")),
                "username": os.environ.get("LEXCASE_SMTP_USER", ""),
                "password": os.environ.get("LEXCASE_SMTP_PASSWORD", ""),
                "use_tls": env_bool("LEXCASE_SMTP_TLS", False),
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "lexcase.core.mail.ReadableFileBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }
DEFAULT_FROM_EMAIL = os.environ.get("LEXCASE_FROM_EMAIL", "lexcase@localhost")

NINJA_PAGINATION_PER_PAGE = 50
# Personal API tokens expire: the default lifetime a new token gets, and the longest allowed.
LEXCASE_API_TOKEN_DAYS = int(os.environ.get("LEXCASE_API_TOKEN_DAYS", "90"))
LEXCASE_API_TOKEN_MAX_DAYS = int(os.environ.get("LEXCASE_API_TOKEN_MAX_DAYS", "365"))

# Audit log (docs/architecture.md, "Audit log"): the hash chain's HMAC key lives outside the
# database. Production settings (DEBUG off) refuse to start without it; development
# generates one under var/ with a warning.
LEXCASE_AUDIT_KEY = os.environ.get("LEXCASE_AUDIT_KEY", "")
if not LEXCASE_AUDIT_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "LEXCASE_AUDIT_KEY is not set. Production settings (LEXCASE_DEBUG off) need the "
            "audit log's HMAC key, kept outside the database (docs/operations.md, 'Audit "
            "log'). For development on a laptop set LEXCASE_DEBUG=1."
        )
    _audit_key_file = VAR_DIR / "audit.key"
    if not _audit_key_file.exists():
        # Written aside and linked into place: concurrent first starts agree on one key.
        _tmp = VAR_DIR / f".audit.key.{os.getpid()}"
        _tmp.write_text(secrets.token_urlsafe(48))
        _tmp.chmod(0o600)
        try:
            os.link(_tmp, _audit_key_file)
            warnings.warn(
                f"LEXCASE_AUDIT_KEY is not set: generated a development audit key in "
                f"{_audit_key_file}. Production needs LEXCASE_AUDIT_KEY.",
                stacklevel=1,
            )
        except FileExistsError:
            pass
        finally:
            _tmp.unlink()
    LEXCASE_AUDIT_KEY = _audit_key_file.read_text().strip()
elif len(LEXCASE_AUDIT_KEY) < 32:
    raise ImproperlyConfigured("LEXCASE_AUDIT_KEY must be at least 32 characters long.")
# Identifiers encrypted at rest (docs/security.md, "Identifiers at rest"): Fernet keys from
# the environment, comma-separated, the first encrypts and every one decrypts; never in the
# database or its backups. Production refuses to start without them; development generates
# one under var/ with a warning.
LEXCASE_FIELD_KEYS = [
    key.strip() for key in os.environ.get("LEXCASE_FIELD_KEYS", "").split(",") if key.strip()
]
if not LEXCASE_FIELD_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "LEXCASE_FIELD_KEYS is not set. Production settings (LEXCASE_DEBUG off) need the "
            "keys that encrypt ID and passport numbers, kept outside the database "
            "(docs/operations.md, 'Field encryption keys'). For development on a laptop set "
            "LEXCASE_DEBUG=1."
        )
    from cryptography.fernet import Fernet

    _field_key_file = VAR_DIR / "field.keys"
    if not _field_key_file.exists():
        # Written aside and linked into place: concurrent first starts agree on one key.
        _tmp = VAR_DIR / f".field.keys.{os.getpid()}"
        _tmp.write_text(Fernet.generate_key().decode())
        _tmp.chmod(0o600)
        try:
            os.link(_tmp, _field_key_file)
            warnings.warn(
                f"LEXCASE_FIELD_KEYS is not set: generated a development field key in "
                f"{_field_key_file}. Production needs LEXCASE_FIELD_KEYS.",
                stacklevel=1,
            )
        except FileExistsError:
            pass
        finally:
            _tmp.unlink()
    LEXCASE_FIELD_KEYS = [k.strip() for k in _field_key_file.read_text().split(",") if k.strip()]
else:
    from cryptography.fernet import Fernet

    for _key in LEXCASE_FIELD_KEYS:
        try:
            Fernet(_key)
        except ValueError as _exc:
            raise ImproperlyConfigured(
                "LEXCASE_FIELD_KEYS must be comma-separated Fernet keys (generate one with "
                "`python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'`)."
            ) from _exc
# For bench/audit_load.py only: audit_record() writes nothing. Never set it in production.
LEXCASE_AUDIT_OFF_FOR_BENCHMARK = env_bool("LEXCASE_AUDIT_OFF_FOR_BENCHMARK", False)
