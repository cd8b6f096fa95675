"""Settings for every environment, read from the environment only (see .env.example)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Only ever used with DEBUG on, on a developer's machine.
    SECRET_KEY = "dev-only-insecure-key-4c1f2b7e9d0a8c6b5e3f1a2d7c9b0e8f6a4d2c1b"

# Former keys, comma-separated, while rotating SECRET_KEY: webhook secrets encrypted under one still decrypt.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Under /api/ a CSRF refusal (a browser session posting without the token) is the JSON error envelope.
CSRF_FAILURE_VIEW = "apps.core.api.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "oauth2_provider",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Login throttling for every view that calls authenticate() (docs/agents-and-auth.md, "Security").
    "axes",
    "csp",
    "apps.core",
    "apps.organizations",
    "apps.topics",
    "apps.tags",
    "apps.agents",
    "apps.clocked_times",
    "apps.timer",
    "apps.ratelimits",
    "apps.webhooks",
    "apps.mcp_server",
    "apps.idempotency",
    # ClockEye-compatible endpoints (no models): ClockEye's paths mapped onto the same services.
    "apps.clockeye",
    "django_htmx",
    "apps.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads a body: refuses /api/ bodies without a length or over the limit.
    "apps.core.middleware.ApiBodyGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Refuses plain HTTP on /api/ (SECURE_REDIRECT_EXEMPT) and marks API JSON no-store.
    "apps.core.middleware.ApiTransportMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After authentication: the person's own timezone for the pages' dates and forms (apps/web).
    "apps.web.middleware.PersonTimezoneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "apps.core.middleware.ApiErrorMiddleware",
    # After ApiErrorMiddleware: its process_exception must not see django-ratelimit's refusal first.
    "apps.ratelimits.middleware.RateLimitMiddleware",
    "apps.webhooks.middleware.WebhookSubscriptionsMiddleware",
    # Last, as django-axes requires: turns a locked-out login into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

# --- Database: SQLite under var/ by default so the service runs with no server at all.
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'teeckin.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
# A database that is down answers 503 SERVICE_UNAVAILABLE with Retry-After (apps/core/middleware.py); one
# that is frozen or overloaded must not hold a request longer than these (docs/operations.md, "Failure
# behaviour").
DB_CONNECT_TIMEOUT_SECONDS = env_int("DB_CONNECT_TIMEOUT_SECONDS", 3)  # libpq's minimum is 2
DB_STATEMENT_TIMEOUT_SECONDS = env_int("DB_STATEMENT_TIMEOUT_SECONDS", 10)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend plus a client-side deadline on every wait, for a server that no longer answers.
    DATABASES["default"]["ENGINE"] = "apps.core.postgresql"
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": DB_CONNECT_TIMEOUT_SECONDS,
            # Server side: a statement or a lock wait that runs too long is cancelled.
            "options": f"-c statement_timeout={DB_STATEMENT_TIMEOUT_SECONDS * 1000}"
            f" -c lock_timeout={DB_STATEMENT_TIMEOUT_SECONDS * 1000}",
            # Client side, a little longer so the server's own cancellation normally wins.
            "client_timeout": DB_STATEMENT_TIMEOUT_SECONDS + 2,
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # Wait for the write lock instead of failing at once when two requests write together.
            "timeout": 20,
            # Take the write lock when a transaction begins: a deferred transaction that reads, then
            # writes, fails "database is locked" at once (no waiting) when another writer got in between.
            "transaction_mode": "IMMEDIATE",
        }
    )
# A connection pool per process (psycopg_pool through Django), on by default. Under ASGI, Django runs each
# request's code in a thread of its own, so a connection kept per thread (CONN_MAX_AGE) was never reused:
# every request connected anew (a PostgreSQL backend forked per request). The pool hands connections
# from one request to the next whatever the thread; DB_POOL_MAX_SIZE bounds what one process holds.
DATABASE_POOL = env_bool("DB_POOL", True)
if DATABASE_POOL and DATABASES["default"]["ENGINE"] == "apps.core.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # pooling replaces persistent connections (Django refuses both)
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": env_int("DB_POOL_MIN_SIZE", 2),
        "max_size": env_int("DB_POOL_MAX_SIZE", 20),
        # Waiting longer than this for a free connection is an outage for the caller: 503, not a hang.
        "timeout": env_int("DB_POOL_TIMEOUT_SECONDS", 5),
    }
# The per-request credential and running-timer lookups run as server-side prepared statements on
# PostgreSQL (apps/core/prebuilt.py). Turn off (DB_PREPARED_STATEMENTS=0) behind a pooler in transaction mode
# that cannot keep them.
DATABASE_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", True)
if DATABASE_PREPARED_STATEMENTS and DATABASES["default"]["ENGINE"] == "apps.core.postgresql":
    # psycopg prepares nothing while the threshold is None (Django's default). A threshold never reached
    # leaves the ORM's queries as they are (its cursors bind client-side anyway) and lets the lookups
    # that ask for it explicitly be prepared.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 2**31 - 1)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, rate-limit counters and Celery broker when set; in-process otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "")
# Every Redis call (cache, rate limits, broker publish) gives up after this long, connecting or reading:
# a local Redis answers in well under a millisecond, so a wait this long means it is dead or frozen, and
# each user of it fails open (docs/operations.md, "Failure behaviour"). Without a read timeout a frozen
# Redis (accepting connections in the kernel, never answering) held requests until it resumed.
REDIS_TIMEOUT_SECONDS = float(os.environ.get("REDIS_TIMEOUT_SECONDS") or 0.25)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "teeckin",
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
                "socket_timeout": REDIS_TIMEOUT_SECONDS,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# After a cache (Redis) error, rate limits skip it for this long instead of waiting for a timeout on
# every call (apps/core/cache_breaker.py); webhook publishing does the same.
CACHE_RETRY_SECONDS = env_int("CACHE_RETRY_SECONDS", 5)

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
# Publishing gives up quickly when Redis is unreachable or frozen (one try, short connect and read
# timeouts, instead of kombu's retries for seconds): the webhook outbox and its sweeper, not the broker,
# guarantee delivery. Requests never publish themselves (apps/webhooks/publisher.py). Workers reconnect
# with their own unlimited retries; kombu's health checks keep their long BRPOP polls alive.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
    "socket_timeout": REDIS_TIMEOUT_SECONDS,
    "max_retries": 1,
    "interval_start": 0,
}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT_SECONDS
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "webhook-deliveries-sweep": {"task": "apps.webhooks.tasks.webhook_deliveries_sweep", "schedule": 60.0},
    "timers-autostop": {"task": "apps.timer.tasks.timers_autostop", "schedule": 300.0},
    # Idle stop ends a silent session's timer at its last heartbeat; a minute keeps the error small.
    "timers-idle-stop": {"task": "apps.timer.tasks.timers_idle_stop", "schedule": 60.0},
    "webhook-logs-prune": {"task": "apps.webhooks.tasks.webhook_logs_prune", "schedule": 3600.0},
    "oauth-registrations-prune": {
        "task": "apps.agents.tasks.registrations_prune_unused_task",
        "schedule": 3600.0,
    },
    "idempotency-keys-prune": {"task": "apps.idempotency.tasks.idempotency_keys_prune", "schedule": 3600.0},
    "oauth-tokens-clear-expired": {
        "task": "apps.agents.tasks.access_tokens_clear_expired_task",
        "schedule": 3600.0,
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# The people's pages' CSS and JS, and the vendored htmx and Chart.js (no CDN: the service works offline).
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    # The manifest needs collectstatic; the development server serves app static files directly.
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# --- The people's pages (apps/web): Django's auth views at /accounts/.
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
# Password-reset mail. Development prints it on the console; set EMAIL_BACKEND (and Django's EMAIL_HOST,
# EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS) to send it.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "teeckin@localhost")

# --- HTTPS: secure by default outside DEBUG; each can be turned off behind a TLS-terminating proxy.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("SECURE_PROXY_SSL_HEADER") else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# Preloading is a promise to browsers that outlives this deployment (removal takes months): opt in.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# /api/ is never redirected to https: ApiTransportMiddleware refuses plain HTTP there instead.
SECURE_REDIRECT_EXEMPT = [r"^api/"]
# security.W021 only says preload is off, which is the deliberate default above.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# --- Content-Security-Policy (django-csp) on every page: admin, API docs, the people's pages. Scripts and
# styles only from our own static files (Swagger UI included, from drf-spectacular-sidecar), nothing
# inline. API JSON gets the same header, where it is inert.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        # No form-action: browsers apply it to the redirect after a form post too, and the OAuth consent
        # form redirects to the client's own redirect URI (another origin, e.g. a local callback port).
    }
}

# --- Login throttling (django-axes): failed logins counted per IP address and per username, on every
# login form (any view calling authenticate() with its request). The admin shows a 429 page meanwhile.
AUTHENTICATION_BACKENDS = [
    "apps.core.auth_backends.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
# The client address as the rate limits see it (RATELIMIT_IP_META_KEY behind a proxy).
AXES_CLIENT_IP_CALLABLE = "apps.ratelimits.buckets.login_client_ip"

# --- API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The first class names the WWW-Authenticate challenge of a 401: Bearer, as agents expect.
        "apps.agents.authentication.AgentTokenAuthentication",
        "apps.agents.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["apps.core.api.parsers.JsonParser"],
    "EXCEPTION_HANDLER": "apps.core.api.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["apps.ratelimits.throttles.AgentRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "DATETIME_FORMAT": "iso-8601",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Teeckin API",
    "DESCRIPTION": "Time tracking for AI agents.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from drf-spectacular-sidecar's static files, not a CDN (self-hosted, offline-capable).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        # Before the rate-limit hook, so the 409/422 answers it adds get the rate-limit headers too.
        "apps.idempotency.openapi.add_idempotency_key_header",
        "apps.ratelimits.openapi.add_rate_limit_headers",
        "apps.core.api.schema.add_body_refusals",
    ],
}
# Agent API documentation (apps/core/api/schema.py): /api/v1 and /api/agent only, OpenAPI 3.1 (so the
# schema is plain JSON Schema and tests validate responses with jsonschema), both credentials declared
# (their definitions: apps/agents/schema.py).
SPECTACULAR_SETTINGS.update(
    {
        "OAS_VERSION": "3.1.0",
        "PREPROCESSING_HOOKS": ["apps.core.api.schema.schema_preprocess"],
        "COMPONENT_NO_READ_ONLY_REQUIRED": False,
        # Our PATCH inputs are not DRF partial updates: their required fields are required (timer notes).
        "COMPONENT_SPLIT_PATCH": False,
        # Request bodies get their own components (…Request): a field with a default is optional in a
        # request but always present in an answer, which one shared component cannot say. The generated
        # SDKs need the difference (a client must not be forced to send notes="").
        "COMPONENT_SPLIT_REQUEST": True,
        "SECURITY": [{"agentToken": []}, {"apiKey": []}],
        # Two entry components (ClockedTimeOutput, RunningTimerOutput) share the entry type's choices.
        "ENUM_NAME_OVERRIDES": {"ClockedTimeTypeEnum": "apps.clocked_times.models.ClockedTime.Type"},
    }
)

# --- Rate limits (apps/ratelimits; docs/api.md, "Rate limits"). Sliding-window counters of the limits
# package, in the Redis of the default cache when REDIS_URL is set. Rates are "count/period" strings (s, m,
# h, d).
RATELIMITS = {
    "BUCKETS": {
        # Per agent (OAuth client or API key; per user for a browser session). A timer operation counts
        # in "timer" and in "write".
        "read": "120/m",
        "write": "30/m",
        "timer": "10/m",
        # Heartbeats ("this session is still working", after each tool call) count here only: not in
        # "timer", "write" or the plan's hourly quota, which they would otherwise use up.
        "heartbeat": "120/m",
        # Requests without valid credentials (including failed authentication), per IP address.
        "anonymous": "60/m",
        # The OAuth token endpoint, so guessing a client secret is slow: every attempt per IP; failed
        # attempts per (client id, IP), and per client id from all addresses at a much higher ceiling.
        "token_ip": "30/m",
        "token_client": "10/m",
        # Anonymous OAuth client registration (RFC 7591) at /api/oauth/register, per IP address.
        "registration": "20/h",
        "token_client_all": "100/m",
    },
    # Scopes counted in their own bucket only (not read/write, not the plan quota).
    "ALONE": ["heartbeat"],
    # Per organization per hour, on top of the buckets; None is unlimited. Set the plan in the admin.
    "PLAN_QUOTAS": {"free": "100/h", "standard": "1000/h", "pro": "5000/h", "enterprise": None},
    # When Redis is unreachable: "open" lets requests through uncounted, "closed" refuses them, "local"
    # counts in each process. The token endpoint keeps its brute-force protection locally.
    "DEFAULT_ON_CACHE_ERROR": "open",
    "ON_CACHE_ERROR": {"token_ip": "local", "token_client": "local", "token_client_all": "local"},
}
# The plan of a new organization. Self-hosted: enterprise (unlimited); a hosted offering sets e.g. free.
ORGANIZATION_DEFAULT_PLAN = os.environ.get("ORGANIZATION_DEFAULT_PLAN") or "enterprise"
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
# Our buckets choose their own failure policy; django-ratelimit's global one must stay off for that.
RATELIMIT_FAIL_OPEN = False
# Behind a reverse proxy every request comes from the proxy: name the META key holding the client address
# that the proxy sets and overwrites (e.g. HTTP_X_REAL_IP). Unset: REMOTE_ADDR.
RATELIMIT_IP_META_KEY = os.environ.get("RATELIMIT_IP_META_KEY") or None

# --- OAuth2 (django-oauth-toolkit). The Agent is the OAuth client; decided before the first migration.
OAUTH2_PROVIDER_APPLICATION_MODEL = "agents.Agent"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("ACCESS_TOKEN_EXPIRE_SECONDS", 3600),
    # Adopt every RFC 9700 (OAuth 2.0 Security BCP) behaviour now rather than when 4.0 forces it:
    # no implicit or password grants, no plain PKCE, no tokens in query strings, tokens stored as digests.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
# Agents: several hashed secrets per agent (custom client authentication), tat_ tokens, teeckin_agent_ ids.
OAUTH2_PROVIDER.update(
    {
        "OAUTH2_VALIDATOR_CLASS": "apps.agents.oauth.AgentOAuth2Validator",
        "ACCESS_TOKEN_GENERATOR": "apps.agents.credentials.access_token_generate",
        "REFRESH_TOKEN_GENERATOR": "apps.agents.credentials.refresh_token_generate",
        "CLIENT_ID_GENERATOR_CLASS": "apps.agents.credentials.AgentClientIdGenerator",
        # A token gets the scopes its request names (space-separated `scope`) if the agent is allowed them
        # (Agent.allowed_scopes; else invalid_scope), and DEFAULT_SCOPES when it names none
        # (docs/agents-and-auth.md, "Scopes").
        "SCOPES": {
            "agent": "Track time as the agent's owner",
            "webhooks": "Manage the organization's webhooks",
        },
        "DEFAULT_SCOPES": ["agent"],
    }
)
# Browser OAuth for MCP clients (docs/agents-and-auth.md, "Browser sign-in for MCP clients"): authorization
# code with PKCE S256 for public clients, loopback redirects on any port, anonymous dynamic registration
# (restricted in apps.agents.oauth_views) and Client ID Metadata Documents fetched with DOT's SSRF-safe
# fetcher.
OAUTH2_PROVIDER.update(
    {
        "ALLOW_LOCALHOST_LOOPBACK": True,
        "DCR_ENABLED": True,
        "DCR_REGISTRATION_PERMISSION_CLASSES": ("oauth2_provider.dcr.AllowAllDCRPermission",),
        "CIMD_ENABLED": True,
        "OAUTH2_RESPONSE_TYPES_SUPPORTED": ["code"],
        "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code", "client_credentials", "refresh_token"],
        "OAUTH2_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": ["client_secret_basic", "client_secret_post", "none"],
        "OAUTH2_PROTECTED_RESOURCE_NAME": "Teeckin MCP server",
        # Interactive clients refresh (rotated on every use; reusing an old one revokes the whole family).
        "REFRESH_TOKEN_EXPIRE_SECONDS": env_int("REFRESH_TOKEN_EXPIRE_SECONDS", 30 * 24 * 3600),
    }
)
LOGIN_URL = "/accounts/login/"

# --- Product limits
MANUAL_ENTRY_MAX_DURATION = timedelta(hours=24)
MANUAL_ENTRY_FUTURE_TOLERANCE = timedelta(minutes=1)
NOTES_MAX_LENGTH = 10_000

# --- Idempotency-Key on writes (apps/idempotency; docs/api.md, "Idempotency-Key"): how long a key and its
# recorded answer are kept, and after how long a claim whose request never finished may be taken over
# (longer than any request may run: gunicorn's default worker timeout is 30 s).
IDEMPOTENCY_KEY_TTL = timedelta(hours=24)
IDEMPOTENCY_LEASE = timedelta(seconds=env_int("IDEMPOTENCY_LEASE_SECONDS", 120))

# --- Webhooks (docs/webhooks.md; docs/operations.md, "Background jobs")
# Plain http to loopback addresses, for development and tests only; production sends only https to
# public addresses.
WEBHOOKS_ALLOW_LOOPBACK_HTTP = env_bool("WEBHOOKS_ALLOW_LOOPBACK_HTTP", DEBUG)
WEBHOOK_MAX_ENDPOINTS_PER_ORGANIZATION = 20
WEBHOOK_CONNECT_TIMEOUT_SECONDS = 5
WEBHOOK_READ_TIMEOUT_SECONDS = 10
# One deadline for a whole attempt, connecting to last byte: a receiver that trickles its answer cannot
# hold a worker longer than this (socket timeouts alone bound only each read).
WEBHOOK_ATTEMPT_DEADLINE_SECONDS = env_int("WEBHOOK_ATTEMPT_DEADLINE_SECONDS", 15)
# Retries: 1 min, 2, 4, … doubling up to 12 h between attempts (each +/-20% jitter), until 3 days after
# the event: about 15 attempts in all.
WEBHOOK_RETRY_BASE_DELAY = timedelta(seconds=env_int("WEBHOOK_RETRY_BASE_SECONDS", 60))
WEBHOOK_RETRY_MAX_DELAY = timedelta(hours=12)
WEBHOOK_RETRY_WINDOW = timedelta(days=3)
# Retries due within this are enqueued with a Celery ETA; later ones are enqueued by the minutely sweeper.
WEBHOOK_RETRY_ETA_MAX = timedelta(minutes=10)
# A receiver's Retry-After is honoured up to this long.
WEBHOOK_RETRY_AFTER_MAX = timedelta(hours=24)
WEBHOOK_RESPONSE_LOG_BYTES = 2000
WEBHOOK_LOG_RETENTION = timedelta(days=env_int("WEBHOOK_LOG_RETENTION_DAYS", 30))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Django's default configuration gives the "django" logger handlers of its own (a console one when DEBUG
    # is on), and its records also reach the root's: under ./dev run every request warning came out twice.
    # They go to the root's handler alone. (Its other handler mails ADMINS, which is not set.)
    "loggers": {"django": {"handlers": [], "level": "INFO"}},
}
