"""NetWorkMonitor settings. Everything deployment-specific comes from the environment."""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from netmon_agent.sentinels import credentials, format_address
from NetWorkMonitor.channel_layer_config import channel_layer
from NetWorkMonitor.device_inputs import device_inputs
from NetWorkMonitor.directories import sign_in_settings
from NetWorkMonitor.env import env_addresses, env_bool, env_float, env_int, env_list, env_networks, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
RUN_DIR = BASE_DIR / ".run"  # local state of `make run`: SQLite file, Redis pid, beat schedule

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY") or ""
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. `make run` creates one in .run/secret_key; in production set it in the environment."
    )

# Encrypts device credentials at rest (core.security.secrets). Changing it makes stored ones unreadable.
SECRETS_KEY = env_str("SECRETS_KEY") or SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# HTTPS=1 when people reach the site over TLS (here or at a proxy in front, see the
# docs/deploy/tls.md): cookies over HTTPS only, plain HTTP redirected, HSTS.
HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
# Only behind a proxy that sets X-Forwarded-Proto itself (and strips the client's).
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The reverse proxies in front (addresses or networks): only a request from one of them
# may name its client in X-Forwarded-For. Empty: the connection's own address is the client.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")
# /healthz answers load balancers over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

INSTALLED_APPS = [
    "daphne",  # its runserver serves WebSockets in development
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "drf_spectacular",
    "axes",
    "csp",
    # The second factor of local accounts: TOTP apps, and recovery codes (accounts.second_factor).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # One app per domain, from the top layer down: each imports only those below it
    # (import-linter contracts in pyproject.toml). Signal receivers connect in this
    # order, so dashboard's live frames go out before alerts evaluates the same results.
    "dashboard",
    "accounts",
    "api",
    "chat",
    "alerts",
    "status",
    "events",
    "flows",
    "discovery",
    "probes",
    "oncall",
    "monitor",
    "stats",
    "core",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files: precompressed copies of their own
    "core.web.middleware.CompressUnlessSecret",  # pages and API responses, gzip
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # cookie or Accept-Language; an account's choice wins below
    "django.middleware.common.CommonMiddleware",
    "core.web.middleware.RefuseNulCharacters",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "status.domains.StatusDomainMiddleware",  # before anything reads the session: one page for all
    "accounts.localisation.ReaderLocaleMiddleware",
    "accounts.first_run.FirstRunMiddleware",
    "accounts.directory_check.DirectoryRecheckMiddleware",
    "accounts.second_factor_views.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

# --- Content Security Policy (django-csp): every script, style and socket from this site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],  # same-origin fetch and WebSocket
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Login lockout (django-axes): the login page, admin and the API's tokens -----------
# Who signs in how: local accounts (LOCAL_LOGIN=false: only superusers, the break-glass accounts),
# then a directory (LDAP) and an OpenID Connect provider when configured (NetWorkMonitor/directories.py).
globals().update(sign_in_settings())
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_float("LOGIN_LOCKOUT_MINUTES", 15.0, minimum=0.1))
# Per account and address: a guesser is stopped without letting anyone lock a colleague out.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Behind a proxy every client would share its address: the client's own is looked up.
AXES_CLIENT_IP_CALLABLE = "core.security.client_address.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

ROOT_URLCONF = "NetWorkMonitor.urls"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",  # the dashboard's own calls
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.auth.ReadOrPermittedWrite"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pages",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Per signed-in user or token. Anonymous calls are refused before any work (every
    # endpoint needs a login), and wrong tokens are refused per address (django-axes).
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env_str("API_RATE_USER", "1200/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "NetWorkMonitor API",
    "DESCRIPTION": "Hosts, checks and alert rules; check results, alert history and metric history. "
    "Authenticate with `Authorization: Bearer <token>` (tokens are made on the profile page or in admin).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Hosts' and checks' states, and results' statuses (which add "missed"), are two enums.
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "monitor.models.Status",
        "ResultStatusEnum": "monitor.models.ResultStatus",
    },
}
ASGI_APPLICATION = "NetWorkMonitor.asgi.application"

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
                "django.template.context_processors.i18n",
                "accounts.languages.language_context",
            ],
        },
    },
]


def _database(url: str) -> dict:
    try:
        # Kept open by each process's database thread, SQLite's too: a WebSocket handshake
        # reads the session and the user there, and opening the file twice per handshake
        # made a storm of 1,000 connects wait 1.9 s instead of 1.2 s (docs/benchmarks: the connect storm).
        config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not usable: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets daphne read while a worker writes; IMMEDIATE transactions wait for
        # the write lock up front instead of failing with "database is locked" midway.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        # A file (not :memory:) so that the test run's daphne and worker
        # subprocesses see the same test database.
        config["TEST"] = {"NAME": str(RUN_DIR / "test-db.sqlite3")}
    else:
        # An unreachable server (a black-holed address) fails a connect in seconds, not minutes.
        config.setdefault("OPTIONS", {})["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 5, minimum=1)
    return config


DATABASE_URL = env_url(
    "DATABASE_URL", f"sqlite:///{RUN_DIR / 'db.sqlite3'}", schemes=("sqlite", "postgres", "postgresql")
)
DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Messages live in the session (the database), never in a cookie the browser keeps.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en"
# English and Simplified Chinese: templates and Python through gettext (locale/), the ES
# modules through Django's JavaScript catalogue (accounts/languages.py).
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
# Every time the admin (and any default-format date) shows carries its zone: core/i18n/formats.
FORMAT_MODULE_PATH = ["core.i18n.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / ".run" / "staticfiles"
# `collectstatic` (run by `make run`, `make test` and the image build) writes each file under
# a content-hashed name, gzip- and Brotli-compressed; whitenoise serves those with a year's
# Cache-Control: immutable, and the compressed copy the browser accepts.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "core.web.staticfiles.HashedCompressedStorage"},
}

# --- Redis: channel layer, Celery broker, latest-sample cache -------------------------
REDIS_URL = env_url("REDIS_URL", "redis://127.0.0.1:6379/0", schemes=("redis", "rediss", "unix"))
# Namespaces every channel, pub/sub subject and key, so that several installations
# (or a test run beside `make run`) can share one Redis.
REDIS_PREFIX = env_str("REDIS_PREFIX", "netmon")
# Redis Sentinel, optional. With sentinels named, every server process (channel layer,
# broker, its own clients) asks them for the master and follows a failover; REDIS_URL
# then gives only the user, password and database.
REDIS_SENTINELS = env_addresses("REDIS_SENTINELS")
REDIS_SENTINEL_MASTER = env_str("REDIS_SENTINEL_MASTER", "netmon")
# A sentinel that does not answer within a second is passed over for the next one.
REDIS_SENTINEL_OPTIONS = {"socket_timeout": 1.0, "socket_connect_timeout": 1.0}
# The sentinels' user: finding the master is all any part of the product asks of them,
# so this is best a user allowed only that (docs/deploy/sentinel.md); agents get its name.
REDIS_SENTINEL_USER = env_str("REDIS_SENTINEL_USER", "")
if REDIS_SENTINEL_USER:
    REDIS_SENTINEL_OPTIONS["username"] = REDIS_SENTINEL_USER
if _sentinel_password := env_str("REDIS_SENTINEL_PASSWORD", ""):
    REDIS_SENTINEL_OPTIONS["password"] = _sentinel_password
if REDIS_SENTINELS and not REDIS_URL.startswith("redis://"):
    raise ImproperlyConfigured("REDIS_SENTINELS needs a redis:// REDIS_URL (its user, password and database are used)")
# REDIS_URL without its server: what a connection to the master the sentinels name needs.
REDIS_CREDENTIALS = credentials(REDIS_URL)


# The live path over several Redis servers: REDIS_URL's and these (docs/deploy/large-installation.md).
CHANNEL_REDIS_URLS = env_list("CHANNEL_REDIS_URLS", [])
_live_path = [REDIS_URL, REDIS_PREFIX, REDIS_SENTINELS, REDIS_SENTINEL_MASTER, REDIS_SENTINEL_OPTIONS]
CHANNEL_LAYERS = {"default": channel_layer(*_live_path, REDIS_CREDENTIALS, CHANNEL_REDIS_URLS)}

# With sentinels: "sentinel://[user:password@]host:port/db;sentinel://…", one per sentinel.
_user_info, _at, _ = urlsplit(REDIS_URL).netloc.rpartition("@")
_sentinel_broker = ";".join(
    f"sentinel://{_user_info}{_at}{format_address(*sentinel)}/{REDIS_CREDENTIALS['db']}" for sentinel in REDIS_SENTINELS
)
CELERY_BROKER_URL = env_url(
    "CELERY_BROKER_URL", _sentinel_broker or REDIS_URL, schemes=("redis", "rediss", "unix", "sentinel")
)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Broadcast (fanout) delivery over Redis pub/sub is scoped to this database
    # and not to every keyspace on the server.
    "fanout_prefix": True,
    # Plain fanout: with patterns on, workers listen on "<exchange>/<binding key>"
    # while a broadcast publishes to "<exchange>", and ticks reach nobody.
    "fanout_patterns": False,
    "socket_timeout": None,
    "socket_connect_timeout": 5,
}
if CELERY_BROKER_URL.startswith("sentinel://"):
    CELERY_BROKER_TRANSPORT_OPTIONS |= {"master_name": REDIS_SENTINEL_MASTER, "sentinel_kwargs": REDIS_SENTINEL_OPTIONS}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Host statistics ------------------------------------------------------------------
SAMPLE_INTERVAL = env_float("SAMPLE_INTERVAL", 1.0, minimum=0.2)
# An agent silent this long is shown offline and its agent_offline rules fire.
AGENT_OFFLINE_AFTER = env_float("AGENT_OFFLINE_AFTER", 5 * SAMPLE_INTERVAL, minimum=1.0)
# Redis as the agents reach it (`manage.py agents add` puts their credentials into it).
AGENT_REDIS_URL = env_url("AGENT_REDIS_URL", REDIS_URL, schemes=("redis", "rediss", "unix"))
# The ingest writes agents' frames in batches: one transaction per this many seconds.
SAMPLE_PERSIST_EVERY = env_float("SAMPLE_PERSIST_EVERY", 1.0, minimum=0)
# How long each history tier is kept, in days: per-second values, 1-minute and 1-hour rollups.
# Empty: history in the database (the embedded block store); else the base URL of a
# Prometheus-compatible store (VictoriaMetrics: http://127.0.0.1:8428), stats.history.stores.
HISTORY_URL = env_str("HISTORY_URL", "") or ""
if HISTORY_URL:
    HISTORY_URL = env_url("HISTORY_URL", "", schemes=("http", "https"))
HISTORY_RAW_DAYS = env_int("HISTORY_RAW_DAYS", 7, minimum=1)
HISTORY_MINUTE_DAYS = env_int("HISTORY_MINUTE_DAYS", 90, minimum=1)
HISTORY_HOUR_DAYS = env_int("HISTORY_HOUR_DAYS", 730, minimum=1)
# And how large each may grow, in MB (0: no limit); past it the oldest days go first.
HISTORY_MAX_MB = {tier: env_int(f"HISTORY_{tier.upper()}_MAX_MB", 0, minimum=0) for tier in ("raw", "minute", "hour")}

# --- Monitored hosts --------------------------------------------------------------------
# Checks one worker process runs at the same moment (each holds a socket).
CHECKS_MAX_CONCURRENCY = env_int("CHECKS_MAX_CONCURRENCY", 1000, minimum=1)
# Networks checks may not reach, besides link-local and cloud metadata (always denied).
CHECK_DENY_NETWORKS = env_list("CHECK_DENY_NETWORKS", [])
for _network in CHECK_DENY_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"CHECK_DENY_NETWORKS: {_network!r} is not a network, e.g. 10.9.0.0/16") from None
CHECK_RESULT_RETENTION_HOURS = env_int("CHECK_RESULT_RETENTION_HOURS", 7 * 24, minimum=1)
# A claimed slot with no result this long after its timeout is recorded as missed (its
# checks worker died, or none was running); a real result arriving later replaces it.
CHECK_MISSED_AFTER_S = env_float("CHECK_MISSED_AFTER_S", 30.0, minimum=1)
# The hourly uptime ledger behind status pages and reports (a row per check per hour).
UPTIME_RETENTION_DAYS = env_int("UPTIME_RETENTION_DAYS", 400, minimum=91)
# Where MAC and IP addresses were seen (forwarding and ARP tables), and inventory changes.
SIGHTING_RETENTION_DAYS = env_int("SIGHTING_RETENTION_DAYS", 90, minimum=1)

# --- What network devices send: flows (manage.py collect_flows), SNMP traps and syslog
# (manage.py receive_events); NetWorkMonitor/device_inputs.py reads them.
globals().update(device_inputs(BASE_DIR))

# --- Web processes ---------------------------------------------------------------------
# daphne processes `manage.py serve` runs on the one port (make run, docker compose).
WEB_CONCURRENCY = env_int("WEB_CONCURRENCY", os.cpu_count() or 1, minimum=1)

# --- WebSockets ------------------------------------------------------------------------
# Open sockets per user in one server process (each page holds one to three): one
# account cannot exhaust a process's memory and file descriptors by opening thousands.
WS_MAX_SOCKETS_PER_USER = env_int("WS_MAX_SOCKETS_PER_USER", 50, minimum=1)

# --- Chat -------------------------------------------------------------------------------
# Messages posted within this window share one save and one frame per room (0: no wait).
CHAT_BATCH_MS = env_float("CHAT_BATCH_MS", 15.0, minimum=0)
# A batch the database does not take is tried again this long before its senders are told to resend.
CHAT_SAVE_RETRY_S = env_float("CHAT_SAVE_RETRY_S", 120.0, minimum=0)

# --- Alerts -----------------------------------------------------------------------------
# A pending notification not attempted for this long is re-queued by the sweep.
NOTIFY_RESEND_AFTER_S = env_float("NOTIFY_RESEND_AFTER_S", 60.0, minimum=1)
# One delivery attempt may take this long, then its connections are cut: a target that never
# answers holds one notification worker thread for this long at most.
NOTIFY_ATTEMPT_S = env_float("NOTIFY_ATTEMPT_S", 20.0, minimum=1)
# Caps on the connect and read timeouts a target URL may ask for (Apprise's cto= and rto=).
NOTIFY_CONNECT_TIMEOUT_S = env_float("NOTIFY_CONNECT_TIMEOUT_S", 5.0, minimum=0.1)
NOTIFY_READ_TIMEOUT_S = env_float("NOTIFY_READ_TIMEOUT_S", 10.0, minimum=0.1)
# "Send a test" from the profile page: its time bound, and how many a user may send per minute.
NOTIFY_TEST_S = env_float("NOTIFY_TEST_S", 10.0, minimum=1)
NOTIFY_TESTS_PER_MINUTE = env_int("NOTIFY_TESTS_PER_MINUTE", 3, minimum=1)


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "core.security.redaction.RedactingFormatter",  # no password or token of a check URL in a log
            "format": "%(asctime)s %(levelname)s %(name)s: %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "daphne": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # it logs every successful login at INFO
        # Celery logs every task at INFO; at one tick per second that buries the rest.
        "celery.app.trace": {"level": "WARNING"},
        "celery.worker.strategy": {"level": "WARNING"},
        "celery.beat": {"level": "WARNING"},
    },
}
