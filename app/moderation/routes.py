"""The moderation queue, the petition's moderation page, the reported list."""

from __future__ import annotations

from datetime import date, datetime

import redis
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import desc, func, select

from app.bodies.queries import body_choices
from app.core import clock
from app.core.jobs import after_commit
from app.core.workdays import working_days_between
from app.extensions import db
from app.fraud import trending
from app.models import (
    AuditEntry,
    InvalidationKind,
    ModerationDecision,
    Petition,
    PetitionState,
    RejectionCode,
    RemovalCategory,
    Report,
    ReviewCase,
    Role,
    Signature,
    SignatureInvalidation,
    User,
)
from app.moderation import accounts, alerts, forms, integrity, services
from app.moderation.messages import not_possible_now
from app.petitions import queries
from app.petitions.lifecycle import IllegalTransition
from app.petitions.names import REMOVAL_NAMES, REPORT_REASON_NAMES, STATE_NAMES
from app.petitions.services import PetitionError
from app.review import services as review_services
from app.review.forms import ReassignForm
from app.web.access import roles_required
from app.web.forms import abandon, flash_refusal, show_error
from app.web.requests import page_arg

bp = Blueprint("moderation", __name__)
MODERATORS = (Role.MODERATOR, Role.ADMIN)
PAGE_SIZE = 25



def due_mark(due: date | None, today: date | None = None) -> tuple[str, int] | None:
    """("overdue" | "nearly" | "ok", working days left) for a moderation due date."""
    if due is None:
        return None
    left = working_days_between(today or clock.today(), due)
    if left < 0:
        return "overdue", left
    if left <= current_app.config["MODERATION_NEARLY_OVERDUE_DAYS"]:
        return "nearly", left
    return "ok", left


@bp.route("/")
@roles_required(*MODERATORS)
def queue():
    page_number = page_arg()
    query = (select(Petition).where(Petition.state == PetitionState.PENDING_MODERATION)
             .order_by(Petition.moderation_started_at, Petition.id))
    page = db.paginate(query, page=page_number, per_page=PAGE_SIZE, error_out=False)
    # One query for the whole page, however many petitions it shows.
    similar = queries.similar_for_many({p.id: p.title for p in page.items}, limit=3, include_pending=True)
    reported = db.session.scalar(
        select(func.count(func.distinct(Report.petition_id))).where(Report.resolved_at.is_(None)))
    return render_template("moderation/queue.html", page=page, similar=similar, due_mark=due_mark,
                           reported=reported, lang=str(get_locale()))


def _forms(petition: Petition, posted: str | None = None) -> dict:
    metadata = forms.MetadataForm(prefix="meta")
    metadata.body.choices = body_choices(str(get_locale()))
    if posted != "metadata":
        metadata.category.data = petition.category.value
        metadata.body.data = petition.body.code
    return {
        "approve": forms.ApproveForm(prefix="approve"),
        "return": forms.ReturnForm(prefix="return"),
        "reject": forms.RejectForm(prefix="reject"),
        "take-down": forms.TakeDownForm(prefix="takedown"),
        "restore": forms.RestoreForm(prefix="restore"),
        "metadata": metadata,
        "dismiss-reports": forms.DismissReportsForm(prefix="dismiss"),
    }


def _page(petition: Petition, all_forms: dict, status: int = 200, reassign_form=None):
    if reassign_form is None:
        reassign_form = ReassignForm(prefix="reassign")
        reassign_form.body.choices = body_choices(str(get_locale()))
    decisions = db.session.scalars(select(ModerationDecision).where(ModerationDecision.petition_id == petition.id)
                                   .order_by(desc(ModerationDecision.id))).all()
    case_id = petition.review_case.id if petition.review_case else None
    audit = db.session.scalars(select(AuditEntry).where(
        ((AuditEntry.target_type == "petition") & (AuditEntry.target_id == petition.id))
        | ((AuditEntry.target_type == "review_case") & (AuditEntry.target_id == case_id)))
        .order_by(desc(AuditEntry.id))).all()
    reports = db.session.scalars(select(Report).where(Report.petition_id == petition.id)
                                 .order_by(desc(Report.id))).all()
    return render_template(
        "moderation/petition.html", petition=petition, forms=all_forms, decisions=decisions, audit=audit,
        reports=reports, similar=queries.similar(petition.title, limit=5, exclude_id=petition.id,
                                                 include_pending=True),
        due=due_mark(petition.moderation_due_on) if petition.state is PetitionState.PENDING_MODERATION else None,
        report_reasons=REPORT_REASON_NAMES, lang=str(get_locale()), reassign_form=reassign_form,
        removals=queries.removals(petition.id), removal_names=REMOVAL_NAMES,
    ), status


def _petition(petition_id: int) -> Petition:
    """Drafts belong to their author alone (DOMAIN.md); moderators see everything else."""
    petition = db.session.get(Petition, petition_id)
    if petition is None or petition.state is PetitionState.DRAFT:
        abort(404)
    return petition


@bp.route("/petitions/<id:petition_id>")
@roles_required(*MODERATORS)
def petition(petition_id: int):
    p = _petition(petition_id)
    return _page(p, _forms(p))


ACTIONS = ("approve", "return", "reject", "take-down", "restore", "metadata", "dismiss-reports")


@bp.route("/petitions/<id:petition_id>/<action>", methods=["POST"])
@roles_required(*MODERATORS)
def act(petition_id: int, action: str):
    if action not in ACTIONS:
        abort(404)
    p = _petition(petition_id)
    all_forms = _forms(p, posted=action)
    form = all_forms[action]
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return _page(p, all_forms, status=422)
    me = current_user._get_current_object()
    try:
        if action == "approve":
            services.approve(me, p)
        elif action == "return":
            services.return_to_author(me, p, form.note.data)
        elif action == "reject":
            services.reject(me, p, RejectionCode(form.code.data), form.explanation.data, form.subject.data or None)
        elif action == "take-down":
            services.take_down(me, p, RejectionCode(form.code.data), form.note.data)
        elif action == "restore":
            services.restore(me, p, form.note.data)
        elif action == "metadata":
            services.change_metadata(me, p, form.category.data, form.body.data, form.note.data)
        else:
            services.dismiss_reports(me, p, form.note.data)
    except IllegalTransition as exc:
        status = abandon(exc)  # and read the state it has now (another moderator may have moved it)
        flash(not_possible_now(p.state), "error")
        return _page(p, _forms(p), status=status)
    except services.OwnPetition as exc:
        return _page(p, _forms(p), status=flash_refusal(exc))
    except (services.ModerationError, PetitionError) as exc:
        status = abandon(exc)
        show_error(form, exc.field, exc.message())
        return _page(p, all_forms, status=status)
    flash(_("Done."), "success")
    return redirect(url_for("moderation.petition", petition_id=p.id))


@bp.route("/cases/<id:case_id>/reassign", methods=["POST"])
@roles_required(*MODERATORS)
def reassign_case(case_id: int):
    case = db.session.get(ReviewCase, case_id) or abort(404)
    form = ReassignForm(prefix="reassign")
    form.body.choices = body_choices(str(get_locale()))
    p = case.petition
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return _page(p, _forms(p), status=422, reassign_form=form)
    try:
        review_services.reassign(current_user._get_current_object(), case, form.body.data, form.note.data)
    except review_services.CaseError as exc:
        status = abandon(exc)
        show_error(form, exc.field, exc.message())
        return _page(p, _forms(p), status=status, reassign_form=form)
    flash(_("Done."), "success")
    return redirect(url_for("moderation.petition", petition_id=p.id))


@bp.route("/reports")
@roles_required(*MODERATORS)
def reports():
    open_reports = (
        select(Report.petition_id, func.count().label("n"), func.min(Report.created_at).label("first"))
        .where(Report.resolved_at.is_(None))
        .group_by(Report.petition_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Petition, open_reports.c.n, open_reports.c.first)
        .join(open_reports, open_reports.c.petition_id == Petition.id)
        .order_by(desc(open_reports.c.n), open_reports.c.first)
    ).all()
    return render_template("moderation/reports.html", rows=rows)


def _account_page(user: User, suspend_form=None, reactivate_form=None, status: int = 200):
    counts = {
        "petitions": db.session.scalar(select(func.count()).select_from(Petition).where(Petition.author_id == user.id)),
        "signatures": db.session.scalar(select(func.count()).select_from(Signature).where(Signature.user_id == user.id)),
    }
    petitions = db.session.scalars(select(Petition).where(Petition.author_id == user.id)
                                   .order_by(desc(Petition.id)).limit(20)).all()
    history = db.session.scalars(
        select(AuditEntry).where(AuditEntry.target_type == "user", AuditEntry.target_id == user.id,
                                 AuditEntry.action.in_(("user.suspend", "user.reactivate")))
        .order_by(desc(AuditEntry.id))).all()
    return render_template("moderation/account.html", user=user, counts=counts, petitions=petitions,
                           history=history, suspend_form=suspend_form or forms.SuspendForm(prefix="suspend"),
                           reactivate_form=reactivate_form or forms.ReactivateForm(prefix="reactivate"),
                           state_names=STATE_NAMES), status


@bp.route("/accounts/<id:user_id>")
@roles_required(*MODERATORS)
def account(user_id: int):
    return _account_page(db.session.get(User, user_id) or abort(404))


@bp.route("/accounts/<id:user_id>/<any(suspend, reactivate):action>", methods=["POST"])
@roles_required(*MODERATORS)
def account_action(user_id: int, action: str):
    user = db.session.get(User, user_id) or abort(404)
    form = forms.SuspendForm(prefix="suspend") if action == "suspend" else forms.ReactivateForm(prefix="reactivate")
    others = {"suspend_form": form} if action == "suspend" else {"reactivate_form": form}
    if not form.validate_on_submit():
        return _account_page(user, **others, status=422)
    try:
        if action == "suspend":
            accounts.suspend(current_user, user, form.reason.data)
        else:
            accounts.reactivate(current_user, user, form.note.data)
    except accounts.SuspensionError as exc:
        return _account_page(user, **others, status=flash_refusal(exc))
    flash(_("The account is suspended: it cannot log in, sign or create petitions.") if action == "suspend"
          else _("The account is active again."), "success")
    return redirect(url_for("moderation.account", user_id=user.id))


# --- invalidation ----------------------------------------------------------------------

def _invalidate_page(filter_form, run_form=None, status: int = 200):
    shown = None
    if not filter_form.validate():
        status = 422
    elif not filter_form.criteria().empty:
        shown = integrity.preview(filter_form.criteria())
    if run_form is None:
        run_form = forms.RunForm(formdata=None, data=filter_form.data)
    return render_template("moderation/invalidate.html", filter_form=filter_form, run_form=run_form,
                           preview=shown, removal_names=REMOVAL_NAMES), status


@bp.route("/integrity/invalidate")
@roles_required(*MODERATORS)
def invalidate():
    return _invalidate_page(forms.FilterForm(formdata=request.args))


@bp.route("/integrity/invalidate", methods=["POST"])
@roles_required(*MODERATORS)
def start_invalidation():
    form = forms.RunForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _invalidate_page(forms.FilterForm(formdata=request.form), form, status=422)
    try:
        run = integrity.start(current_user, form.criteria(), RemovalCategory(form.category.data),
                              form.note.data, suspend_accounts=form.suspend.data)
    except integrity.RunError as exc:
        return _invalidate_page(forms.FilterForm(formdata=request.form), form, status=flash_refusal(exc))
    after_commit.call(integrity.enqueue_run, run.id)  # the job must find the run committed
    flash(_("The run has started: it works in the background; this page shows how far it has got."), "success")
    return redirect(url_for("moderation.run", run_id=run.id), 303)


def _described(criteria: dict) -> list[tuple[str, str]]:
    """A run's filter as (label, value) in the reader's language."""
    labels = forms.FilterForm(formdata=None)
    names = {"petition_id": "petition", "account_ids": "accounts"}
    described = []
    for key, value in criteria.items():
        name = names.get(key, key)
        if name not in labels:
            continue
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        elif name.endswith(("_from", "_to")):
            value = format_datetime(datetime.fromisoformat(value), "short")
        described.append((str(labels[name].label.text), str(value)))
    return described


def _run_page(run: SignatureInvalidation, status: int = 200, revalidate_form=None):
    undo = None
    if run.kind is InvalidationKind.INVALIDATE and not run.active and run.reversed_at is None:
        undo = integrity.preview_revalidation(run).total
    return render_template(
        "moderation/run.html", run=run, criteria=_described(run.criteria), removal_names=REMOVAL_NAMES,
        cancel_form=forms.CancelForm(), revalidate_form=revalidate_form or forms.RevalidateForm(),
        undo=undo, reversal=db.session.scalar(select(SignatureInvalidation).where(
            SignatureInvalidation.reverses_id == run.id)),
        per_petition=integrity.per_petition(run)), status


@bp.route("/integrity/runs")
@roles_required(*MODERATORS)
def runs():
    return render_template("moderation/runs.html", runs=integrity.recent(), removal_names=REMOVAL_NAMES)


@bp.route("/integrity/runs/<id:run_id>")
@roles_required(*MODERATORS)
def run(run_id: int):
    return _run_page(db.session.get(SignatureInvalidation, run_id) or abort(404))


@bp.route("/integrity/runs/<id:run_id>/<any(cancel, revalidate):action>", methods=["POST"])
@roles_required(*MODERATORS)
def run_action(run_id: int, action: str):
    run = db.session.get(SignatureInvalidation, run_id) or abort(404)
    form = forms.CancelForm() if action == "cancel" else forms.RevalidateForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _run_page(run, 422, revalidate_form=form)
    try:
        if action == "cancel":
            integrity.request_cancel(current_user, run)
            target = run
        else:
            target = integrity.start_revalidation(current_user, run, form.note.data)
    except integrity.RunError as exc:
        return _run_page(run, flash_refusal(exc), revalidate_form=form if action == "revalidate" else None)
    if action == "revalidate":
        after_commit.call(integrity.enqueue_run, target.id)
        flash(_("The signatures are being restored: this page shows how far it has got."), "success")
    else:
        flash(_("The run stops after the batch in hand; what it has done so far stays done (undo it here)."),
              "success")
    return redirect(url_for("moderation.run", run_id=target.id), 303)


# --- the integrity dashboard -----------------------------------------------------------


@bp.route("/integrity")
@roles_required(*MODERATORS)
def integrity_dashboard():
    now = trending.period()
    previous = request.args.get("period") == "previous"
    number = now - 1 if previous else now
    petition_id = request.args.get("petition", "")
    petition_id = int(petition_id) if petition_id.isascii() and petition_id.isdigit() and len(petition_id) < 10 \
        else None
    figures, unavailable = {}, False
    try:
        figures = alerts.snapshot(number, petition_id)
    except redis.RedisError:
        unavailable = True
    return render_template(
        "moderation/integrity.html", figures=figures, unavailable=unavailable, previous=previous,
        start=trending.period_start(number), end=trending.period_start(number + 1),
        local=lambda moment: moment.astimezone(clock.ALMATY).strftime("%Y-%m-%dT%H:%M"),
        petition=db.session.get(Petition, petition_id) if petition_id else None,
        recent_alerts=alerts.recent(), source_names=alerts.SOURCE_NAMES, metric_names=alerts.METRIC_NAMES,
        scope_names=alerts.SCOPE_NAMES, runs=integrity.recent(5), filter_link=_filter_link)


def _filter_link(source: str, value: str, petition_id: int | None = None, **extra) -> str:
    """The invalidation filter for one source (of one petition), ready to preview."""
    params = {source: value, **extra}
    if petition_id:
        params["petition"] = petition_id
    return url_for("moderation.invalidate", **params)
