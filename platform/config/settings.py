"""Settings come from the environment (12-factor).

With nothing set the platform runs on embedded defaults (a SQLite file, eager Celery,
a local-memory cache) so that `make run` works anywhere. DATABASE_URL, CELERY_BROKER_URL
and REDIS_URL switch to PostgreSQL, a Redis broker and a Redis cache. DJANGO_ENV=production
refuses to start with DEBUG on or without a real SECRET_KEY.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


ENVIRONMENT = os.environ.get("DJANGO_ENV", "development")
IS_PRODUCTION = ENVIRONMENT == "production"
DEVELOPMENT_SECRET_KEY = "dev-insecure-secret-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = env_bool("DEBUG", not IS_PRODUCTION)

if IS_PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off when DJANGO_ENV=production.")
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured("Set SECRET_KEY to a random value of 32+ characters in production.")

# Keys the public transaction ids (`txn_…`, a keyed hash of the posting id). Unlike
# SECRET_KEY it must never change: a new key renames every transaction. Defaults to
# SECRET_KEY, so set it (to SECRET_KEY's current value) before ever rotating SECRET_KEY.
TRANSACTION_ID_KEY = os.environ.get("TRANSACTION_ID_KEY", SECRET_KEY)

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# The public origin of the platform (OAuth issuer, links in e-mails and webhooks).
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "oauth2_provider",
    "drf_spectacular",
    # Swagger UI and Redoc served from our own static files: /api/docs/ works offline.
    "drf_spectacular_sidecar",
    "axes",
    "apps.core",
    "apps.customers",
    "apps.oauth",
    "apps.ledger",
    "apps.accounts",
    "apps.lending",
    "apps.developers",
]

MIDDLEWARE = [
    "apps.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files (admin, API docs) from the web process itself, in every environment:
    # the deployed stack has no separate file server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "apps.core.middleware.ProblemDetailsMiddleware",
    # Last, as django-axes asks: turns a lockout found during authentication into its response.
    "axes.middleware.AxesMiddleware",
]

# Benchmarks mount extra views (tests/bench/urls.py) on the same server.
ROOT_URLCONF = os.environ.get("ROOT_URLCONF", "config.urls")
WSGI_APPLICATION = "config.wsgi.application"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]



def database_conn_max_age(argv: Sequence[str], environ: Mapping[str, str]) -> int:
    """Django's CONN_MAX_AGE: `DB_CONN_MAX_AGE` (default 60) except under `runserver`.

    runserver answers each request on a new thread; a persistent connection belongs to its
    thread and stays open after the thread is gone, so every request would leave one
    PostgreSQL connection behind (50 payments exhausted 100 connections). There each
    request closes its connection, whatever the environment says.
    """
    if list(argv[1:2]) == ["runserver"]:
        return 0
    return int(environ.get("DB_CONN_MAX_AGE", "60"))


# Database: SQLite file by default, PostgreSQL through DATABASE_URL.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=database_conn_max_age(sys.argv, os.environ),
        # A kept connection that the server dropped (restart, failover, idle timeout) is
        # found and replaced before a request uses it, instead of failing that request.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server and an eager Celery task share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif env_bool("DB_SERVER_SIDE_BINDING", True):
    # Django's documented psycopg options: bind parameters on the server and let psycopg
    # prepare a statement after it ran `prepare_threshold` times on a connection, so the
    # token validation, the statement page and the post are not planned again on every
    # request (docs/decisions/0006-one-ledger-path.md). Behind PgBouncer older than 1.21
    # (or without max_prepared_statements) set DB_SERVER_SIDE_BINDING=false.
    DATABASES["default"]["OPTIONS"] = {
        "server_side_binding": True,
        "prepare_threshold": int(os.environ.get("DB_PREPARE_THRESHOLD", "5")),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

# Cache (token cache, throttling, idempotency locks): Redis through REDIS_URL.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Django's own Redis backend; the token cache and the rate counters use one redis-py
    # client of their own on the same server (apps/core/cache.py).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "openbank"}}
# Validated access tokens are cached so that a request costs no token query. A
# revocation deletes the cache entry; a process-local cache cannot be reached from other
# processes, so without Redis the cache is off unless a test turns it on.
TOKEN_CACHE_SECONDS = int(os.environ.get("TOKEN_CACHE_SECONDS", "300" if REDIS_URL else "0"))

# Celery: eager by default, a real broker through CELERY_BROKER_URL.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "memory://")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", REDIS_URL or "cache+memory://")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL" not in os.environ)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "clear-expired-oauth-tokens": {
        "task": "apps.oauth.tasks.clear_expired_tokens",
        "schedule": timedelta(hours=1),
    },
    "purge-expired-idempotency-keys": {
        "task": "apps.core.tasks.purge_expired_idempotency_keys",
        "schedule": timedelta(hours=1),
    },
    "lending-nightly-eod": {
        "task": "apps.lending.tasks.eod_run",
        "schedule": crontab(hour=16, minute=5),  # 00:05 in Asia/Shanghai, the bank's business day
    },
    "expire-consents": {
        "task": "apps.oauth.tasks.expire_consents",
        "schedule": timedelta(minutes=5),
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/bank/login/"
LOGIN_REDIRECT_URL = "/bank/connected-apps/"
# Brute-force protection of every password login (the bank's pages and the admin), by
# django-axes: LOGIN_FAILURE_LIMIT failures for one username (from any address), or from one
# client address (against any usernames), within LOGIN_LOCKOUT_SECONDS lock that username or
# that address; the password is then not checked. Counted in the database (AccessAttempt),
# so every web process and test worker sees its own consistent counts.
AUTHENTICATION_BACKENDS = [
    "apps.customers.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(seconds=int(os.environ.get("LOGIN_LOCKOUT_SECONDS", "900")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each counted on its own, not the pair
AXES_USERNAME_CALLABLE = "apps.customers.views.login_username"
AXES_LOCKOUT_CALLABLE = "apps.customers.views.lockout_response"
AXES_RESET_ON_SUCCESS = False  # a success must not wipe an address's count (an attacker with one account)
AXES_DISABLE_ACCESS_LOG = True  # count failures only; no row per successful login
# The client address, by django-ipware: REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT proxies
# that each append the address they saw to X-Forwarded-For (the deployed load balancer: 1),
# the entry the outermost trusted proxy appended: TRUSTED_PROXY_COUNT - 1 entries from the
# right (ipware counts the proxies listed in the header; the nearest one is REMOTE_ADDR).
# Whatever a client wrote further left is ignored, not refused (IPWARE_STRICT off): refusing
# would fall back to the proxy's address and let one client lock out everyone behind it.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_IPWARE_PROXY_ORDER = "left-most"
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT - 1 if TRUSTED_PROXY_COUNT else None
IPWARE_STRICT = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if TRUSTED_PROXY_COUNT else ("REMOTE_ADDR",)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# The bank's business day turns over at midnight in this zone.
BUSINESS_TIME_ZONE = "Asia/Shanghai"
DEFAULT_CURRENCY = "CNY"

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every start about a missing STATIC_ROOT
# WhiteNoise serves STATIC_ROOT (filled by collectstatic in the image); outside production
# it serves the apps' static folders directly, so `make run` and the tests need no collectstatic.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", not IS_PRODUCTION)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = IS_PRODUCTION
CSRF_COOKIE_SECURE = IS_PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if IS_PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apps.oauth.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["apps.oauth.permissions.DenyUnlessDeclared"],
    "DEFAULT_RENDERER_CLASSES": ["apps.core.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "apps.core.renderers.ContentNegotiation",
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["apps.core.throttling.ClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"client": os.environ.get("API_RATE_LIMIT", "1200/min")},
    "EXCEPTION_HANDLER": "apps.core.errors.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "apps.core.schema.PlatformAutoSchema",
    "UNAUTHENTICATED_USER": None,
    "COERCE_DECIMAL_TO_STRING": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "OpenBank Platform API",
    "DESCRIPTION": (
        "Accounts, payments, credit and embedded finance for third-party apps, partner "
        "platforms and co-lending banks. OAuth 2 secured; errors are RFC 9457 problem "
        "details; POSTs that move money take an Idempotency-Key."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ConsentKind": "apps.oauth.models.Consent.Kind",
        "ConsentStatus": "apps.oauth.models.Consent.Status",
        "ConsentPermission": "apps.oauth.models.Consent.Permission",
        "LoanStatus": "apps.lending.models.Loan.Status",
        "InstallmentStatus": "apps.lending.models.Installment.Status",
        "CreditApplicationStatus": "apps.lending.models.CreditApplication.Status",
        "CreditProductKind": "apps.lending.models.Product.Kind",
        "RepaymentMethod": "apps.lending.models.RepaymentMethod",
        "DelinquencyBucket": "apps.lending.models.Loan.Bucket",
        "DepositAccountKind": "apps.accounts.models.DepositAccount.Kind",
        # Deposit accounts and credit lines share one lifecycle: active, frozen, closed.
        "AccountStatus": "apps.accounts.models.DepositAccount.Status",
        "PaymentStatus": "apps.accounts.models.Payment.Status",
        "CreditDebitIndicator": "apps.accounts.api.CreditDebitIndicator",
    },
    "OAUTH2_FLOWS": ["authorizationCode", "clientCredentials"],
    "OAUTH2_AUTHORIZATION_URL": "/oauth/authorize/",
    "OAUTH2_TOKEN_URL": "/oauth/token/",
    "OAUTH2_REFRESH_URL": "/oauth/token/",
    "OAUTH2_SCOPES": None,  # filled from OAUTH2_PROVIDER["SCOPES"] below
    # The committed file's entry; a served schema names the server it came from instead
    # (PUBLIC_BASE_URL, else the request's host: apps/core/schema_servers.py), so that
    # "Try it out" calls the server the docs are open on.
    "SERVERS": [{"url": "http://127.0.0.1:8000", "description": "Local sandbox"}],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.core.schema.postprocess_problem_responses",
        "apps.core.schema_links.postprocess_links",
        "apps.core.schema_servers.postprocess_servers",
    ],
    # The docs' JavaScript and CSS come from drf-spectacular-sidecar, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "/favicon.ico",
    "REDOC_DIST": "SIDECAR",
    # validatorUrl off: Swagger UI would otherwise send the schema to validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None, "displayRequestDuration": True},
    "SORT_OPERATIONS": False,
}

OAUTH2_PROVIDER = {
    "SCOPES": {
        "accounts": "Read accounts, balances and transactions the customer consented to",
        "payments": "Initiate payments the customer consented to",
        "credit": "Read the customer's credit lines and loans, draw down and repay",
        "partner": "Partner platform: checkouts, applications and loans of its customers",
        "funder": "Co-lending bank: funding shares, settlement statements and reconciliation",
    },
    "DEFAULT_SCOPES": [],
    "ACCESS_TOKEN_EXPIRE_SECONDS": 600,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 90 * 24 * 3600,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    # A retried refresh (lost answer) within this many seconds of the rotation gets a fresh
    # pair; later, a rotated token revokes its family (apps/oauth/validators.py, docs/oauth.md).
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": int(os.environ.get("REFRESH_TOKEN_GRACE_SECONDS", "30")),
    "PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"] if not IS_PRODUCTION else ["https"],
    "OAUTH2_VALIDATOR_CLASS": "apps.oauth.validators.ConsentAwareValidator",
    # Advertised in the RFC 8414 metadata: only what the platform serves (no device flow).
    "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code", "client_credentials", "refresh_token"],
    "CLEAR_EXPIRED_TOKENS_BATCH_SIZE": 5000,
    "OIDC_ISS_ENDPOINT": PUBLIC_BASE_URL,
}
SPECTACULAR_SETTINGS["OAUTH2_SCOPES"] = OAUTH2_PROVIDER["SCOPES"]

# Idempotency keys are kept at least this long (Stripe keeps them 24 h).
# Which accounts a customer may share on a consent page: oauth sits below accounts in the
# layering and reads them through this selector (docs/decisions/0008-...).
CONSENT_ACCOUNTS_SELECTOR = "apps.accounts.selectors.consentable_accounts"
IDEMPOTENCY_KEY_TTL = timedelta(hours=int(os.environ.get("IDEMPOTENCY_KEY_TTL_HOURS", "48")))
# A claim older than this whose request never finished (a crashed worker) may be retried.
IDEMPOTENCY_LOCK_TIMEOUT = timedelta(seconds=60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "apps.core.logging.RequestIdFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# django-oauth-toolkit's models, named here so our models can point at them.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"
