"""The officials' workspace: their body's review cases, acknowledge, respond."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import case as sql_case
from sqlalchemy import select

from app.bodies.thresholds import petition_threshold
from app.core import clock
from app.eds import bundles
from app.extensions import db
from app.models import CaseState, ReviewCase, Role
from app.petitions import queries
from app.petitions.names import REMOVAL_NAMES
from app.review import forms, services
from app.review.services import CaseError
from app.web.access import roles_required
from app.web.forms import abandon, flash_refusal, show_error
from app.web.requests import zip_download

bp = Blueprint("review", __name__)
STAFF = (Role.OFFICIAL, Role.ADMIN)

CASE_STATE_NAMES = {
    CaseState.QUEUED: _l("Queued"),
    CaseState.ACKNOWLEDGED: _l("Acknowledged"),
    CaseState.ANSWERED: _l("Answered"),
}


def _case(case_id: int) -> ReviewCase:
    case = db.session.get(ReviewCase, case_id)
    if case is None:
        abort(404)
    if not services.may_handle(current_user, case):
        abort(403)
    return case


@bp.route("/")
@roles_required(*STAFF)
def index():
    query = select(ReviewCase).order_by(
        sql_case((ReviewCase.state == CaseState.ANSWERED, 1), else_=0), ReviewCase.due_on, ReviewCase.id)
    if not current_user.has_role(Role.ADMIN):
        body = current_user.official_body
        query = query.where(ReviewCase.body_id == body.id)
    cases = db.session.scalars(query).all()
    return render_template("review/index.html", cases=cases, today=clock.today(),
                           case_state_names=CASE_STATE_NAMES, lang=str(get_locale()))


def _render_case(case: ReviewCase, *, form=None, preview: str | None = None, status: int = 200):
    petition = case.petition
    return render_template(
        "review/case.html", case=case, petition=petition, form=form or forms.ResponseForm(),
        ack_form=forms.AcknowledgeForm(), preview=preview, breakdown=queries.regional_breakdown(petition.id),
        threshold=petition_threshold(petition), overdue=case.overdue_days(clock.today()),
        case_state_names=CASE_STATE_NAMES, lang=str(get_locale()),
        removals=queries.removals(petition.id), removal_names=REMOVAL_NAMES,
    ), status


@bp.route("/cases/<id:case_id>")
@roles_required(*STAFF)
def case(case_id: int):
    return _render_case(_case(case_id))


@bp.route("/cases/<id:case_id>/evidence.zip")
@roles_required(*STAFF)
def evidence_bundle(case_id: int):
    """The petition's EDS signatures with their evidence, for its addressee's officials
    once it reached its threshold (a review case exists): checked with `flask evidence
    verify`, or by hand (README.txt inside)."""
    case = _case(case_id)
    return zip_download(bundles.build(case.petition), f"dauys-petition-{case.petition_id}-eds-evidence.zip")


@bp.route("/cases/<id:case_id>/acknowledge", methods=["POST"])
@roles_required(*STAFF)
def acknowledge(case_id: int):
    c = _case(case_id)
    if not forms.AcknowledgeForm().validate_on_submit():
        abort(400)
    try:
        services.acknowledge(current_user._get_current_object(), c)
    except CaseError as exc:
        return _render_case(c, status=flash_refusal(exc))
    flash(_("The case is acknowledged."), "success")
    return redirect(url_for("review.case", case_id=c.id))


@bp.route("/cases/<id:case_id>/respond", methods=["POST"])
@roles_required(*STAFF)
def respond(case_id: int):
    c = _case(case_id)
    form = forms.ResponseForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _render_case(c, form=form, status=422)
    if request.form.get("action") != "publish":
        return _render_case(c, form=form, preview=form.response.data)
    try:
        services.publish_response(current_user._get_current_object(), c, form.response.data)
    except CaseError as exc:
        status = abandon(exc)
        # Next to the response, where the official is writing (a case that moved on too).
        show_error(form, exc.field or "response", exc.message())
        return _render_case(c, form=form, status=status)
    flash(_("The response is published on the petition page and sent to the author and the signers."), "success")
    return redirect(url_for("review.case", case_id=c.id))
