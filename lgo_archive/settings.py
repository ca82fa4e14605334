"""Settings for the LGSCO decisions archive, all from the environment.

Safe by default: DEBUG is off unless DJANGO_DEBUG is set, and a production
deployment must provide DJANGO_SECRET_KEY. Without DATABASE_URL the archive uses
a SQLite file beside the code; with ``DATABASE_URL=postgres://…`` it uses PostgreSQL.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_from_url(url: str) -> dict:
    """A Django DATABASES entry from a URL such as postgres://user:pw@host:5432/name?sslmode=require
    (dj-database-url reads it; a socket directory may be given as ?host=/run/postgresql)."""
    if urlsplit(url).scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ImproperlyConfigured(f"DATABASE_URL scheme {urlsplit(url).scheme!r} is not supported "
                                   "(use postgres:// or sqlite://)")
    config = dj_database_url.parse(url, conn_max_age=0 if "pytest" in sys.modules else
                                   int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")), conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.postgresql":
        options = config.setdefault("OPTIONS", {})
        if not config["HOST"] and "host" in options:
            config["HOST"] = options.pop("host")
        # JIT compiles expensive plans at up to 100 ms a query: a loss for a web page's short queries.
        options.setdefault("options", "-c jit=off")
        if pool_size := int(os.environ.get("DJANGO_DB_POOL_SIZE", "0")):
            # A pool (deploy/gunicorn.conf.py turns it on for the web server): the process holds at most
            # pool_size connections whatever its threads, and a thread waits for one rather than open
            # more; each opens with the web's bound on a statement (decisions/middleware.py).
            config["CONN_MAX_AGE"] = 0
            config["CONN_HEALTH_CHECKS"] = False
            options["pool"] = {"min_size": 1, "max_size": pool_size, "timeout": 10}
            seconds = float(os.environ.get("DJANGO_DATABASE_REQUEST_SECONDS", "10"))
            if seconds:
                options["options"] += f" -c statement_timeout={max(1, int(seconds * 1000))}"
    return config


DEBUG = env_flag("DJANGO_DEBUG")
TESTING = "pytest" in sys.modules

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for local development).")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
                 if h.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "axes",
    "decisions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "decisions.middleware.ContentSecurityPolicyMiddleware",
    "decisions.middleware.HostileInputMiddleware",
    "decisions.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "decisions.middleware.BoundedDatabaseWorkMiddleware",  # after static files: they need no database
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "decisions.middleware.SignInGateMiddleware",  # counts a sign-in attempt before any password is checked
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

# The most database time one web request may take (seconds; 0: no bound). A statement past it is
# stopped and the page says the request was too broad (decisions/middleware.py).
DATABASE_REQUEST_SECONDS = float(os.environ.get("DJANGO_DATABASE_REQUEST_SECONDS", "10"))

ROOT_URLCONF = "lgo_archive.urls"
WSGI_APPLICATION = "lgo_archive.wsgi.application"
ASGI_APPLICATION = "lgo_archive.asgi.application"

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

DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if DATABASE_URL:
    DATABASES = {"default": database_from_url(DATABASE_URL)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("DJANGO_SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {
                # WAL lets visitors read while an import writes; wait rather than fail on a busy database.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Kept between requests, like PostgreSQL's: a new connection reads the schema again and
            # starts with an empty page cache (about 1 ms a request, more for the first statements).
            "CONN_MAX_AGE": 0 if "pytest" in sys.modules else int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
            # A file, not memory, so that tests can import with worker processes.
            "TEST": {"NAME": str(BASE_DIR / ".test-db.sqlite3")},
        }
    }

# Figures (home, council, category and league pages), similar decisions and the suggestion vocabulary
# are cached under the data version (decisions/caching.py); searches are not. With REDIS_URL (redis://host:6379/0 or unix:///path/redis.sock)
# the web server's processes share one Redis cache, which stays fast with hundreds of thousands
# of entries and expires them itself; when Redis cannot be reached the pages are computed
# instead (decisions/cache_backend.py). Otherwise each process keeps its own cache in memory.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "decisions.cache_backend.ResilientRedisCache", "LOCATION": REDIS_URL,
                          "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                          "OPTIONS": {"MAX_ENTRIES": 5_000}}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Production posture (python manage.py check --deploy passes with DJANGO_DEBUG off) ---
# Behind a proxy that terminates TLS and sets X-Forwarded-Proto (nginx, a load balancer).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_flag("DJANGO_SECURE_SSL_REDIRECT", default=not (DEBUG or TESTING))
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere on the site: everything comes from /static/.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# A sign-in whose ?next= is not a safe address of this site lands on the admin index.
LOGIN_REDIRECT_URL = "/admin/"
# Admin sign-in lockout (django-axes, https://django-axes.readthedocs.io/): after LOGIN_FAILURE_LIMIT
# failures for one username from one address, that pair waits LOGIN_LOCKOUT_SECONDS (HTTP 429);
# the right password from another address still gets in, and so does another username from this
# one, so nobody can lock all staff out. Failures are counted in the database, atomically across
# workers. Behind the TLS proxy production requires, the client's address is the one the proxy
# appended to X-Forwarded-For (with DJANGO_TRUSTED_PROXIES=1, the right-most entry): an address
# the client wrote there itself is never believed.
LOGIN_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("DJANGO_LOGIN_LOCKOUT_SECONDS", "900"))
TRUSTED_PROXIES = int(os.environ.get("DJANGO_TRUSTED_PROXIES", "0" if DEBUG else "1"))
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(seconds=LOGIN_LOCKOUT_SECONDS)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Not reset by a success: django-axes would clear the failures of every username at that address,
# so an attacker with an account of their own could unlock the one they are guessing.
AXES_RESET_ON_SUCCESS = False
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
if TRUSTED_PROXIES:
    # Each trusted proxy appends the address it was connected from, and ours is not itself in the
    # header (it is REMOTE_ADDR): the client is the TRUSTED_PROXIES-th entry from the right, which
    # ipware gives for a proxy count one less (it counts proxies inside the header).
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXIES - 1
    AXES_IPWARE_PROXY_ORDER = "left-most"
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    # Entries a client wrote itself may precede ours: at least, not exactly, the counted proxies.
    IPWARE_STRICT = False
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)

# Development and tests serve static files straight from static/ without collectstatic.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# Harvesting the Ombudsman's website (python manage.py harvest_decisions). The User-Agent names
# the archive and a contact address, so the site's operators can reach us rather than block us.
HARVEST_BASE_URL = os.environ.get("HARVEST_BASE_URL", "https://www.lgo.org.uk").strip()
HARVEST_CONTACT = os.environ.get("HARVEST_CONTACT", "archive-operator@example.org").strip()
HARVEST_USER_AGENT = f"lgo-archive-harvester/1.0 (+mailto:{HARVEST_CONTACT})"
HARVEST_DELAY_SECONDS = float(os.environ.get("HARVEST_DELAY_SECONDS", "1.0"))
HARVEST_START = "2010-01-01"  # the first run's first window; decisions published before 2016 are few
HARVEST_OVERLAP_DAYS = 7  # a run without --since goes back this far into the last completed window


# Email (alerts: decisions/alerts.py). EMAIL_URL (smtp://user:password@host:587 with STARTTLS,
# smtps://… for TLS from the start, console:// to print them), or Django's usual EMAIL_HOST,
# EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, EMAIL_USE_SSL. With none of
# these, development (make serve) prints each email in the terminal; production sends through
# the machine's own mail server on localhost:25.
def email_settings(environ) -> dict:
    if url := environ.get("EMAIL_URL", "").strip():
        parts = urlsplit(url)
        if parts.scheme == "console":
            return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
        if parts.scheme not in ("smtp", "smtps"):
            raise ImproperlyConfigured("EMAIL_URL must start smtp://, smtps:// or console://")
        return {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": parts.hostname or "localhost",
                "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 587),
                "EMAIL_HOST_USER": unquote(parts.username or ""), "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
                "EMAIL_USE_SSL": parts.scheme == "smtps",
                "EMAIL_USE_TLS": parts.scheme == "smtp" and "tls=false" not in parts.query.lower()}
    if environ.get("EMAIL_HOST", "").strip():
        return {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": environ["EMAIL_HOST"].strip(),
                "EMAIL_PORT": int(environ.get("EMAIL_PORT", "25")), "EMAIL_HOST_USER": environ.get("EMAIL_HOST_USER", ""),
                "EMAIL_HOST_PASSWORD": environ.get("EMAIL_HOST_PASSWORD", ""),
                "EMAIL_USE_TLS": env_flag("EMAIL_USE_TLS"), "EMAIL_USE_SSL": env_flag("EMAIL_USE_SSL")}
    if DEBUG:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    return {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "localhost", "EMAIL_PORT": 25}


globals().update(email_settings(os.environ))
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Ombudsman decisions archive <alerts@localhost>")
# The archive's own address, for the links in emails (no request to read it from when sending).
SITE_URL = os.environ.get("DJANGO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# An alert email claimed by a sender this long ago and not marked sent (the sender stopped) is sent again.
ALERT_CLAIM_SECONDS = int(os.environ.get("ALERT_CLAIM_SECONDS", "300"))
