"""/api/v1: read-only JSON for journalists, researchers and civic developers.

Every answer is public (`Cache-Control: public, max-age=N, stale-while-revalidate=M`
with an ETag, 304 to a matching conditional request, kept in the shared page cache)
and open to any origin (`Access-Control-Allow-Origin: *`). Errors are JSON too
(app.web.errors). The OpenAPI 3.1 document is /api/v1/openapi.json."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request
from sqlalchemy import select

from app.accountability import figures as accountability
from app.api import openapi, serialize
from app.bodies.queries import body_by_code
from app.core import clock
from app.extensions import db, limiter
from app.models import Petition, Region, StateBody
from app.petitions import counting, queries
from app.petitions.services import can_view
from app.web.caching import public

bp = Blueprint("api", __name__)  # mounted at /api/v1
MAX_PER_PAGE = openapi.MAX_PER_PAGE
FILTERS = ("q", "state", "category", "body", "region", "sort")


@bp.after_request
def open_to_any_origin(response):
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        abort(400, description=f"'{name}' must be a whole number from {low} to {high}")
    return int(raw)


@bp.route("/openapi.json")
@public
def openapi_document():
    return jsonify(openapi.document(
        list(db.session.scalars(select(StateBody.code).order_by(StateBody.code))),
        list(db.session.scalars(select(Region.code).order_by(Region.code)))))


@bp.route("/petitions")
@public
@limiter.limit("60 per minute", exempt_when=lambda: not request.args.get("q", "").strip())
def petitions():
    """The public list with the HTML list's filters and sorts; stable pages (every sort
    ends with the id)."""
    unknown = set(request.args) - set(FILTERS) - {"page", "per_page"}
    if unknown:
        abort(400, description=f"unknown parameter: {sorted(unknown)[0]}")
    if len(request.args.get("q", "")) > openapi.MAX_QUERY:
        abort(400, description=f"'q' is longer than {openapi.MAX_QUERY} characters")
    f = queries.ListFilters(
        q=request.args.get("q", "").strip(),
        state=request.args.get("state", "open"),
        category=request.args.get("category", ""),
        body=request.args.get("body", ""),
        region=request.args.get("region", ""),
        sort=request.args.get("sort", "popular"),
    )
    try:
        query = queries.list_query(f)
    except ValueError as exc:  # "unknown region", "unknown sort", ...
        abort(400, description=str(exc))
    page = _int_arg("page", 1, 1, 10_000)
    per_page = _int_arg("per_page", 20, 1, MAX_PER_PAGE)
    result = db.paginate(query, page=page, per_page=per_page, error_out=False)
    return jsonify({
        "data": [serialize.petition_summary(p) for p in result.items],
        "meta": {"page": page, "per_page": per_page, "total": result.total, "pages": result.pages},
    })


def _public_petition(petition_id: int) -> Petition:
    petition = db.session.get(Petition, petition_id)
    if petition is None or not can_view(petition, None):
        abort(404, description="no such petition")
    return petition


@bp.route("/petitions/<id:petition_id>")
@public
def petition(petition_id: int):
    p = _public_petition(petition_id)
    return jsonify(serialize.petition(p, regions=queries.regional_breakdown(p.id),
                                      hours=queries.signatures_by_hour(p.id),
                                      signers=queries.public_signers(p.id), removals=queries.removals(p.id),
                                      levels=counting.by_assurance(p.id)))


@bp.route("/petitions/<id:petition_id>/count")
@public
def petition_count(petition_id: int):
    """A tiny document for pollers: the count, the state and the threshold."""
    return jsonify(serialize.count(_public_petition(petition_id)))


@bp.route("/bodies")
@public
def bodies():
    return jsonify({"data": [serialize.body(f.body, f) for f in accountability.national(clock.today())]})


@bp.route("/bodies/<code>")
@public
def body(code: str):
    state_body = body_by_code(code)
    if state_body is None:
        abort(404, description="no such state body")
    figures = accountability.for_body(state_body, clock.today())
    return jsonify({**serialize.body(state_body, figures),
                    "latest_responses": [serialize.response_item(c)
                                         for c in accountability.latest_responses(state_body)]})


@bp.route("/regions")
@public
def regions():
    return jsonify({"data": [serialize.region(r) for r in db.session.scalars(select(Region).order_by(Region.code))]})


@bp.route("/responses")
@public
def responses():
    limit = _int_arg("limit", 20, 1, MAX_PER_PAGE)
    return jsonify({"data": [serialize.response_item(c) for c in queries.latest_responses(limit)]})


@bp.route("/trending")
@public
def trending():
    """Open petitions by signatures in the last 24 hours (the aggregator's hourly counts)."""
    limit = _int_arg("limit", 20, 1, MAX_PER_PAGE)
    return jsonify({"data": [{**serialize.petition_summary(p), "signatures_24h": n}
                             for p, n in queries.trending(limit)]})
