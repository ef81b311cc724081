"""Configuration classes, read from environment variables.

Every variable is listed in README.md. `create_app()` takes one of the names in
`CONFIGS` (or a class) and calls `validate()` on it, so production refuses to start
when a secret or a server address is missing.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    return int(value) if value is not None else default


TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")
# Every variable read by _env_bool, checked again by check_environment() when an app is made.
BOOLEAN_VARIABLES: set[str] = set()


def _env_bool(name: str, default: bool) -> bool:
    """The variable as a boolean. A word that is neither true nor false gives the default
    here, and check_environment() refuses it when the app is made: a typo ("ture") must
    not quietly turn a safety off (or on)."""
    BOOLEAN_VARIABLES.add(name)
    value = _env(name)
    if value is None:
        return default
    word = value.strip().lower()
    return word in TRUE_WORDS if word in TRUE_WORDS + FALSE_WORDS else default


def check_environment() -> None:
    """Raises ConfigError naming every boolean variable set to a word it does not know."""
    unknown = sorted(name for name in BOOLEAN_VARIABLES
                     if _env(name) is not None and _env(name).strip().lower() not in TRUE_WORDS + FALSE_WORDS)
    if unknown:
        raise ConfigError(
            "; ".join(f"{name}={os.environ[name]!r} is not a boolean" for name in unknown)
            + f": use one of {', '.join(TRUE_WORDS)} (on) or {', '.join(FALSE_WORDS)} (off)"
        )


def _server_of(url: str | None) -> tuple[str, str]:
    """A Redis URL's server (scheme and host:port, or the socket's path), without its
    database number."""
    parts = urlsplit(url or "")
    return parts.scheme, parts.netloc if parts.scheme != "unix" else parts.path


class ConfigError(RuntimeError):
    """Raised when the configuration cannot run safely (e.g. production without secrets)."""


class Config:
    ENV_NAME = "base"
    SECRET_KEY = _env("SECRET_KEY")
    # The IIN keyed hash uses its own key so that rotating SECRET_KEY (sessions, tokens)
    # never breaks the one-account-per-person rule.
    IIN_HMAC_KEY = _env("IIN_HMAC_KEY")
    # Address and network fingerprints (app.fraud.fingerprints) have their own key too:
    # rotating SECRET_KEY must not make stored fingerprints unmatchable by the
    # invalidation filter. Fingerprints made before this key existed were keyed with
    # SECRET_KEY; the filter matches those as well until retention erases them.
    FINGERPRINT_HMAC_KEY = _env("FINGERPRINT_HMAC_KEY")
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL")
    # hide_parameters: a database error must not write names, emails or hashes to logs.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}
    REDIS_URL = _env("REDIS_URL")
    # Where the embedded Redis keeps its socket and data when REDIS_URL is unset.
    EMBEDDED_REDIS_PATH = _env("EMBEDDED_REDIS_PATH")
    # Listed in priority order: counting first, then ordinary jobs, then mail.
    RQ_QUEUES = ("counts", "default", "mail")

    PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL", "http://127.0.0.1:5000")

    SMTP_HOST = _env("SMTP_HOST")
    SMTP_PORT = _env_int("SMTP_PORT", 587)
    SMTP_USERNAME = _env("SMTP_USERNAME")
    SMTP_PASSWORD = _env("SMTP_PASSWORD")
    SMTP_STARTTLS = _env_bool("SMTP_STARTTLS", True)
    # STARTTLS checks the server's certificate and name against the system's CAs; off only
    # for a relay on this machine or a private network that has no valid certificate.
    SMTP_VERIFY_CERTIFICATE = _env_bool("SMTP_VERIFY_CERTIFICATE", True)
    SMTP_CA_FILE = _env("SMTP_CA_FILE")
    SMTP_TIMEOUT = _env_int("SMTP_TIMEOUT", 30)
    MAIL_FROM = _env("MAIL_FROM", "Dauys <no-reply@dauys.kz>")
    MAIL_DIR = _env("MAIL_DIR")
    # A row being sent is leased for this long; a worker that dies mid-send leaves the
    # lease to expire and the sweeper hands the row to another worker.
    OUTBOX_LEASE_SECONDS = _env_int("OUTBOX_LEASE_SECONDS", 120)
    OUTBOX_MAX_ATTEMPTS = _env_int("OUTBOX_MAX_ATTEMPTS", 12)
    OUTBOX_SWEEP_SECONDS = _env_int("OUTBOX_SWEEP_SECONDS", 30)
    # Delivered emails keep their bodies (one-time links, personal words) this long.
    MAIL_BODY_RETENTION_DAYS = _env_int("MAIL_BODY_RETENTION_DAYS", 7)
    # The operator named in the privacy notice and the other public pages (app/content/legal).
    OPERATOR_NAME = _env("OPERATOR_NAME", "Dauys")
    OPERATOR_EMAIL = _env("OPERATOR_EMAIL", "privacy@dauys.kz")
    OPERATOR_ADDRESS = _env("OPERATOR_ADDRESS", "Astana, Republic of Kazakhstan")
    # The operator answers a letter (e.g. on accessibility) within this many working days.
    CONTACT_REPLY_WORKING_DAYS = _env_int("CONTACT_REPLY_WORKING_DAYS", 10)
    # Privacy: the address, network and browser fingerprints of a petition's signatures are
    # erased this long after its course ended; accounts never confirmed are deleted.
    FINGERPRINT_RETENTION_DAYS = _env_int("FINGERPRINT_RETENTION_DAYS", 182)
    UNVERIFIED_ACCOUNT_DAYS = _env_int("UNVERIFIED_ACCOUNT_DAYS", 30)
    # A citizen moves to another region at most once in this many days.
    REGION_CHANGE_DAYS = _env_int("REGION_CHANGE_DAYS", 180)
    OUTBOX_PURGE_SECONDS = _env_int("OUTBOX_PURGE_SECONDS", 3600)
    SCHEDULER_TICK_SECONDS = _env_int("SCHEDULER_TICK_SECONDS", 1)
    # A job that fails (say, the database restarted under it) runs again after each of
    # these delays, in seconds: every job is safe to repeat.
    JOB_RETRY_INTERVALS = _env("JOB_RETRY_INTERVALS", "15,60,300")
    COUNT_AGGREGATE_SECONDS = _env_int("COUNT_AGGREGATE_SECONDS", 1)
    THRESHOLD_SWEEP_SECONDS = _env_int("THRESHOLD_SWEEP_SECONDS", 30)

    MIN_AGE_YEARS = _env_int("MIN_AGE_YEARS", 18)
    # Fewer seconds than this between showing a form and sending it: a script, refused.
    REGISTER_MIN_SECONDS = _env_int("REGISTER_MIN_SECONDS", 4)
    SIGN_MIN_SECONDS = _env_int("SIGN_MIN_SECONDS", 2)
    # Fraud trending: signatures and new accounts are counted in Redis per period and per
    # source (address, network, email domain, browser); the moderators' alert rules are
    # checked every INTEGRITY_CHECK_SECONDS and raise at most one alert per source and period.
    # Rate limits are rules in the database (an administrator's page); each process reads
    # them again after this many seconds.
    RATE_RULES_CACHE_SECONDS = _env_int("RATE_RULES_CACHE_SECONDS", 10)
    INTEGRITY_PERIOD_SECONDS = _env_int("INTEGRITY_PERIOD_SECONDS", 3600)
    INTEGRITY_CHECK_SECONDS = _env_int("INTEGRITY_CHECK_SECONDS", 60)
    INTEGRITY_KEEP_PERIODS = _env_int("INTEGRITY_KEEP_PERIODS", 3)
    SPONSORS_REQUIRED = _env_int("SPONSORS_REQUIRED", 5)
    MODERATION_DUE_WORKING_DAYS = _env_int("MODERATION_DUE_WORKING_DAYS", 10)
    MODERATION_NEARLY_OVERDUE_DAYS = _env_int("MODERATION_NEARLY_OVERDUE_DAYS", 2)
    PETITION_DURATION_DAYS = _env_int("PETITION_DURATION_DAYS", 90)
    CLOSE_SWEEP_SECONDS = _env_int("CLOSE_SWEEP_SECONDS", 60)
    THRESHOLD_PROFILE = _env("THRESHOLD_PROFILE", "movement-2016")

    # Identity (app/accounts/identity.py, app/accounts/state_idp.py). A typed IIN is only
    # checked for form: anyone who knows a number can register as its owner. It is the demo's
    # default; a deployment that has the state's identity provider may turn it off.
    SELF_DECLARED_IDENTITY = _env_bool("SELF_DECLARED_IDENTITY", True)
    # Signing in with the state's identity provider (OpenID Connect, authorization code +
    # PKCE): off while OIDC_DISCOVERY_URL is empty. The provider must list the redirect URI
    # of each language: {PUBLIC_BASE_URL}/<lang>/login/state/callback.
    OIDC_DISCOVERY_URL = _env("OIDC_DISCOVERY_URL", "")
    OIDC_CLIENT_ID = _env("OIDC_CLIENT_ID", "")
    OIDC_CLIENT_SECRET = _env("OIDC_CLIENT_SECRET", "")
    OIDC_SCOPES = _env("OIDC_SCOPES", "openid profile email")
    OIDC_PROVIDER_NAME = _env("OIDC_PROVIDER_NAME", "eGov")
    # Which ID-token claims carry what: providers name them differently.
    OIDC_IIN_CLAIM = _env("OIDC_IIN_CLAIM", "iin")
    OIDC_GIVEN_NAME_CLAIM = _env("OIDC_GIVEN_NAME_CLAIM", "given_name")
    OIDC_FAMILY_NAME_CLAIM = _env("OIDC_FAMILY_NAME_CLAIM", "family_name")
    OIDC_PATRONYMIC_CLAIM = _env("OIDC_PATRONYMIC_CLAIM", "middle_name")
    OIDC_EMAIL_CLAIM = _env("OIDC_EMAIL_CLAIM", "email")
    OIDC_HTTP_TIMEOUT_SECONDS = _env_int("OIDC_HTTP_TIMEOUT_SECONDS", 10)
    # How long the answer of the provider is kept while the person finishes a new account.
    OIDC_FINISH_SECONDS = _env_int("OIDC_FINISH_SECONDS", 30 * 60)

    # Signatures made with an EDS (app/eds): off while EDS_TRUST_ANCHORS is empty. Trust
    # anchors and intermediates are PEM bundles (the NCA RK's RSA and GOST roots).
    EDS_TRUST_ANCHORS = _env("EDS_TRUST_ANCHORS", "")
    EDS_INTERMEDIATES = _env("EDS_INTERMEDIATES", "")
    # The OCSP responder asked (empty: the one each certificate names), and the CRLs
    # fetched when it does not answer (comma-separated; empty: each certificate's own).
    EDS_OCSP_URL = _env("EDS_OCSP_URL", "")
    EDS_CRL_URLS = _env("EDS_CRL_URLS", "")
    EDS_OCSP_CACHE_SECONDS = _env_int("EDS_OCSP_CACHE_SECONDS", 300)
    EDS_HTTP_TIMEOUT_SECONDS = _env_int("EDS_HTTP_TIMEOUT_SECONDS", 5)
    EDS_STATEMENT_SECONDS = _env_int("EDS_STATEMENT_SECONDS", 600)
    # Where the signing page's script finds NCALayer on the person's computer.
    EDS_NCALAYER_URL = _env("EDS_NCALAYER_URL", "wss://127.0.0.1:13579/")
    # The key that seals each EDS signature's evidence (32 bytes, URL-safe base64); keys it
    # replaced, comma-separated, still open what they sealed.
    EDS_EVIDENCE_KEY = _env("EDS_EVIDENCE_KEY", "ZGF1eXMtZGV2ZWxvcG1lbnQtZXZpZGVuY2Uta2V5ISE=")
    EDS_EVIDENCE_OLD_KEYS = _env("EDS_EVIDENCE_OLD_KEYS", "")
    # The operator's RSA key and certificate (PEM files) that sign an evidence bundle's
    # manifest; outside production, when unset, a development key made per process.
    EDS_BUNDLE_KEY = _env("EDS_BUNDLE_KEY", "")
    EDS_BUNDLE_CERT = _env("EDS_BUNDLE_CERT", "")

    VERIFY_EMAIL_MAX_AGE = _env_int("VERIFY_EMAIL_MAX_AGE", 3 * 24 * 3600)
    RESET_PASSWORD_MAX_AGE = _env_int("RESET_PASSWORD_MAX_AGE", 3600)
    DIGEST_LINK_MAX_AGE = _env_int("DIGEST_LINK_MAX_AGE", 90 * 24 * 3600)
    DIGEST_CHECK_SECONDS = _env_int("DIGEST_CHECK_SECONDS", 300)

    # Wrong passwords, counted in a sliding window. A browser that has logged in to the
    # account before (it holds the account's device cookie) is counted on its own and never
    # locked out by anyone else's guesses; every other attempt is counted per (account,
    # address), per address and, for the account as a whole, per account.
    LOGIN_FAILURE_WINDOW_SECONDS = _env_int("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)
    LOGIN_MAX_FAILURES_PER_ACCOUNT_NETWORK = _env_int("LOGIN_MAX_FAILURES_PER_ACCOUNT_NETWORK", 10)
    LOGIN_MAX_FAILURES_PER_DEVICE = _env_int("LOGIN_MAX_FAILURES_PER_DEVICE", 10)
    DEVICE_COOKIE_MAX_AGE = _env_int("DEVICE_COOKIE_MAX_AGE", 365 * 24 * 3600)

    # Sessions live on the server too (app/accounts/sessions.py): log-out ends them.
    CITIZEN_SESSION_MAX_AGE = _env_int("CITIZEN_SESSION_MAX_AGE", 30 * 24 * 3600)
    STAFF_SESSION_IDLE_SECONDS = _env_int("STAFF_SESSION_IDLE_SECONDS", 30 * 60)
    STAFF_SESSION_MAX_AGE = _env_int("STAFF_SESSION_MAX_AGE", 12 * 3600)
    # How stale a session's "last seen" may get before a request writes it again.
    SESSION_TOUCH_SECONDS = _env_int("SESSION_TOUCH_SECONDS", 60)
    # Between the password and the code at log-in; and wrong codes before starting over.
    TWO_FACTOR_PENDING_SECONDS = _env_int("TWO_FACTOR_PENDING_SECONDS", 5 * 60)
    TWO_FACTOR_MAX_FAILURES = _env_int("TWO_FACTOR_MAX_FAILURES", 5)
    TWO_FACTOR_ISSUER = _env("TWO_FACTOR_ISSUER", "Dauys")
    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    # A Redis outage must delay work, not take the site down: limits fail open.
    RATELIMIT_SWALLOW_ERRORS = True
    # Behind a reverse proxy, the number of proxies whose X-Forwarded-For is trusted.
    PROXY_COUNT = _env_int("PROXY_COUNT", 0)

    # Public pages (home, the list, a petition, /bodies) for readers not signed in:
    # Cache-Control: public, max-age=CACHE_MAX_AGE, stale-while-revalidate=CACHE_STALE_SECONDS,
    # and kept that long in the shared cache in Redis (PAGE_CACHE).
    CACHE_MAX_AGE = _env_int("CACHE_MAX_AGE", 10)
    CACHE_STALE_SECONDS = _env_int("CACHE_STALE_SECONDS", 30)
    # `stale-if-error`: while the database is down, how old a copy of a public page (or API
    # answer) may still be served, marked as possibly out of date (the shared cache keeps
    # pages this long).
    CACHE_STALE_IF_ERROR_SECONDS = _env_int("CACHE_STALE_IF_ERROR_SECONDS", 86400)
    # Retry-After on the "briefly unavailable" answer while the database is down.
    UNAVAILABLE_RETRY_AFTER = _env_int("UNAVAILABLE_RETRY_AFTER", 30)
    PAGE_CACHE = _env_bool("PAGE_CACHE", True)
    # The page cache's own Redis (app.core.redis_client): run with maxmemory and
    # allkeys-lru, never the server of REDIS_URL (whose rate limits and queues must never
    # be evicted). Required in production while PAGE_CACHE is on; elsewhere, unset means
    # an embedded one bounded by PAGE_CACHE_MAX_MEMORY (a Redis size: "64mb", "1gb").
    PAGE_CACHE_REDIS_URL = _env("PAGE_CACHE_REDIS_URL")
    PAGE_CACHE_MAX_MEMORY = _env("PAGE_CACHE_MAX_MEMORY", "64mb")

    LANGUAGES = ("kk", "ru", "en")
    BABEL_DEFAULT_LOCALE = "kk"
    BABEL_DEFAULT_TIMEZONE = "Asia/Almaty"

    SESSION_COOKIE_NAME = "dauys_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_NAME = "dauys_remember"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = CITIZEN_SESSION_MAX_AGE
    DEVICE_COOKIE_NAME = "dauys_device"
    DEVICE_COOKIE_SECURE = False
    WTF_CSRF_TIME_LIMIT = 4 * 3600
    MAX_CONTENT_LENGTH = 1024 * 1024

    LOG_LEVEL = _env("LOG_LEVEL", "INFO")
    # bench/ only: the baseline endpoint. Production refuses to start with it.
    BENCHMARK_ENDPOINTS = _env_bool("BENCHMARK_ENDPOINTS", False)

    @classmethod
    def validate(cls, app_config: dict) -> None:
        """Fill development defaults. Raises ConfigError in subclasses that forbid them."""
        instance = Path(app_config["INSTANCE_PATH"])
        app_config.setdefault("SECRET_KEY", None)
        if not app_config["SECRET_KEY"]:
            app_config["SECRET_KEY"] = "dev-only-secret-key-not-for-production"
        if not app_config["IIN_HMAC_KEY"]:
            app_config["IIN_HMAC_KEY"] = "dev-only-iin-key-not-for-production"
        if not app_config["FINGERPRINT_HMAC_KEY"]:
            app_config["FINGERPRINT_HMAC_KEY"] = "dev-only-fingerprint-key-not-for-production"
        if not app_config["SQLALCHEMY_DATABASE_URI"]:
            app_config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'dauys.sqlite3'}"
        if not app_config["EMBEDDED_REDIS_PATH"]:
            app_config["EMBEDDED_REDIS_PATH"] = str(instance / "redis" / "redis.db")
        if not app_config["MAIL_DIR"]:
            app_config["MAIL_DIR"] = str(instance / "mail")


class DevelopmentConfig(Config):
    ENV_NAME = "development"


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SQLALCHEMY_DATABASE_URI = _env("TEST_DATABASE_URL")
    REDIS_URL = _env("TEST_REDIS_URL")
    SMTP_HOST = None
    OUTBOX_LEASE_SECONDS = 2
    # Tests post forms at machine speed; the minimum-time tests set their own.
    REGISTER_MIN_SECONDS = 0
    SIGN_MIN_SECONDS = 0
    # Tests read what they just wrote; the cache's own tests turn it on.
    PAGE_CACHE = False
    PUBLIC_BASE_URL = "http://localhost"


class ProductionConfig(Config):
    ENV_NAME = "production"
    # __Host-: the browser accepts these only over HTTPS, for this host, for every path;
    # a sibling subdomain cannot plant or overwrite them.
    SESSION_COOKIE_NAME = "__Host-dauys_session"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_NAME = "__Host-dauys_remember"
    REMEMBER_COOKIE_SECURE = True
    DEVICE_COOKIE_NAME = "__Host-dauys_device"
    DEVICE_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    EDS_EVIDENCE_KEY = _env("EDS_EVIDENCE_KEY", "")  # no development key in production

    @classmethod
    def validate(cls, app_config: dict) -> None:
        """Raises ConfigError when a variable production cannot run without is missing."""
        required = {
            "SECRET_KEY": "SECRET_KEY",
            "IIN_HMAC_KEY": "IIN_HMAC_KEY",
            "FINGERPRINT_HMAC_KEY": "FINGERPRINT_HMAC_KEY",
            "SQLALCHEMY_DATABASE_URI": "DATABASE_URL",
            "REDIS_URL": "REDIS_URL",
        }
        missing = [env for key, env in required.items() if not app_config.get(key)]
        if missing:
            raise ConfigError(
                "Production refuses to start without: " + ", ".join(missing)
            )
        if app_config.get("BENCHMARK_ENDPOINTS"):
            raise ConfigError("BENCHMARK_ENDPOINTS must not be on in production")
        if app_config.get("PAGE_CACHE"):
            cache_url = app_config.get("PAGE_CACHE_REDIS_URL")
            if not cache_url:
                raise ConfigError("PAGE_CACHE is on: set PAGE_CACHE_REDIS_URL to a Redis of its own with maxmemory "
                                  "and maxmemory-policy allkeys-lru (see the README), or PAGE_CACHE=0")
            if _server_of(cache_url) == _server_of(app_config["REDIS_URL"]):
                raise ConfigError("PAGE_CACHE_REDIS_URL must name another Redis server than REDIS_URL: a database "
                                  "number of the same server shares its memory, so a full page cache would evict "
                                  "rate limits and queued jobs")
        if app_config.get("OIDC_DISCOVERY_URL") and not (app_config.get("OIDC_CLIENT_ID")
                                                         and app_config.get("OIDC_CLIENT_SECRET")):
            raise ConfigError("OIDC_DISCOVERY_URL is set: set OIDC_CLIENT_ID and OIDC_CLIENT_SECRET too")
        if app_config.get("THRESHOLD_PROFILE") == "law-2024" and not app_config.get("EDS_TRUST_ANCHORS"):
            raise ConfigError("THRESHOLD_PROFILE=law-2024 counts only signatures made with an EDS: set "
                              "EDS_TRUST_ANCHORS, or no petition could ever reach a threshold")
        if app_config.get("EDS_TRUST_ANCHORS") and not app_config.get("EDS_EVIDENCE_KEY"):
            raise ConfigError("EDS_TRUST_ANCHORS is set: set EDS_EVIDENCE_KEY (32 random bytes, URL-safe base64) "
                              "to seal the signatures' evidence")
        if app_config.get("EDS_TRUST_ANCHORS") and not (app_config.get("EDS_BUNDLE_KEY")
                                                        and app_config.get("EDS_BUNDLE_CERT")):
            raise ConfigError("EDS_TRUST_ANCHORS is set: set EDS_BUNDLE_KEY and EDS_BUNDLE_CERT (the operator's RSA "
                              "key and certificate, PEM files) to sign the evidence bundles' manifests")
        if not app_config.get("SELF_DECLARED_IDENTITY") and not app_config.get("OIDC_DISCOVERY_URL"):
            raise ConfigError("SELF_DECLARED_IDENTITY is off and no OIDC_DISCOVERY_URL is set: nobody could register")
        if len(app_config["SECRET_KEY"]) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters in production")
        if not app_config.get("MAIL_DIR"):
            app_config["MAIL_DIR"] = str(Path(app_config["INSTANCE_PATH"]) / "mail")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
