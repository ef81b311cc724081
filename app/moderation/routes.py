"""The moderation queue, the petition's moderation page, the reported list."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import desc, func, select

from app import clock
from app.bodies.queries import body_choices
from app.extensions import db
from app.formerrors import show_error
from app.models import (
    AuditEntry,
    ModerationDecision,
    Petition,
    PetitionState,
    RejectionCode,
    Report,
    ReviewCase,
    Role,
    Signature,
    User,
)
from app.moderation import accounts, forms, services
from app.net import page_arg
from app.petitions import queries
from app.petitions.lifecycle import IllegalTransition
from app.petitions.messages import message_for
from app.petitions.names import REPORT_REASON_NAMES, STATE_NAMES
from app.petitions.services import PetitionError
from app.review import services as review_services
from app.review.forms import ReassignForm
from app.security import roles_required
from app.workdays import working_days_between

bp = Blueprint("moderation", __name__)
MODERATORS = (Role.MODERATOR, Role.ADMIN)
PAGE_SIZE = 25


NOT_HIDING = _l("Choose one of the reasons that hide a petition.")
NOTHING_CHANGED = _l("Change the category or the state body, or cancel.")


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
            services.reject(me, p, RejectionCode(form.code.data), form.explanation.data)
        elif action == "take-down":
            services.take_down(me, p, RejectionCode(form.code.data), form.note.data)
        elif action == "restore":
            services.restore(me, p, form.note.data)
        elif action == "metadata":
            services.change_metadata(me, p, form.category.data, form.body.data, form.note.data)
        else:
            services.dismiss_reports(me, p, form.note.data)
    except IllegalTransition:
        db.session.rollback()
        db.session.refresh(p)
        flash(_("This action is not possible now: the petition is “%(state)s”.", state=STATE_NAMES[p.state]),
              "error")
        return _page(p, _forms(p), status=409)
    except services.OwnPetition:
        db.session.rollback()
        flash(_("You wrote this petition, so another moderator must decide on it."), "error")
        return _page(p, _forms(p), status=403)
    except PetitionError as exc:
        db.session.rollback()
        message = {"not_hiding_code": NOT_HIDING, "nothing_changed": NOTHING_CHANGED}.get(exc.code) \
            or message_for(exc.code)
        show_error(form, exc.field, message)
        return _page(p, all_forms, status=422)
    db.session.commit()
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
        db.session.rollback()
        form.body.errors = [*form.body.errors, REASSIGN_ERRORS[exc.code]]
        return _page(p, _forms(p), status=409 if exc.code == "wrong_state" else 422, reassign_form=form)
    db.session.commit()
    flash(_("Done."), "success")
    return redirect(url_for("moderation.petition", petition_id=p.id))


REASSIGN_ERRORS = {
    "unknown_body": _l("Choose a state body from the list."),
    "same_body": _l("The case is already with this state body."),
    "wrong_state": _l("An answered case cannot be reassigned."),
    "note_required": _l("Write a note."),
}


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


SUSPENSION_ERRORS = {
    "self": _l("You cannot suspend or reactivate your own account."),
    "staff": _l("Only an administrator can suspend or reactivate a member of staff."),
    "already": _l("This account is already suspended."),
    "last_admin": _l("This is the last active administrator: make another one first."),
    "not_suspended": _l("This account is not suspended."),
}


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
        db.session.rollback()
        flash(str(SUSPENSION_ERRORS[exc.code]), "error")
        return _account_page(user, **others, status=403 if exc.code in ("self", "staff", "last_admin") else 409)
    db.session.commit()
    flash(_("The account is suspended: it cannot log in, sign or create petitions.") if action == "suspend"
          else _("The account is active again."), "success")
    return redirect(url_for("moderation.account", user_id=user.id))
