"""Admin pages. Every view requires the admin role."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import and_, func, or_, select
from wtforms.fields.choices import SelectChoice

from app.accounts import two_factor
from app.accounts.two_factor import SecondFactorError
from app.admin import forms
from app.admin.services import (
    RoleError,
    RuleError,
    add_rate_rule,
    grant_role,
    revoke_role,
    set_body_rule,
    set_population,
    update_alert_rule,
    update_rate_rule,
)
from app.bodies.thresholds import describe_counted, describe_threshold, threshold_for
from app.core.collation import alphabetical
from app.core.jobs import after_commit
from app.extensions import db
from app.fraud import ratelimits
from app.models import (
    AlertRule,
    DigestRecord,
    District,
    IdentityLevel,
    OutboxEmail,
    OutboxStatus,
    RateRule,
    Region,
    Role,
    StateBody,
    ThresholdRule,
    User,
)
from app.moderation import alerts
from app.web.access import roles_required
from app.web.forms import abandon, form_page, refuse, show_error
from app.web.requests import page_arg

bp = Blueprint("admin", __name__)
PAGE_SIZE = 50

def _reauthenticated(form) -> bool:
    """The administrator's password and a fresh code, asked again on `form`; on failure
    the field's error says which was wrong and nothing has changed (the count of wrong
    codes is written on its own: app.accounts.two_factor); the form page answers 422."""
    try:
        two_factor.reauthenticate(current_user, form.reauth_password.data, form.reauth_code.data)
    except SecondFactorError as exc:
        abandon(exc)
        show_error(form, "reauth_password" if exc.field == "password" else "reauth_code", exc.message())
        return False
    return True


@bp.route("/users")
@roles_required(Role.ADMIN)
def users():
    form = forms.UserSearchForm(request.args)
    query = select(User).order_by(User.id)
    words = (form.q.data or "").split()[:5]
    if words:
        # Every word in one of the name's parts or the address, whatever the letters' case
        # (SQLite's lower() folds ASCII only).
        fold = func.dauys_fold if db.session.get_bind().dialect.name == "sqlite" else func.lower
        query = query.where(and_(*(
            or_(*(fold(column).like(f"%{word.casefold()}%")
                  for column in (User.surname, User.given_name, User.patronymic, User.email)))
            for word in words)))
    page = db.paginate(query, page=page_arg(), per_page=PAGE_SIZE, error_out=False)
    return render_template("admin/users.html", page=page, form=form)


def _bodies_choices():
    lang = str(get_locale())
    bodies = db.session.scalars(select(StateBody).order_by(StateBody.sort_order, StateBody.code))
    return [SelectChoice("", _("None"))] + [SelectChoice(b.code, b.name(lang)) for b in bodies]


@bp.route("/users/<id:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_detail(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    grant_form = forms.GrantRoleForm(prefix="grant")
    grant_form.body.choices = _bodies_choices()
    revoke_form = forms.RevokeRoleForm(prefix="revoke")
    reset_form = forms.ResetSecondFactorForm(prefix="reset")
    page = {"user": user, "grant_form": grant_form, "revoke_form": revoke_form, "reset_form": reset_form}
    if request.method == "POST":
        action = request.form.get("action")
        form = {"grant": grant_form, "revoke": revoke_form, "reset_second_factor": reset_form}.get(action)
        if form is None:
            abort(400)
        if form is reset_form:
            if not user.has_second_factor:
                abort(409)
            if form.validate_on_submit() and _reauthenticated(form):
                two_factor.reset(current_user, user)
                flash(_("The second factor is reset: the account must set it up again at its next log-in."),
                      "success")
                return redirect(url_for("admin.user_detail", user_id=user.id))
        elif form.validate_on_submit() and _reauthenticated(form):
            try:
                if form is grant_form:
                    grant_role(current_user, user, Role(form.role.data), form.body.data or None)
                else:
                    revoke_role(current_user, user, Role(form.role.data))
            except RoleError as exc:
                return refuse(form, exc, "admin/user_detail.html", **page)
            flash(_("Roles updated."), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return form_page("admin/user_detail.html", **page)


@bp.route("/bodies")
@roles_required(Role.ADMIN)
def bodies():
    items = db.session.scalars(
        select(StateBody).order_by(StateBody.sort_order, StateBody.code)
    ).all()
    return render_template("admin/bodies.html", bodies=items, describe=describe_threshold)


@bp.route("/bodies/<id:body_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def body_detail(body_id: int):
    body = db.session.get(StateBody, body_id) or abort(404)
    form = forms.BodyRuleForm(obj=None)
    if request.method == "GET":
        form.rule.data = body.threshold_rule.value
        form.fixed.data = body.threshold_fixed
        form.percent.data = body.threshold_percent
        form.fallback.data = body.threshold_fallback
        form.review_period_days.data = body.review_period_days
        form.counted_from.data = body.counted_from.value if body.counted_from else ""
        form.active.data = body.active
    if form.validate_on_submit() and _reauthenticated(form):
        set_body_rule(current_user, body, rule=ThresholdRule(form.rule.data), fixed=form.fixed.data,
                      percent=form.percent.data, fallback=form.fallback.data,
                      review_period_days=form.review_period_days.data, active=form.active.data,
                      note=form.note.data,
                      counted_from=IdentityLevel(form.counted_from.data) if form.counted_from.data else None)
        flash(_("The state body is updated."), "success")
        return redirect(url_for("admin.body_detail", body_id=body.id))
    return form_page("admin/body_detail.html", body=body, form=form, threshold=threshold_for(body),
                     describe=describe_threshold, counted=describe_counted(body))


@bp.route("/regions")
@roles_required(Role.ADMIN)
def regions():
    lang = str(get_locale())
    items = alphabetical(db.session.scalars(select(Region)), lang, lambda r: r.name(lang))
    return render_template("admin/regions.html", regions=items)


def _population_page(unit: Region | District, back: str, **context):
    """The population form of a region or a district: its figure, date and source."""
    form = forms.PopulationForm()
    if request.method == "GET":
        form.population.data, form.as_of.data = unit.population, unit.population_as_of
        form.source.data = unit.population_source
    if form.validate_on_submit() and _reauthenticated(form):
        set_population(current_user, unit, population=form.population.data, as_of=form.as_of.data,
                       source=form.source.data, note=form.note.data)
        flash(_("The population is saved. A re-seed will not replace it."), "success")
        return redirect(back)
    return form_page("admin/region_detail.html", region=unit, form=form, back=back, **context)


@bp.route("/regions/<id:region_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def region_detail(region_id: int):
    """A region's population, and its districts and cities with theirs."""
    region = db.session.get(Region, region_id) or abort(404)
    lang = str(get_locale())
    districts = alphabetical(db.session.scalars(select(District).where(District.region_id == region.id)), lang,
                             lambda d: d.name(lang))
    return _population_page(region, url_for("admin.regions"), districts=districts)


@bp.route("/districts/<id:district_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def district_detail(district_id: int):
    district = db.session.get(District, district_id) or abort(404)
    return _population_page(district, url_for("admin.region_detail", region_id=district.region_id), districts=[])


@bp.route("/digests")
@roles_required(Role.ADMIN)
def digests():
    query = select(DigestRecord).order_by(DigestRecord.created_at.desc(), DigestRecord.id.desc())
    page = db.paginate(query, page=page_arg(), per_page=PAGE_SIZE, error_out=False)
    email_ids = [r.outbox_email_id for r in page.items if r.outbox_email_id]
    statuses = dict(db.session.execute(select(OutboxEmail.id, OutboxEmail.status)
                                       .where(OutboxEmail.id.in_(email_ids))).all()) if email_ids else {}
    return render_template("admin/digests.html", page=page, statuses=statuses)


@bp.route("/outbox")
@roles_required(Role.ADMIN)
def outbox():
    status_filter = request.args.get("status")
    query = select(OutboxEmail).order_by(OutboxEmail.id.desc())
    if status_filter:
        try:
            query = query.where(OutboxEmail.status == OutboxStatus(status_filter))
        except ValueError:
            abort(400)
    counts = dict(
        db.session.execute(
            select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status)
        ).all()
    )
    page = db.paginate(query, page=page_arg(), per_page=PAGE_SIZE, error_out=False)
    return render_template("admin/outbox.html", page=page, counts=counts,
                           statuses=list(OutboxStatus), status_filter=status_filter)


# --- rate limits and alert thresholds ---------------------------------------------------

def _limits_page(forms_by_key: dict | None = None, status: int = 200):
    forms_by_key = forms_by_key or {}
    rate_rules = db.session.scalars(select(RateRule).order_by(RateRule.action, RateRule.scope,
                                                              RateRule.window_seconds)).all()
    rate_forms = {r.id: forms_by_key.get(("rate", r.id)) or forms.RateRuleForm(
        formdata=None, prefix=f"rate{r.id}", obj=r) for r in rate_rules}
    alert_rules = alerts.rules()
    alert_forms = {r.id: forms_by_key.get(("alert", r.id)) or forms.AlertRuleForm(
        formdata=None, prefix=f"alert{r.id}", obj=r) for r in alert_rules}
    new_form = forms_by_key.get("new") or forms.NewRateRuleForm(formdata=None, prefix="new", enabled=True)
    return render_template(
        "admin/limits.html", rate_rules=rate_rules, rate_forms=rate_forms, alert_rules=alert_rules,
        alert_forms=alert_forms, new_form=new_form, actions=dict((c.value, c.label) for c in forms.ACTION_CHOICES),
        scopes=dict((c.value, c.label) for c in forms.SCOPE_CHOICES), source_names=alerts.SOURCE_NAMES,
        metric_names=alerts.METRIC_NAMES, scope_names=alerts.SCOPE_NAMES), status


@bp.route("/limits")
@roles_required(Role.ADMIN)
def limits():
    return _limits_page()


@bp.route("/limits/rate/<id:rule_id>", methods=["POST"])
@roles_required(Role.ADMIN)
def rate_rule(rule_id: int):
    rule = db.session.get(RateRule, rule_id) or abort(404)
    form = forms.RateRuleForm(prefix=f"rate{rule.id}")
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _limits_page({("rate", rule.id): form}, 422)
    try:
        changed = update_rate_rule(current_user, rule, max_count=form.max_count.data,
                                   window_seconds=form.window_seconds.data, enabled=form.enabled.data)
    except RuleError as exc:
        status = abandon(exc)
        show_error(form, exc.field, exc.message())
        return _limits_page({("rate", rule.id): form}, status)
    after_commit.call(ratelimits.forget)  # read again once the change is there to read
    flash(_("The rule is saved; every server applies it within a few seconds.") if changed
          else _("Nothing changed."), "success")
    return redirect(url_for("admin.limits"), 303)


@bp.route("/limits/rate", methods=["POST"])
@roles_required(Role.ADMIN)
def new_rate_rule():
    form = forms.NewRateRuleForm(prefix="new")
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _limits_page({"new": form}, 422)
    try:
        add_rate_rule(current_user, action=form.action.data, scope=form.scope.data, max_count=form.max_count.data,
                      window_seconds=form.window_seconds.data, enabled=form.enabled.data)
    except RuleError as exc:
        status = abandon(exc)
        show_error(form, exc.field, exc.message())
        return _limits_page({"new": form}, status)
    after_commit.call(ratelimits.forget)
    flash(_("The rule is added; every server applies it within a few seconds."), "success")
    return redirect(url_for("admin.limits"), 303)


@bp.route("/limits/alert/<id:rule_id>", methods=["POST"])
@roles_required(Role.ADMIN)
def alert_rule(rule_id: int):
    rule = db.session.get(AlertRule, rule_id) or abort(404)
    form = forms.AlertRuleForm(prefix=f"alert{rule.id}")
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _limits_page({("alert", rule.id): form}, 422)
    changed = update_alert_rule(current_user, rule, threshold=form.threshold.data, enabled=form.enabled.data)
    flash(_("The threshold is saved.") if changed else _("Nothing changed."), "success")
    return redirect(url_for("admin.limits"), 303)
