"""Majlis settings: one module, driven by the environment (README lists every variable).

With nothing set this is the embedded default: SQLite under the project, the in-memory
channel layer, a development secret kept in a git-ignored file. `MAJLIS_ENV=production`
turns on every transport protection and refuses to start without `SECRET_KEY` and
`ALLOWED_HOSTS`.
"""

import hashlib
import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
MAJLIS_ENV = os.environ.get("MAJLIS_ENV", "development")
PRODUCTION = MAJLIS_ENV == "production"


def _env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def _development_secret_key() -> str:
    # Made once and kept beside the code, so every process of one checkout (daphne,
    # manage.py, several workers) signs sessions with the same key.
    path = BASE_DIR / ".secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


if PRODUCTION:
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS")
    if not SECRET_KEY or not ALLOWED_HOSTS:
        raise ImproperlyConfigured("MAJLIS_ENV=production requires SECRET_KEY and ALLOWED_HOSTS.")
else:
    SECRET_KEY = os.environ.get("SECRET_KEY") or _development_secret_key()
    ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS") or ["localhost", "127.0.0.1", "[::1]"]
if "*" in ALLOWED_HOSTS:
    # The socket Origin check relies on a closed list of hosts.
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the hosts; '*' is refused.")

DEBUG = not PRODUCTION and os.environ.get("DJANGO_DEBUG") == "1"

INSTALLED_APPS = [
    "daphne",
    "forum.admin_app.MajlisAdminConfig",  # Django's admin, behind a second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",
    "forum",
    "realtime",
    "search",
    "attachments",
]

MIDDLEWARE = [
    "forum.middleware.PermissionsPolicyMiddleware",  # first: wraps whitenoise and redirects too
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed (static files come pre-compressed from whitenoise, above it). Django's
    # GZipMiddleware pads each response with random bytes (since 4.2), against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "forum.second_factor.SecondFactorMiddleware",  # moderation powers need a second factor
    "forum.middleware.SessionSeenMiddleware",  # a session's last-seen hour and idle expiry
    "forum.middleware.QuickExitMiddleware",  # pages kept out of the cache; after a quick exit, none shown
    "forum.middleware.GrantCacheMiddleware",  # each place's grants read once per request
    "forum.middleware.ProfileLanguageMiddleware",
    "forum.middleware.ProfileTimeZoneMiddleware",  # times in the member's zone, else Yemen's
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "forum.http_errors.DomainErrorMiddleware",  # the one place pages translate domain errors
    # Last, as axes requires, so it sees the outcome of the login view.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

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
                "forum.context_processors.unread_notifications",
                "forum.context_processors.quick_exit",
            ],
        },
    },
]

# Connections persist: every socket frame runs in the database thread, and opening a
# connection per frame (Django's default) costs more than the frame's queries.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "600")), conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The default random_page_cost (4) prices a page read as a disk seek. A forum's rows
    # are in memory or on SSD, and at 4 the planner walks a common table in key order
    # rather than fetch a word's few hundred rows through the full-text index: a search's
    # p95 fell from 70 to 48 ms at 1.1, the usual figure for SSDs (bench/search.py).
    # Added to what DATABASE_URL's own `options` say. Behind PgBouncer, which refuses
    # startup options, `ALTER DATABASE … SET random_page_cost = 1.1` does the same (README).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = " ".join(filter(None, [_options.get("options", ""), "-c random_page_cost=1.1"]))
SQLITE_MMAP_BYTES = 2_147_418_112  # SQLite's own ceiling for it (SQLITE_MAX_MMAP_SIZE)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock when a transaction opens, so the room counters
        # advance in commit order and concurrent writers wait instead of failing.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # secure_delete zeroes what a delete or an update frees, so a deleted message's
        # text leaves the file once the WAL is checkpointed (forum/erasure.py).
        # mmap_size lets SQLite read the file through the kernel's page cache (up to 2 GB of
        # it) instead of copying each page into its own 2 MB cache: a search reads pages
        # all over the full-text index, and this halved its p95 (bench/search.py).
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON; "
            f"PRAGMA mmap_size={SQLITE_MMAP_BYTES};"
        ),
    }
    # The locked pysqlite3-binary (Linux on x86_64) brings SQLite 3.51 where Debian has
    # 3.40: its FTS5 `secure-delete` takes a deleted text's words out of the search index
    # at once (search/index.py). Swapped in before Django's SQLite backend is first imported.
    try:
        import pysqlite3
        import pysqlite3.dbapi2
    except ImportError:
        pass
    else:
        sys.modules["sqlite3"], sys.modules["sqlite3.dbapi2"] = pysqlite3, pysqlite3.dbapi2

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # A socket's channel is read by a BZPOPMIN that Redis holds for up to 5 s
                # (channels-redis' `brpop_timeout`). redis-py 8 gives every connection a
                # 5 s read timeout by default (None before), which then cuts the idle
                # read first and closes the socket with 1011. A read timeout above the
                # blocking one lets the wait end as Redis decides, and still notices a
                # Redis that stopped answering.
                "hosts": [{"address": REDIS_URL, "socket_timeout": 15}],
                # Redis never holds readable messages: the key is derived from ours.
                "symmetric_encryption_keys": [
                    hashlib.sha256(b"majlis-channel-layer:" + SECRET_KEY.encode()).hexdigest()
                ],
                "capacity": 1500,
                "expiry": 30,
            },
        }
    }
else:
    # Channels' in-memory layer, made cheap to fan out (realtime/layers.py says why).
    CHANNEL_LAYERS = {"default": {"BACKEND": "realtime.layers.FanoutInMemoryChannelLayer"}}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions: HttpOnly, SameSite=Lax, revocable (database-backed).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A session lives this long unused (forum/services/member_sessions.py: saved once an hour
# while in use, and Django's expiry counts from the last save).
SESSION_COOKIE_AGE = 60 * 60 * 24 * int(os.environ.get("MAJLIS_SESSION_IDLE_DAYS", "14"))
# How many open (unused, unexpired) invitations an organisation's lead may hold at once.
MAJLIS_OPEN_INVITATIONS_PER_LEAD = int(os.environ.get("MAJLIS_OPEN_INVITATIONS_PER_LEAD", "10"))
# Quick exit (issue 13, item 3): where it lands, and for how long afterwards this browser
# is sent there from any Majlis page, so that Back shows nothing of Majlis.
MAJLIS_QUICK_EXIT_URL = os.environ.get("MAJLIS_QUICK_EXIT_URL", "/weather/")
MAJLIS_QUICK_EXIT_HIDE_SECONDS = int(os.environ.get("MAJLIS_QUICK_EXIT_HIDE_SECONDS", "300"))

# django-axes: lock an account name (never an address) for a cool-off time.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_CLIENT_IP_CALLABLE = "forum.accounts.no_client_address"
AXES_LOCKOUT_CALLABLE = "forum.views.accounts.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
# How long axes' records of login attempts are kept: `manage.py purge_expired` deletes
# older ones (forum/services/security_data.py).
MAJLIS_SECURITY_DATA_HOURS = 24

# Second factors (forum/services/factors.py, forum/security_keys.py). The TOTP entry in a
# member's app carries no issuer unless one is set: an app on a seized phone that lists
# "Majlis" names what its owner belongs to.
OTP_TOTP_ISSUER = os.environ.get("MAJLIS_TOTP_ISSUER", "")
OTP_WEBAUTHN_RP_NAME = os.environ.get("MAJLIS_WEBAUTHN_NAME", "Majlis")
OTP_WEBAUTHN_RP_ID_CALLABLE = "forum.security_keys.relying_party_id"
OTP_WEBAUTHN_HELPER_CLASS = "forum.security_keys.SecurityKeyHelper"
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
# Read by the package's start-up check only; the helper accepts this request's own origin.
OTP_WEBAUTHN_ALLOWED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS] + ["http://localhost"]

# django-guardian: no anonymous user row; object grants only.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# Content-Security-Policy: our own origin only, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Browser features Majlis never uses are off on every response (forum/middleware.py): an
# empty list allows a feature to nobody, ["self"] to our own origin only. Security keys
# (WebAuthn) are a second factor on our own origin. A feature an issue needs is opened
# there, exactly. A browser skips the names it does not know, with a console line
# (Debian's Chromium: ambient-light-sensor, attribution-reporting, bluetooth); others know them.
MAJLIS_PERMISSIONS_POLICY = {
    **{feature: [] for feature in (
        "accelerometer", "ambient-light-sensor", "attribution-reporting", "autoplay", "bluetooth",
        "browsing-topics", "camera", "clipboard-read", "clipboard-write", "compute-pressure",
        "display-capture", "encrypted-media", "fullscreen", "gamepad", "geolocation", "gyroscope", "hid",
        "identity-credentials-get", "idle-detection", "interest-cohort", "local-fonts", "magnetometer",
        "microphone", "midi", "otp-credentials", "payment", "picture-in-picture", "screen-wake-lock",
        "serial", "speaker-selection", "usb", "window-management", "xr-spatial-tracking",
    )},
    "publickey-credentials-create": ["self"],
    "publickey-credentials-get": ["self"],
}

if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
    # The TLS proxy's word on the scheme, for pages (Django) and sockets (realtime/origin.py).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS]

LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", _("Arabic")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "majlis_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
USE_I18N = True
# The server's own zone: records, date lookups, logs. Pages show times in the member's zone,
# Yemen's by default (forum.middleware.ProfileTimeZoneMiddleware, forum/times.py).
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles" if PRODUCTION else None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "config.storage.StaticStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Outside production the app serves static files straight from the source folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Attachments (attachments/): cleaned files under their own root, outside the static files,
# never served from it directly: the app checks who asks first (attachments/views.py).
MAJLIS_MEDIA_ROOT = Path(os.environ.get("MAJLIS_MEDIA_ROOT") or BASE_DIR / "media")
# In production the proxy sends the files: the app answers with `X-Accel-Redirect` to this
# internal location (README, "Attachments behind nginx"); empty: the app sends them itself.
MAJLIS_FILES_ACCEL_REDIRECT = os.environ.get(
    "MAJLIS_FILES_ACCEL_REDIRECT", "/protected-files/" if PRODUCTION else ""
)
_MB = 1024 * 1024
# Per file, by family (what the member sends, before cleaning).
MAJLIS_ATTACHMENT_MAX_BYTES = {
    "image": int(os.environ.get("MAJLIS_ATTACHMENT_IMAGE_MB", "10")) * _MB,
    "pdf": int(os.environ.get("MAJLIS_ATTACHMENT_PDF_MB", "25")) * _MB,
    "audio": int(os.environ.get("MAJLIS_ATTACHMENT_AUDIO_MB", "25")) * _MB,
}
MAJLIS_ATTACHMENTS_PER_MESSAGE = int(os.environ.get("MAJLIS_ATTACHMENTS_PER_MESSAGE", "10"))
# What one member may send in a day (UTC), all files together.
MAJLIS_ATTACHMENT_DAILY_BYTES = int(os.environ.get("MAJLIS_ATTACHMENT_DAILY_MB", "200")) * _MB
# Pictures with more pixels are refused before they are decoded (decompression bombs):
# Pillow's own MAX_IMAGE_PIXELS, about 89 megapixels.
MAJLIS_ATTACHMENT_MAX_PIXELS = int(os.environ.get("MAJLIS_ATTACHMENT_MAX_PIXELS", str(89_478_485)))
# A room file uploaded but never sent is purged by purge_expired after this long.
MAJLIS_ATTACHMENT_WAITING_HOURS = 24
# The evidence locker (attachments/evidence/): originals kept where a place allows it,
# encrypted with this key (32 random bytes, base64; separate from SECRET_KEY, so that a
# leaked signing key reads no original). Unset: no place offers to keep originals. A
# malformed key stops the server at its start-up checks (attachments/evidence/crypto.py).
MAJLIS_EVIDENCE_KEY = os.environ.get("MAJLIS_EVIDENCE_KEY", "")
# Where the encrypted originals are stored: their own root, beside the attachments' and
# never inside it (the proxy serves that one; nothing serves this one).
MAJLIS_EVIDENCE_ROOT = Path(os.environ.get("MAJLIS_EVIDENCE_ROOT") or BASE_DIR / "evidence")
# A member's data export includes their files up to this many megabytes in all (listed beyond).
MAJLIS_EXPORT_FILES_BYTES = int(os.environ.get("MAJLIS_EXPORT_FILES_MB", "50")) * _MB

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "majlis@localhost")

# No request metadata (addresses, headers) ever leaves through logs or mail.
ADMINS = []
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # daphne's warning about a socket slow to shut down prints the connection's repr,
        # which holds the client's address (behind --proxy-headers, the member's own).
        "daphne.server": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}

MAJLIS_INVITATION_DAYS = 7

# Live sockets (realtime/sockets/), every setting in one place:
# every socket re-checks its session and grants at least this often (with jitter);
MAJLIS_SOCKET_RECHECK_SECONDS = 30
# a socket whose client leaves this many bytes unread is closed with 4408 (too slow); it
# reconnects and catches up by `rev` (realtime/sockets/backpressure.py);
MAJLIS_SOCKET_OUTPUT_LIMIT = int(os.environ.get("MAJLIS_SOCKET_OUTPUT_LIMIT", str(4 * 1024 * 1024)))
# each process reads the standing log this often (realtime/sockets/standing.py): a grant,
# ban or account change made anywhere reaches every open socket within a second;
MAJLIS_STANDING_POLL_SECONDS = 0.5
# a socket still waiting this long to be opened has been dropped by daphne (its
# --websocket_connect_timeout, 5 s): it is given up before any database work is spent on it;
MAJLIS_SOCKET_OPEN_BUDGET = 4.5
# a room hears who came and went at most this often per process (realtime/sockets/presence.py);
MAJLIS_PRESENCE_SECONDS = 1.0
# flood control (forum/pace.py): a member writes at most `count` of each kind in `seconds`;
MAJLIS_PACE = {
    "room_message": (5, 5),
    "reply": (5, 5),
    "thread": (3, 60),
    "report": (10, 600),
    "reset_request": (3, 60 * 60),  # per e-mail address, known or not
}
# typing is passed on at most once per this many seconds.
MAJLIS_TYPING_INTERVAL = 3

# axes.W006 asks us to lock by client address too. We lock by account name on purpose:
# Majlis never stores a client address (threat model), and lockouts are never permanent.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
WHITENOISE_ALLOW_ALL_ORIGINS = False
