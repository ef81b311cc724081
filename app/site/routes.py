"""The site's own pages: home, the open-data page, the operator's legal pages, the language form; and, outside the language prefix, /health and
the redirect of addresses that name no language."""

from __future__ import annotations

import redis
from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text
from werkzeug.exceptions import NotFound
from werkzeug.routing import RequestRedirect

from app import legal
from app.accounts.services import set_language
from app.bodies.thresholds import profile, stated_periods
from app.core import redis_client
from app.extensions import db
from app.petitions import queries
from app.petitions.queries import LIST_STATES, SORTS
from app.site.forms import LanguageForm
from app.web.caching import public
from app.web.language import LANGUAGE_COOKIE, LANGUAGE_COOKIE_AGE, preferred_language, swap_language
from app.web.requests import absolute_url, safe_next_url

bp = Blueprint("site", __name__)
# Outside the language prefix.
root = Blueprint("root", __name__)


@bp.route("/")
@public
def home():
    return render_template("site/home.html", profile=profile(), totals=queries.totals(),
                           popular=queries.popular_open(), recently_closed=queries.recently_closed(),
                           latest_responses=queries.latest_responses())


def _api_operations(example_id: int) -> list[dict]:
    """The API's operations for its human page, in the reader's language; the examples
    show petition `example_id`."""
    states = ", ".join(LIST_STATES)
    return [
        {"path": "/petitions", "example": "/petitions?state=responded&sort=newest&per_page=10",
         "text": _("Petitions, a page at a time, with the filters and sorts of the petitions list."),
         "params": [("q", _("words from the title or summary (at most 200 characters)")),
                    ("state", _("one of: %(values)s (default: open)", values=states)),
                    ("category", _("a category code, e.g. education, health, transport_roads")),
                    ("body", _("the code of the state body addressed (see /bodies)")),
                    ("region", _("a region's code: petitions to that region's akimat (see /regions)")),
                    ("sort", _("one of: %(values)s (default: popular)", values=", ".join(SORTS))),
                    ("page", _("page number, from 1")), ("per_page", _("petitions per page, 1 to 100 (default 20)"))]},
        {"path": "/petitions/{id}", "example": f"/petitions/{example_id}",
         "text": _("One petition: its texts, addressee, category, state and dates, count, threshold and why, "
                   "signatures by region and by hour, the review with its due date and whether it is overdue, the "
                   "response, or the reason it was rejected."), "params": []},
        {"path": "/petitions/{id}/count", "example": f"/petitions/{example_id}/count",
         "text": _("A tiny document with the count, the state and the threshold, for programs that poll."),
         "params": []},
        {"path": "/bodies", "example": "/bodies",
         "text": _("Every state body with its threshold, review period and accountability figures."), "params": []},
        {"path": "/bodies/{code}", "example": "/bodies/GOV",
         "text": _("One state body: its figures, its overdue cases and its latest responses."), "params": []},
        {"path": "/regions", "example": "/regions",
         "text": _("Kazakhstan's regions with their official population where it is known."), "params": []},
        {"path": "/responses", "example": "/responses?limit=5",
         "text": _("The latest official responses."), "params": [("limit", _("how many, 1 to 100 (default 20)"))]},
        {"path": "/trending", "example": "/trending",
         "text": _("Open petitions with the most signatures in the last 24 hours."),
         "params": [("limit", _("how many, 1 to 100 (default 20)"))]},
    ]


@bp.route("/open-data")
@public
def open_data():
    """The API's documentation for people, in their language."""
    api_base = absolute_url("api.petitions").rsplit("/petitions", 1)[0]
    popular = queries.popular_open(1)  # the examples show a petition that exists and is public
    example_id = popular[0].id if popular else 1
    return render_template("site/open_data.html", operations=_api_operations(example_id), api_base=api_base,
                           max_age=current_app.config["CACHE_MAX_AGE"])


@bp.route("/language", methods=["POST"])
def set_language_view():
    """The language form (signed-in readers see it; others get plain links): saves
    the choice on the account and in a cookie, then shows the same page in it."""
    form = LanguageForm()
    if not form.validate_on_submit() or form.lang.data not in current_app.config["LANGUAGES"]:
        abort(400)
    if current_user.is_authenticated:
        set_language(current_user, form.lang.data)
    target = safe_next_url(form.next.data) or url_for("site.home")
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
    """For load balancers: 200 when the database and Redis answer, else 503 (and the
    request's transaction rolls back)."""
    checks = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means "not healthy"
        checks["database"] = type(exc).__name__
    try:
        redis_client.connection().ping()
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
    response = redirect(target, 302 if request.method in ("GET", "HEAD") else 307)
    response.vary.update(("Cookie", "Accept-Language"))
    return response


# --- the operator's public pages (privacy, terms, standards, help, accessibility) -------

LEGAL_ROUTES = {"privacy": "/privacy", "terms": "/terms", "standards": "/standards", "help": "/help",
                "accessibility": "/accessibility"}


def _legal(name: str):
    def view():
        text = legal.page(name, str(get_locale()), stated_periods())
        return render_template("site/legal.html", page=text)
    view.__name__ = f"legal_{name}"
    return view


for _name, _path in LEGAL_ROUTES.items():
    bp.add_url_rule(_path, endpoint=_name, view_func=public(_legal(_name)))
