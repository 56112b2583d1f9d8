"""Settings of Contact COVID, read from the environment (and an optional `.env` file).

Every variable is listed in README.md. Development defaults are safe to run on a laptop; with
DEBUG off, anything production cannot guess (SECRET_KEY, ALLOWED_HOSTS) must be given.
"""

import os
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# Without a key, nothing serves with DEBUG off: wsgi.py and asgi.py refuse to start, and so does
# `check --deploy` (contactcovid.checks). Commands that need no key (makemigrations, migrate,
# shell) still run, so that tooling works on a bare checkout.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and DEBUG:
    # Development only: a fresh random key each start (sessions do not survive a restart).
    from django.core.management.utils import get_random_secret_key

    SECRET_KEY = get_random_secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "jobs",
    "accounts",
    "fiches",
    "tracing",
    "api",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, behind ours (templates/django/forms)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "contactcovid.middleware.ForwardedForMiddleware",
    "contactcovid.middleware.AuditContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "contactcovid.middleware.ContentSecurityPolicyMiddleware",
    "contactcovid.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionExpiryMiddleware",
    "accounts.middleware.AccountStepsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "contactcovid.urls"

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
                "tracing.context_processors.navigation",
                "accounts.context_processors.session",
            ],
            # `date` for the formats our lists use, without Django's per-call parsing.
            "builtins": ["tracing.templatetags.dates"],
        },
    },
]

# Widgets render through TEMPLATES, so that templates/django/forms/widgets (the same markup as
# Django's, with fewer nested templates) wins; plain inputs are written in Python
# (tracing.bench measured forms as a quarter of an edit page).
FORM_RENDERER = "contactcovid.forms_renderer.FormRenderer"

WSGI_APPLICATION = "contactcovid.wsgi.application"

# Database: an SQLite file by default, PostgreSQL (production) when DATABASE_URL points to one.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections: each app server process keeps its connection between requests.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database of `make run` serves a handful of users and a worker at once: writes
    # take the lock when their transaction starts (no deadlock between two upgrading readers),
    # wait for it up to 20 s instead of failing with "database is locked", and readers do not
    # block the writer (WAL).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# Reads that may lag a little (the dashboard, the exports, the ARS lists) go to a streaming
# replica when DATABASE_REPLICA_URL is set (contactcovid.routers); everything else, and every
# write, stays on the primary. In tests the replica mirrors the test database (the same name,
# on the replica's server, which receives it through replication).
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"].get("CONN_MAX_AGE", 0)
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["contactcovid.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work (e-mails, periodic tasks): django-tasks' API, its queue in our own database,
# so a job is enqueued in the transaction of the write that needs it. Workers: `manage.py worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# The laboratories' FHIR API (issue 16, README « Résultats des laboratoires (FHIR) »): bundles
# over FHIR_SYNC_MAX_ENTREES entries are processed by the job runner (202 + status URL); calls per
# minute per client; the largest body taken; tokens valid an hour (OAuth 2.0 client credentials).
# Masks a pharmacy hands a contact over 7 days without a confirmation (issue 17 § 7).
MASQUES_PAR_SEMAINE = env.int("MASQUES_PAR_SEMAINE", default=14)
FHIR_SYNC_MAX_ENTREES = env.int("FHIR_SYNC_MAX_ENTREES", default=1000)
FHIR_APPELS_PAR_MINUTE = env.int("FHIR_APPELS_PAR_MINUTE", default=120)
FHIR_JETONS_PAR_MINUTE = env.int("FHIR_JETONS_PAR_MINUTE", default=10)
FHIR_MAX_OCTETS = env.int("FHIR_MAX_OCTETS", default=20_000_000)
AUTHLIB_OAUTH2_PROVIDER = {"token_expires_in": {"client_credentials": 3600}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.IdentifierBackend"]

# Pro Santé Connect (the ANS's OpenID Connect provider: CPS card or e-CPS app), issue 15. The
# buttons show only when the provider's URL (its issuer, whose /.well-known/openid-configuration
# gives every endpoint and its keys), the client id and its secret are set (README, « Pro Santé
# Connect »). The professional is found in the référentiel by the first of PSC_CLAIMS that holds
# an RPPS (11 digits) or an AM number (9 digits).
PSC_URL = env.str("PSC_URL", default="").rstrip("/")
PSC_CLIENT_ID = env.str("PSC_CLIENT_ID", default="")
PSC_CLIENT_SECRET = env.str("PSC_CLIENT_SECRET", default="")
PSC_SCOPE = env.str("PSC_SCOPE", default="openid scope_all")
PSC_ACR = env.str("PSC_ACR", default="eidas1")
PSC_CLAIMS = env.list("PSC_CLAIMS", default=["SubjectNameID", "preferred_username"])
PSC_TIMEOUT = env.int("PSC_TIMEOUT", default=10)  # seconds, each call to the provider

# Second factor (TOTP, issue 15) for accounts that sign in with a password: offered to everyone
# in « Gestion de compte », mandatory for these roles (the accounts.roles values). In production
# by default the administrators and the agents ARS; with DEBUG (make run's demo), no one.
DOUBLE_AUTHENTIFICATION_ROLES = env.list(
    "DOUBLE_AUTHENTIFICATION_ROLES", default=[] if DEBUG else ["Administrateur", "Agent ARS"]
)
OTP_TOTP_ISSUER = "Contact COVID"
# django-otp's own throttle (a growing delay after a wrong code, during which even the right
# code is refused) is off: wrong codes count in the account's lockout instead, as passwords do.
OTP_TOTP_THROTTLE_FACTOR = 0
CODES_DE_SECOURS = 10
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "tracing:home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# Every rule here is in the checklist beside the field (accounts.validators.RULES). Not Django's
# similarity to the account's attributes: it refused « Olivier-2020! » for Dr Olivier with a
# message about a « nom d'utilisateur » nobody sees, compared with the e-mail being replaced;
# the CNIL's recommendation on passwords (délibération n° 2022-100) asks for length and
# character kinds with a limit on tries (our lockout), not for this rule.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.ComplexityValidator"},
]

# Account lockout: at the ACCOUNT_LOCKOUT_ATTEMPTS-th wrong password the account is blocked for
# ACCOUNT_LOCKOUT_MINUTES (a row in the database, shared by every app server).
ACCOUNT_LOCKOUT_ATTEMPTS = env.int("ACCOUNT_LOCKOUT_ATTEMPTS", default=3)
ACCOUNT_LOCKOUT_MINUTES = env.int("ACCOUNT_LOCKOUT_MINUTES", default=20)
# Retention (fiches.retention, every day): identity purged this many days after collection;
# security events keep their IP address this long.
RETENTION_DAYS = env.int("RETENTION_DAYS", default=90)
SECURITY_EVENT_IP_DAYS = env.int("SECURITY_EVENT_IP_DAYS", default=365)
# « Créer mon compte »: tries per hour, from one address and for one number (the answer tells
# whether a number is known).
ACCOUNT_CREATION_PER_IP = env.int("ACCOUNT_CREATION_PER_IP", default=20)
ACCOUNT_CREATION_PER_NUMBER = env.int("ACCOUNT_CREATION_PER_NUMBER", default=5)
# Reset and e-mail validation links: valid once, for this many seconds.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)

# Sessions live in the database, so every app server behind the load balancer shares them.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("SESSION_MAX_AGE", default=12 * 60 * 60)
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français"))]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
# Bootstrap is committed under static/vendor/, taken from the npm registry's tarball and checked
# against vendor.lock.json (scripts/vendor_static.py, tests/test_vendor.py).
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production serves hashed, compressed files collected into STATIC_ROOT (`make serve` runs
# collectstatic). Development and tests serve them straight from the folders above.
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=not DEBUG)
STATIC_ROOT = BASE_DIR / "staticfiles" if STATIC_MANIFEST else None
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = not STATIC_MANIFEST
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

# E-mails carry reset links and patients' forms: with DEBUG off they are never printed on the
# console (a server log). Without EMAIL_URL, the servers and the worker refuse to start and
# `check --deploy` says so (contactcovid.checks); the backend left refuses to send, so a mail
# enqueued anyway waits in the queue, never lands in a log.
EMAIL_URL = env.str("EMAIL_URL", default="consolemail://" if DEBUG else "")
if EMAIL_URL:
    vars().update(env.email_url_config(EMAIL_URL))
else:
    EMAIL_BACKEND = "contactcovid.checks.NoEmailUrlBackend"
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Contact COVID <ne-pas-repondre@contact-covid.fr>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Only workers talk to the SMTP server; even they never wait longer than this for an answer.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# HTTPS: on by default with DEBUG off. Behind a reverse proxy that terminates TLS, set
# SECURE_PROXY_SSL_HEADER=true so Django trusts its X-Forwarded-Proto header.
HTTPS = env.bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
# Load balancers probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if not HTTPS:
    # Authlib refuses OAuth 2.0 over plain HTTP unless told: only where the whole site is
    # (the demo, the tests' live server). With HTTPS on, its check stays.
    os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")
# How many reverse proxies (load balancers) stand in front of the app servers: the client's
# address is then read from X-Forwarded-For (contactcovid.middleware.ForwardedForMiddleware).
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Every CSS and JS file is ours: nothing inline, nothing from another origin.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name} {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Never log request bodies or SQL parameters: they carry health data and passwords.
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint (the postal letter) logs every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
CSRF_FAILURE_VIEW = "contactcovid.views.csrf_failure"

# Anti-scraping: how many patient lookups a biologist or pharmacist account may make a minute.
LOOKUP_THROTTLE_PER_MINUTE = env.int("LOOKUP_THROTTLE_PER_MINUTE", default=30)
LOOKUP_THROTTLE_PER_DAY = env.int("LOOKUP_THROTTLE_PER_DAY", default=300)
