"""Settings read from the environment, with safe development defaults (see README)."""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG", True)
# Django's debug pages (404 with the routes, 500 with the traceback) instead of the
# DSFR error pages: developers only; the demo shows the DSFR pages (common.views).
DEBUG_PAGES = DEBUG and env_bool("DJANGO_DEBUG_PAGES", False)
DEV_SECRET_KEY = "dev-insecure-key-only-for-local-runs-0123456789abcdefghijklmnopqrstuvwxyz"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or (DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("DJANGO_SECRET_KEY doit être défini quand DJANGO_DEBUG=0.")
if not DEBUG and (
    len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or SECRET_KEY.startswith("django-insecure")
    or SECRET_KEY == DEV_SECRET_KEY
):
    # What Django's check --deploy only warns about (security.W009) is refused here: a
    # weak key lets anyone forge sessions and password-reset or invitation links.
    raise RuntimeError(
        "DJANGO_SECRET_KEY est trop faible pour la production (DJANGO_DEBUG=0) : il faut au "
        "moins 50 caractères aléatoires et variés, par exemple ceux de "
        "« python -c 'import secrets; print(secrets.token_urlsafe(60))' »."
    )
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get(
        "DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver"
    ).split(",")
    if host.strip()
]
CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "widget_tweaks",
    "dsfr",
    "crispy_forms",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_tasks_db",
    # Triggers the database enforces on PostgreSQL (common.triggers, ADR 0025).
    "pgtrigger",
    "common",
    "accounts",
    "campaign",
    "dossiers",
    "scoring",
    "budget",
    "outputs",
    "followup",
    "setup",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files (/static/), before anything that needs a session or a database.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Domain errors leaving a page become its 404/403/409/400 page (common.views).
    "common.views.DomainErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "common.context_processors.site",
                "campaign.context_processors.agency",
                "accounts.context_processors.roles",
                "accounts.context_processors.proconnect",
            ],
        },
    },
]

# Django's renderer, the common widgets rendered in Python (same markup, much faster).
FORM_RENDERER = "common.form_renderer.FastWidgetRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Waiting on the write lock beats failing with "database is locked" under
    # the worker and the web process writing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
    (BASE_DIR / "var").mkdir(exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    # Django's ModelBackend with a brute-force throttle (accounts.throttle).
    "accounts.backends.ThrottledModelBackend",
    # ProConnect (OpenID Connect): does nothing unless the OIDC_* settings below are set.
    "campaign.proconnect.ProConnectBackend",
]
# Behind a trusted reverse proxy that sets it (e.g. HTTP_X_REAL_IP): the META key holding
# the client's address, for the login throttle. Empty: REMOTE_ADDR.
CLIENT_IP_HEADER = os.environ.get("DJANGO_CLIENT_IP_HEADER", "")
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files and generated outputs live outside the static tree and are never
# served by URL: only permission-checked views stream them (locally in MEDIA_ROOT, or in
# an S3 bucket: default_storage_settings below).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = None


def default_storage_settings(environ):
    """STORAGES["default"]: S3-compatible object storage (django-storages) when a bucket
    is named, so that several application machines and workers share the files;
    otherwise the MEDIA_ROOT folder."""
    bucket = environ.get("AWS_STORAGE_BUCKET_NAME", "")
    endpoint = environ.get("S3_ENDPOINT_URL", "")
    if not (bucket or endpoint):
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if not bucket:
        raise RuntimeError("S3_ENDPOINT_URL est défini : AWS_STORAGE_BUCKET_NAME aussi.")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            # Empty: AWS itself (the region's endpoint).
            "endpoint_url": endpoint or None,
            "region_name": environ.get("AWS_S3_REGION_NAME") or None,
            # Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, read by boto3 itself
            # (or an instance role), never copied into the settings.
            "location": environ.get("AWS_LOCATION", ""),
            # Private objects: files are only ever streamed by permission-checked views.
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            "addressing_style": environ.get("AWS_S3_ADDRESSING_STYLE") or None,
        },
    }


STORAGES = {
    "default": default_storage_settings(os.environ),
    # Production: hashed names and pre-compressed copies, served by WhiteNoise's
    # middleware (MIDDLEWARE above): no separate web server is needed for them.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Development: WhiteNoise finds the files where they are and follows changes;
# production: it indexes STATIC_ROOT (collectstatic) once, at start.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
# The largest file any form accepts: past it an upload is no longer written to disk
# (common.uploads, ADR 0026); each form then applies its own limit.
FILE_UPLOAD_MAX_BYTES = ATTACHMENT_MAX_BYTES
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "common.uploads.CappedTemporaryFileUploadHandler",
]
# The identity form posts 6 fields per member structure, and a dossier may list 200 of
# them (common.limits.MAX_MEMBERS): Django's default of 1,000 fields would refuse it.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

CRISPY_ALLOWED_TEMPLATE_PACKS = ["dsfr_pack"]
CRISPY_TEMPLATE_PACK = "dsfr_pack"

# Generated files (exports, ZIPs of letters) are deleted after this many days, and the
# jobs' upkeep runs this often (outputs.domain.maintenance, ADR 0027).
OUTPUT_RETENTION_DAYS = int(os.environ.get("OUTPUT_RETENTION_DAYS", "7"))
OUTPUT_MAINTENANCE_EVERY_MINUTES = int(os.environ.get("OUTPUT_MAINTENANCE_EVERY_MINUTES", "15"))

TASKS = {
    "default": {
        "BACKEND": os.environ.get("DJANGO_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
    }
}


def email_settings(url):
    """Turn EMAIL_URL (smtp://user:pass@host:587?tls=1, console://, locmem://) into settings."""
    parsed = urlparse(url)
    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
        "submission": "django.core.mail.backends.smtp.EmailBackend",
    }
    if parsed.scheme not in backends:
        raise RuntimeError(f"EMAIL_URL: schéma inconnu « {parsed.scheme} ».")
    query = parse_qs(parsed.query)
    result = {"EMAIL_BACKEND": backends[parsed.scheme]}
    if parsed.scheme.startswith("smtp") or parsed.scheme == "submission":
        result.update(
            EMAIL_HOST=parsed.hostname or "localhost",
            EMAIL_PORT=parsed.port or (465 if parsed.scheme == "smtps" else 587),
            EMAIL_HOST_USER=unquote(parsed.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parsed.password or ""),
            EMAIL_USE_SSL=parsed.scheme == "smtps",
            EMAIL_USE_TLS=parsed.scheme != "smtps"
            and query.get("tls", ["1"])[0] not in {"0", "false"},
        )
    return result


if os.environ.get("EMAIL_URL"):
    globals().update(email_settings(os.environ["EMAIL_URL"]))
else:
    EMAIL_BACKEND = os.environ.get(
        "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
    )
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Appel à candidatures filières <ne-pas-repondre@ars.sante.fr>"
)
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# ProConnect sign-in (OpenID Connect, accounts.proconnect, docs/decisions/0041): on when the
# client and the provider's endpoints are given. ProConnect's addresses come from its
# discovery document (https://<domaine>/api/v2/.well-known/openid-configuration).
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_OP_LOGOUT_ENDPOINT = os.environ.get("OIDC_OP_LOGOUT_ENDPOINT", "")
OIDC_OP_ISSUER = os.environ.get("OIDC_OP_ISSUER", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email given_name usual_name")
OIDC_TIMEOUT = 10
OIDC_STORE_ID_TOKEN = True  # the provider's logout needs it
OIDC_CREATE_USER = False  # nobody gets an account by signing in
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:proconnect_callback"
LOGIN_REDIRECT_URL_FAILURE = "accounts:proconnect_refused"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Load balancers probe the application over plain HTTP (when the redirect is on).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
