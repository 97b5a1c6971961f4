"""Settings for Kayse, read from the environment in this one place.

Every setting has a safe default for a laptop (SQLite + filesystem broker under
``var/``); production overrides them with environment variables documented in the
README.
"""

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from kombu import Queue

from kayse.env import env_bool, env_duration, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KAYSE_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use SECRET_KEY from the environment, else one generated once and kept in var/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
FIRM_NAME = os.environ.get("FIRM_NAME", "Kayse Law Group")
FIRM_PHONE = os.environ.get("FIRM_PHONE", "+1 555 010 0100")
FIRM_EMAIL = os.environ.get("FIRM_EMAIL", "office@example.com")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_htmx",
    "import_export",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "activity",
    "firm",
    "security",
    "contacts",
    "cases",
    "documents",
    "portal",
    "backups",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check, which reads the whole body: a body larger than any upload is refused unread.
    "kayse.middleware.RequestSizeMiddleware",
    # A query cancelled at DB_STATEMENT_TIMEOUT gets a page that says so.
    "kayse.middleware.StatementTimeoutMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "security.middleware.CurrentRequestMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "security.middleware.StaffSessionMiddleware",
    "security.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kayse.middleware.SecurityHeadersMiddleware",
    "security.middleware.NoStoreMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kayse.urls"
WSGI_APPLICATION = "kayse.wsgi.application"
ASGI_APPLICATION = "kayse.asgi.application"

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
                "firm.context_processors.firm",
            ],
        },
    },
]

# Database: DATABASE_URL, else SQLite in var/ with WAL so the web server and the
# Celery worker can read while the other writes.
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'kayse.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
# Some indexes carry extra columns for PostgreSQL's index-only scans (INCLUDE); SQLite builds
# them without those columns, which Django warns about on every command.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
# Which kind of process this is: kayse/wsgi.py and asgi.py say "web"; Celery workers, beat and
# management commands are "background". Only the database's statement timeout depends on it.
KAYSE_PROCESS = os.environ.get("KAYSE_PROCESS", "background")
# PostgreSQL: persistent connections, one per gunicorn sync worker or Celery child (no pool:
# a sync process runs one query at a time; docs/decisions.md), checked before reuse so a
# restarted server costs one failed check, not a failed request.
DB_CONN_MAX_AGE = env_duration("DB_CONN_MAX_AGE", timedelta(seconds=60))
# A web request's statement is cancelled after DB_STATEMENT_TIMEOUT (the visitor gets a "took too
# long" page); workers and commands (full scans, imports, exports, migrations) get the longer
# DB_BACKGROUND_STATEMENT_TIMEOUT. 0 switches either off.
DB_STATEMENT_TIMEOUT = env_duration("DB_STATEMENT_TIMEOUT", timedelta(seconds=30))
DB_BACKGROUND_STATEMENT_TIMEOUT = env_duration("DB_BACKGROUND_STATEMENT_TIMEOUT", timedelta(hours=1))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = int(DB_CONN_MAX_AGE.total_seconds())
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    _timeout = DB_STATEMENT_TIMEOUT if KAYSE_PROCESS == "web" else DB_BACKGROUND_STATEMENT_TIMEOUT
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    # Added to any libpq options DATABASE_URL carries (?options=-c%20search_path%3D…).
    _timeout_ms = int(_timeout.total_seconds() * 1000)
    _options["options"] = f"{_options.get('options', '')} -c statement_timeout={_timeout_ms}".strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA busy_timeout=10000; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    # A file (not :memory:) so a real Celery worker process can share the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test_kayse.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "contacts:list"
LOGOUT_REDIRECT_URL = "login"
# django-axes checks every sign-in first (it refuses locked-out accounts and addresses); then
# Django's model backend, its permissions read in one statement (security/backends.py).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "security.backends.PermissionBackend"]

# Sign-in throttling (django-axes): SIGNIN_FAILURE_LIMIT wrong passwords for one account, or
# from one address, lock it for SIGNIN_LOCKOUT, even against the right password. An admin
# lifts a lockout in the admin (Axes > Access attempts) or with `manage.py axes_reset_username`.
SIGNIN_FAILURE_LIMIT = env_int("SIGNIN_FAILURE_LIMIT", 10, minimum=1)
SIGNIN_LOCKOUT = env_duration("SIGNIN_LOCKOUT", timedelta(minutes=30))
AXES_FAILURE_LIMIT = SIGNIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = SIGNIN_LOCKOUT
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks
AXES_CLIENT_IP_CALLABLE = "kayse.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "security.views.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# A success does not wipe the count: with the address as a lock, one good sign-in from an
# address would otherwise reset the guesses made from it at every other account.
AXES_RESET_ON_SUCCESS = False
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are in the security log (security app)
AXES_VERBOSE = False

# Two-factor sign-in (django-otp: authenticator apps + recovery codes). Admins (the "Admin"
# group and superusers) must verify a second factor once per session when
# REQUIRE_2FA_FOR_ADMINS is on (the default unless DEBUG); everyone with REQUIRE_2FA_FOR_STAFF.
# Anyone who has set one up is always asked for it.
REQUIRE_2FA_FOR_ADMINS = env_bool("REQUIRE_2FA_FOR_ADMINS", not DEBUG)
REQUIRE_2FA_FOR_STAFF = env_bool("REQUIRE_2FA_FOR_STAFF", False)
OTP_TOTP_ISSUER = FIRM_NAME

# Staff sessions end after STAFF_SESSION_IDLE without a request, and STAFF_SESSION_MAX_AGE
# after signing in (security.middleware). The portal's sessions are its own (PORTAL_SESSION_*).
STAFF_SESSION_IDLE = env_duration("STAFF_SESSION_IDLE", timedelta(minutes=30))
STAFF_SESSION_MAX_AGE = env_duration("STAFF_SESSION_MAX_AGE", timedelta(hours=12))
SESSION_COOKIE_AGE = int(STAFF_SESSION_MAX_AGE.total_seconds())

LANGUAGE_CODE = "en-us"
LANGUAGES = [("en", "English"), ("es", "Spanish")]
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
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
# Private files (documents, bundles, imports) live here, never under a public URL.
PRIVATE_STORAGE_ROOT = Path(os.environ.get("PRIVATE_STORAGE_ROOT", VAR_DIR / "private"))
# Or an S3-compatible bucket (django-storages); credentials from the usual AWS_* variables.
PRIVATE_STORAGE_S3_BUCKET = os.environ.get("PRIVATE_STORAGE_S3_BUCKET", "")
PRIVATE_STORAGE_S3_ENDPOINT_URL = os.environ.get("PRIVATE_STORAGE_S3_ENDPOINT_URL", "")
PRIVATE_STORAGE_S3_REGION = os.environ.get("PRIVATE_STORAGE_S3_REGION", "")
PRIVATE_STORAGE_S3_PREFIX = os.environ.get("PRIVATE_STORAGE_S3_PREFIX", "")
# Nothing is stored through MEDIA_*: private files use documents.storage.PrivateStorage.
MEDIA_ROOT = VAR_DIR / "media-unused"
MEDIA_URL = "/media-unused/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DOCUMENT_MAX_BYTES = int(os.environ.get("DOCUMENT_MAX_BYTES", 50 * 1024 * 1024))
# One upload request may carry several files; this caps their total.
DOCUMENT_MAX_REQUEST_BYTES = int(os.environ.get("DOCUMENT_MAX_REQUEST_BYTES", 200 * 1024 * 1024))
# Virus scanning of uploads through clamd: "unix:/run/clamav/clamd.ctl" or "tcp:host:3310"; off when empty.
CLAMD_ADDRESS = os.environ.get("CLAMD_ADDRESS", "")
DOWNLOAD_BUNDLE_TTL = env_duration("DOWNLOAD_BUNDLE_TTL", timedelta(hours=24))
# A Download All still unfinished this long after it was asked for is given up (its worker is gone).
DOWNLOAD_BUNDLE_BUILD_TIMEOUT = env_duration("DOWNLOAD_BUNDLE_BUILD_TIMEOUT", timedelta(minutes=30))

# Contacts
DEFAULT_PHONE_REGION = os.environ.get("DEFAULT_PHONE_REGION", "US")
PORTAL_LINK_TTL = env_duration("PORTAL_LINK_TTL", timedelta(days=7))
# The firm's calling hours in each contact's own time zone (a contact's window can only narrow
# them), and stricter ones by US state, as JSON: {"TX": ["09:00", "21:00"]}.
CALLING_HOURS_START = os.environ.get("CALLING_HOURS_START", "08:00")
CALLING_HOURS_END = os.environ.get("CALLING_HOURS_END", "21:00")
CALLING_WINDOW_BY_STATE = json.loads(os.environ.get("CALLING_WINDOW_BY_STATE") or "{}")
PORTAL_SESSION_IDLE = env_duration("PORTAL_SESSION_IDLE", timedelta(minutes=30))
# The address contacts open portal links at (links are sent from Celery, without a request).
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://localhost:8000").rstrip("/")
PORTAL_SESSION_COOKIE = "kayse_portal"
# The text of a link's SMS or email by the contact's language; {first_name}, {firm}, {link} are filled in.
PORTAL_MESSAGE_EN = os.environ.get(
    "PORTAL_MESSAGE_EN", "Hi {first_name}, {firm} shared a secure link for your case: {link}"
)
PORTAL_MESSAGE_ES = os.environ.get(
    "PORTAL_MESSAGE_ES", "Hola {first_name}, {firm} le envió un enlace seguro sobre su caso: {link}"
)
# Duplicate detection (contacts/dedupe/): a pair's score is its match probability in percent.
# Pairs scoring at least DUPLICATE_MIN_SCORE go to the queue; the import treats a fuzzy match
# scoring at least DUPLICATE_AUTO_MATCH_SCORE as the same contact. DUPLICATE_RULES lists the
# rules whose agreement counts (phone,email,name,fuzzy); evidence against always counts.
DUPLICATE_MIN_SCORE = int(os.environ.get("DUPLICATE_MIN_SCORE", 50))
DUPLICATE_AUTO_MATCH_SCORE = int(os.environ.get("DUPLICATE_AUTO_MATCH_SCORE", 95))
DUPLICATE_RULES = env_list("DUPLICATE_RULES", "phone,email,name,fuzzy")
DUPLICATE_AUTO_REFRESH = env_bool("DUPLICATE_AUTO_REFRESH", True)

# Celery: filesystem broker and file result backend under var/ by default (no server),
# Redis (or any kombu URL) when CELERY_BROKER_URL is set.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_RESULT_BACKEND = os.environ.get(
    "CELERY_RESULT_BACKEND",
    f"file://{VAR_DIR / 'celery' / 'results'}" if CELERY_BROKER_URL.startswith("filesystem") else CELERY_BROKER_URL,
)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": 3600}
)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Two queues: "celery" for work someone is waiting on within seconds (portal links, webhooks,
# staff notifications, a contact's duplicate refresh) and "bulk" for work that runs for minutes
# (imports, exports, Download All, duplicate scans and training, the DNC registry). A worker
# started without -Q consumes both (one host); at scale, dedicated workers per queue
# (`-Q celery` and `-Q bulk`) keep a 100k import from delaying a portal link (docs/scaling.md).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = (Queue("celery"), Queue("bulk"))
BULK_TASKS = (
    "activity.import_dnc_registry",
    "contacts.preview_import",
    "contacts.run_import",
    "contacts.export_contacts",
    "contacts.scan_duplicates",
    "contacts.scheduled_duplicate_scan",
    "contacts.train_duplicate_model",
    "documents.build_bundle",
)
CELERY_TASK_ROUTES = {name: {"queue": "bulk"} for name in BULK_TASKS}
CELERY_BEAT_SCHEDULE = {
    "api-deliver-due-webhooks": {"task": "api.deliver_due_webhooks", "schedule": 300.0},
    "documents-delete-expired-bundles": {"task": "documents.delete_expired_bundles", "schedule": 3600.0},
    "contacts-duplicate-scan": {"task": "contacts.scheduled_duplicate_scan", "schedule": 86400.0},
    "contacts-train-duplicate-model": {"task": "contacts.train_duplicate_model", "schedule": 7 * 86400.0},
    "contacts-purge-import-files": {"task": "contacts.purge_import_files", "schedule": 86400.0},
}

# Email and SMS: files under var/outbox by default, so a local try-out can read them.
OUTBOX_DIR = VAR_DIR / "outbox"
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = str(OUTBOX_DIR / "email")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", FIRM_EMAIL)
SMS_BACKEND = os.environ.get("SMS_BACKEND", "portal.sms.FileBackend")
SMS_FILE_PATH = str(OUTBOX_DIR / "sms")
# portal.sms.TwilioBackend: TWILIO_FROM is a sending number (E.164) or a Messaging Service SID.
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM = os.environ.get("TWILIO_FROM", "")
TWILIO_API_URL = os.environ.get("TWILIO_API_URL", "https://api.twilio.com").rstrip("/")

# Security: secure by default; plain HTTP only when DEBUG is on (local development).
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
# How many reverse proxies in front of the app append to X-Forwarded-For: the client's address
# is the Nth from the right (kayse/client_ip.py). 0: no proxy, the header is ignored.
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 0, minimum=0)
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)
# No page uses the camera, microphone, location, payment or devices. The portal's uploads are
# plain file inputs (a phone offers its camera app through them), which need no permission.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in [
        "accelerometer",
        "autoplay",
        "bluetooth",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ]
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["CACHE_URL"]}
        if os.environ.get("CACHE_URL", "").startswith("redis")
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    )
}

IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# Exporting contacts is for Admins; true also lets the Staff role export (applied by `migrate`).
STAFF_MAY_EXPORT = env_bool("STAFF_MAY_EXPORT", False)
# Import (contacts/importing/): the largest file the wizard accepts, and rows per atomic chunk.
IMPORT_MAX_UPLOAD_BYTES = int(os.environ.get("IMPORT_MAX_UPLOAD_BYTES", 100 * 1024 * 1024))
IMPORT_CHUNK_SIZE = int(os.environ.get("IMPORT_CHUNK_SIZE", 2000))


# REST API (api/): bearer tokens only (no session, so no CSRF), JSON errors, cursor pages.
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "600/min")
API_TOKEN_TTL = env_duration("API_TOKEN_TTL", timedelta(days=365))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": API_RATE_LIMIT},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kayse API",
    "DESCRIPTION": "Contacts, duplicates and merges, imports, activity, cases and portal links. "
    "Authenticate with `Authorization: Bearer <token>` (tokens are made by an Admin).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Swagger UI / Redoc from the app itself (drf-spectacular-sidecar), never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": ["api.schema.add_error_responses"],
    "ENUM_NAME_OVERRIDES": {
        "ChannelKindEnum": "contacts.models.ChannelKind",
        "ContactKindEnum": "contacts.models.ContactKind",
    },
}
# Webhooks: deliveries to private or loopback addresses are refused unless this is on.
WEBHOOK_ALLOW_PRIVATE_URLS = env_bool("WEBHOOK_ALLOW_PRIVATE_URLS", False)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8, minimum=1)
