"""Home, /bodies, the language form; and, outside the language prefix, /health and
the redirect of addresses that name no language."""

from __future__ import annotations

import redis
from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select, text
from werkzeug.exceptions import NotFound
from werkzeug.routing import RequestRedirect

from app import clock, queue
from app.accounts.services import set_language
from app.bodies.queries import active_bodies
from app.bodies.thresholds import describe_threshold, profile, threshold_for
from app.extensions import db
from app.http_cache import public
from app.language import LANGUAGE_COOKIE, LANGUAGE_COOKIE_AGE, preferred_language, swap_language
from app.main.forms import LanguageForm
from app.models import BodyLevel, StateBody
from app.net import safe_next_url
from app.petitions import queries
from app.review import accountability as accountability_figures

bp = Blueprint("main", __name__)
# Outside the language prefix.
root = Blueprint("root", __name__)


@bp.route("/")
@public
def home():
    return render_template("main/home.html", profile=profile(), totals=queries.totals(),
                           popular=queries.popular_open(), recently_closed=queries.recently_closed(),
                           latest_responses=queries.latest_responses())


@bp.route("/bodies")
@public
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


@bp.route("/accountability")
@public
def accountability():
    """The national table: how every state body keeps its legal deadlines."""
    return render_template("main/accountability.html", rows=accountability_figures.national(clock.today()),
                           lang=str(get_locale()))


@bp.route("/bodies/<code>")
@public
def body(code: str):
    """One state body: its threshold and review period, its figures, its overdue cases
    and latest responses."""
    state_body = db.session.scalar(select(StateBody).where(StateBody.code == code))
    if state_body is None:
        abort(404)
    lang = str(get_locale())
    return render_template("main/body.html", body=state_body, lang=lang,
                           figures=accountability_figures.for_body(state_body, clock.today()),
                           latest=accountability_figures.latest_responses(state_body),
                           on_time=accountability_figures.answered_on_time,
                           threshold=threshold_for(state_body), threshold_reason=describe_threshold(state_body, lang))


@bp.route("/language", methods=["POST"])
def set_language_view():
    """The language form (signed-in readers see it; others get plain links): saves
    the choice on the account and in a cookie, then shows the same page in it."""
    form = LanguageForm()
    if not form.validate_on_submit() or form.lang.data not in current_app.config["LANGUAGES"]:
        abort(400)
    if current_user.is_authenticated:
        set_language(current_user, form.lang.data)
        db.session.commit()
    target = safe_next_url(form.next.data) or url_for("main.home")
    response = redirect(swap_language(target, form.lang.data), 303)
    response.set_cookie(
        LANGUAGE_COOKIE,
        form.lang.data,
        max_age=LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
    )
    return response


@root.route("/health")
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


@root.route("/", methods=["GET", "HEAD", "POST"])
@root.route("/<oldpath:old>", methods=["GET", "HEAD", "POST"])
def without_language(old: str = ""):
    """An address that names no language (`/`, an old link, a link in an email sent
    before the prefixes): the same address in the reader's language, if it exists
    there. A form sent to an old address keeps its method and body (307)."""
    target = f"/{preferred_language()}{request.path}"
    try:
        current_app.url_map.bind("localhost").match(target, method=request.method)
    except RequestRedirect as moved:  # e.g. a missing trailing slash
        target = moved.new_url.removeprefix("http://localhost")
    except NotFound:
        abort(404)
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    response = redirect(target, 307 if request.method == "POST" else 302)
    response.vary.update(("Cookie", "Accept-Language"))
    return response
