"""Settings shared by every environment; dev, test and prod adjust them."""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    # Trigram lookups for "Meinten Sie …?"; harmless on SQLite, where nothing uses them.
    "django.contrib.postgres",
    "django_filters",
    "taggit",
    "simple_history",
    "import_export",
    "axes",
    # Only for its system check, which names CSP_* settings of django-csp 3 that 4 ignores.
    "csp",
    "portal",
    "counties",
    "programmes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before CommonMiddleware, whose DisallowedHost answer (the 400 page) gets the headers too.
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication, so that its 400 page shows a logged-in user as logged in.
    "portal.middleware.NulCharacterMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Counts failed logins and locks an account out after AXES_FAILURE_LIMIT attempts.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# The visitor's address, for the login lockout and the portal's hourly limits: behind a load
# balancer (TRUSTED_PROXY_COUNT proxies) it comes from X-Forwarded-For (portal.accounts).
TRUSTED_PROXY_COUNT = int(env_str("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "portal.accounts.client_ip"

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "admin:index"
LOGOUT_REDIRECT_URL = "portal:home"
# Staff sessions end after eight working hours or when the browser closes.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# Spreadsheets: importing needs the right to add programmes, exporting the right to view.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_USE_TRANSACTIONS = True
# The upload waits for its confirmation in the default storage (media folder or S3), not in
# the system temp folder; programmes.uploads caps it and removes it when done or expired.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "programmes.uploads.UploadStorage"
# Off on purpose: the library's setting only strips one leading "=" (so "==1+1" stays a
# formula), misses + - @ tab and CR, and turns every cell into text ("None", numbers).
# ProgrammeResource neutralises formulas itself (portal.formulas), with an apostrophe.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False

# Keeping content current: reminder after 12 months, public notice after 15.
CONFIRMATION_REMINDER_DAYS = 365
CONFIRMATION_STALE_DAYS = 456


ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.site",
                "programmes.merkliste.context",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=60,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # KERN UX comes from npm (package.json) and is served under /static/kern/.
    ("kern", BASE_DIR / "node_modules" / "@kern-ux" / "native" / "dist"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

# Serve static files straight from the finders until collectstatic has run (prod does).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

CSRF_FAILURE_VIEW = "portal.views.csrf_failure"

# Scripts, styles, fonts and requests only from the portal itself, nothing inline (the
# one page of django-import-export with inline code is replaced in templates/admin/; a
# test checks our templates). data: images: the favicon in base.html and the icons in
# KERN's stylesheet. A view may set its own policy (uploads are served with "sandbox");
# the middleware leaves that alone.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Nothing on the portal needs the camera, the location or any other device.
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    ]
}

# Public pages for anonymous visitors come from the cache (portal.cache); load tests switch
# it off to measure the pages themselves.
PUBLIC_PAGE_CACHE = env_bool("PUBLIC_PAGE_CACHE", True)

# The search splits German compounds with the noun lexicon of german-nouns; switched off only
# to measure what the splitting brings (manage.py evaluate_search).
SEARCH_SPLIT_COMPOUNDS = env_bool("SEARCH_SPLIT_COMPOUNDS", True)

# Redis when REDIS_URL is set (shared by every process and server); otherwise each process
# keeps its own. Either way portal.cache keys pages by the content version in the database,
# so no process ever serves an outdated page.
CACHES = {
    "default": (
        {
            "BACKEND": "portal.cache_backend.PooledRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "kfi",
        }
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "portal@landkreistag.de")

# Absolute links in e-mails (the review workflow and reminders).
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Public lists
PROGRAMMES_PER_PAGE = 20
COUNTIES_PER_PAGE = 50

# The operator named on the legal pages. A fresh install shows these; an
# operator sets its own through the environment.
PORTAL_OPERATOR = {
    "name": env_str("OPERATOR_NAME", "Deutscher Landkreistag"),
    "street": env_str("OPERATOR_STREET", "Ulrich-von-Hassell-Haus, Lennéstraße 11"),
    "city": env_str("OPERATOR_CITY", "10785 Berlin"),
    "email": env_str("OPERATOR_EMAIL", "info@landkreistag.de"),
    "representative": env_str(
        "OPERATOR_REPRESENTATIVE", "die Hauptgeschäftsführung des Deutschen Landkreistages"
    ),
    "content_responsible": env_str(
        "CONTENT_RESPONSIBLE", "die Redaktion „Kreise für Integration“, Anschrift wie oben"
    ),
    "privacy_officer": env_str(
        "PRIVACY_OFFICER",
        "die oder der Datenschutzbeauftragte des Deutschen Landkreistages, Anschrift wie oben",
    ),
    # Optional: the legal pages leave the line out while it is empty.
    "phone": os.environ.get("OPERATOR_PHONE", ""),
    "accessibility_email": env_str("ACCESSIBILITY_EMAIL", "info@landkreistag.de"),
    "privacy_email": env_str("PRIVACY_EMAIL", "info@landkreistag.de"),
}
