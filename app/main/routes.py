from __future__ import annotations

import redis
from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import text

from app import queue
from app.accounts.services import set_language
from app.bodies.queries import active_bodies
from app.bodies.thresholds import describe_threshold, profile, threshold_for
from app.extensions import db
from app.main.forms import LanguageForm
from app.models import BodyLevel
from app.net import safe_next_url
from app.petitions import queries

bp = Blueprint("main", __name__)
LANGUAGE_COOKIE = "lang"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


@bp.route("/")
def home():
    return render_template("main/home.html", profile=profile(), totals=queries.totals(),
                           popular=queries.popular_open(), recently_closed=queries.recently_closed())


@bp.route("/bodies")
def bodies():
    items = active_bodies()
    national = [b for b in items if b.level is BodyLevel.NATIONAL]
    regional = [b for b in items if b.level is BodyLevel.REGIONAL]
    return render_template(
        "main/bodies.html",
        national=national,
        regional=regional,
        threshold_for=threshold_for,
        describe=describe_threshold,
        lang=str(get_locale()),
    )


@bp.route("/language", methods=["POST"])
def set_language_view():
    form = LanguageForm()
    if not form.validate_on_submit() or form.lang.data not in current_app.config["LANGUAGES"]:
        abort(400)
    session["lang"] = form.lang.data
    if current_user.is_authenticated:
        set_language(current_user, form.lang.data)
        db.session.commit()
    response = redirect(safe_next_url(form.next.data) or url_for("main.home"))
    response.set_cookie(
        LANGUAGE_COOKIE,
        form.lang.data,
        max_age=LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
    )
    return response


@bp.route("/health")
def health():
    """For load balancers: 200 when the database and Redis answer, else 503."""
    checks = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means "not healthy"
        checks["database"] = type(exc).__name__
    finally:
        db.session.rollback()
    try:
        queue.connection().ping()
        checks["redis"] = "ok"
    except redis.RedisError as exc:
        checks["redis"] = type(exc).__name__
    status = 200 if all(v == "ok" for v in checks.values()) else 503
    return checks, status


def select_locale() -> str:
    """Explicit choice (session, cookie, account) first, then Kazakh: the state
    language is the default, not the browser's preference."""
    languages = current_app.config["LANGUAGES"]
    for candidate in (
        session.get("lang"),
        current_user.language if current_user and current_user.is_authenticated else None,
        request.cookies.get(LANGUAGE_COOKIE),
    ):
        if candidate in languages:
            return candidate
    return current_app.config["BABEL_DEFAULT_LOCALE"]
