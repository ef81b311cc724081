"""State bodies and how they keep their deadlines: /bodies (every addressee with its
threshold and review period), one body's page, and the national accountability table
with its CSV."""

from __future__ import annotations

from collections import Counter

from flask import Blueprint, abort, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.accountability import figures as accountability_figures
from app.bodies.queries import active_bodies, body_by_code
from app.bodies.thresholds import describe_threshold, threshold_for
from app.core import clock
from app.core.collation import alphabetical
from app.extensions import db
from app.models import BodyLevel, Region
from app.web.caching import public
from app.web.csvfile import download as csv_download

bp = Blueprint("accountability", __name__)


@bp.route("/bodies")
@public
def bodies():
    """National and regional bodies, and a link per region to its districts' and cities'
    bodies (/bodies?region=KZ-35: hundreds of them would not make one readable page)."""
    lang = str(get_locale())
    code = request.args.get("region")
    region = None
    if code is not None:
        region = db.session.scalar(select(Region).where(Region.code == code))
        if region is None:
            abort(404)
    items = active_bodies(lang, region_id=region.id if region else None)
    regions = alphabetical(db.session.scalars(select(Region)), lang, lambda r: r.name(lang))
    local = Counter(b.region_id for b in items if b.level is BodyLevel.DISTRICT)
    return render_template(
        "accountability/bodies.html",
        region=region,
        national=[b for b in items if b.level is BodyLevel.NATIONAL],
        regional=[b for b in items if b.level is BodyLevel.REGIONAL],
        district=[b for b in items if b.level is BodyLevel.DISTRICT] if region else [],
        regions=[(r, local[r.id]) for r in regions] if region is None else [],
        threshold_for=threshold_for,
        describe=describe_threshold,
        lang=lang,
    )


@bp.route("/accountability")
@public
def accountability():
    """The national table: how every state body keeps its legal deadlines."""
    return render_template("accountability/accountability.html", rows=accountability_figures.national(clock.today(), str(get_locale())),
                           lang=str(get_locale()))


@bp.route("/accountability.csv")
@public
def accountability_csv():
    lang = str(get_locale())
    header = [_("State body"), _("Code"), _("Petitions addressed"), _("Reached the threshold"), _("Cases"),
              _("Cases answered"), _("Answered within the legal period"), _("Answered within the legal period (%)"),
              _("Median working days to respond"), _("Awaiting response"), _("Overdue now")]
    rows = [[f.body.name(lang), f.body.code, f.addressed, f.reached_threshold, f.cases, f.answered,
             f.answered_on_time, f.on_time_percent, f.median_days, f.awaiting, len(f.overdue)]
            for f in accountability_figures.national(clock.today(), lang)]
    return csv_download(f"dauys-accountability-{lang}.csv", header, rows)


@bp.route("/bodies/<code>")
@public
def body(code: str):
    """One state body: its threshold and review period, its figures, its overdue cases
    and latest responses."""
    state_body = body_by_code(code)
    if state_body is None:
        abort(404)
    lang = str(get_locale())
    return render_template("accountability/body.html", body=state_body, lang=lang,
                           figures=accountability_figures.for_body(state_body, clock.today()),
                           latest=accountability_figures.latest_responses(state_body),
                           on_time=accountability_figures.answered_on_time,
                           threshold=threshold_for(state_body), threshold_reason=describe_threshold(state_body, lang))
