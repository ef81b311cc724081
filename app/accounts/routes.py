"""Account pages: register, verify, log in/out, reset, account settings."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.accounts import forms, services, throttle
from app.accounts.messages import ERRORS, under_age_message
from app.accounts.services import AccountError
from app.accounts.tokens import TokenError
from app.extensions import db, limiter
from app.formerrors import show_error
from app.models import Petition, PetitionState, Region, Signature
from app.net import client_address, safe_next_url

bp = Blueprint("accounts", __name__)

FORM_ERROR = 422


def _region_choices():
    lang = str(get_locale())
    regions = db.session.scalars(select(Region)).all()
    choices = sorted((SelectChoice(r.code, r.name(lang)) for r in regions), key=lambda c: c.label)
    return [SelectChoice("", _("Choose a region"))] + choices


def _show_error(form, exc: AccountError) -> None:
    if (exc.field, exc.code) == ("iin", "under_age"):
        message = under_age_message(current_app.config["MIN_AGE_YEARS"])
    else:
        message = ERRORS[(exc.field, exc.code)]
    show_error(form, exc.field, message)


def _token_problem(exc: Exception) -> str:
    if isinstance(exc, TokenError):
        return ERRORS[("token", "expired" if exc.expired else "invalid")]
    return ERRORS[(exc.field, exc.code)]


def _login(user, remember: bool) -> None:
    # A fresh session at log-in: nothing planted before it survives (session fixation).
    session.clear()
    login_user(user, remember=remember)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    form = forms.RegisterForm()
    form.region.choices = _region_choices()
    if form.validate_on_submit():
        data = services.Registration(
            full_name=form.full_name.data,
            email=form.email.data,
            password=form.password.data,
            region_code=form.region.data,
            iin=form.iin.data,
            language=str(get_locale()),
        )
        try:
            user = services.register(data)
        except AccountError as exc:
            db.session.rollback()
            _show_error(form, exc)
        else:
            db.session.commit()
            _login(user, remember=False)
            return redirect(url_for("accounts.verify_sent"))
    status = FORM_ERROR if request.method == "POST" else 200
    return render_template("accounts/register.html", form=form), status


@bp.route("/verify/sent")
@login_required
def verify_sent():
    return render_template("accounts/verify_sent.html", form=forms.ResendVerificationForm())


@bp.route("/verify/resend", methods=["POST"])
@login_required
@limiter.limit("5 per hour")
def resend_verification():
    form = forms.ResendVerificationForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_verified:
        flash(_("Your email address is already confirmed."), "info")
        return redirect(url_for("accounts.account"))
    services.send_verification(current_user)
    db.session.commit()
    flash(_("We have sent a new confirmation link to %(email)s.", email=current_user.email), "info")
    return redirect(url_for("accounts.verify_sent"))


def _token_page(check, perform, template: str, done_message: str, done_endpoint: str):
    """GET shows a page with a button; POST does the change. Mail scanners prefetch
    links, so a GET must never change anything."""
    token = request.view_args["token"]
    try:
        user = check(token)
    except (TokenError, AccountError) as exc:
        db.session.rollback()
        return render_template("accounts/token_problem.html", message=_token_problem(exc)), 400
    form = forms.ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            perform(token)
        except (TokenError, AccountError) as exc:
            db.session.rollback()
            return render_template("accounts/token_problem.html", message=_token_problem(exc)), 400
        db.session.commit()
        flash(done_message, "success")
        return redirect(url_for(done_endpoint))
    return render_template(template, form=form, user=user)


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify_email(token: str):
    return _token_page(
        services.check_verification,
        services.verify_email,
        "accounts/verify_confirm.html",
        _("Thank you: your email address is confirmed."),
        "accounts.account" if current_user.is_authenticated else "accounts.login",
    )


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("60 per minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    form = forms.LoginForm()
    status = 200
    if form.validate_on_submit():
        email, address = form.email.data, client_address()
        if throttle.is_blocked(email, address):
            abort(429)
        user = services.authenticate(email, form.password.data)
        if user is None:
            throttle.record_failure(email, address)
            db.session.rollback()
            form.password.errors = [_("The email or password is wrong.")]
            status = 401
        else:
            throttle.record_success(email, address)
            db.session.commit()
            _login(user, remember=form.remember.data)
            target = safe_next_url(request.args.get("next")) or url_for("accounts.account")
            return redirect(target)
    elif request.method == "POST":
        status = FORM_ERROR
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    form = forms.ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def reset_request():
    form = forms.ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        return render_template("accounts/reset_sent.html", email=form.email.data)
    status = FORM_ERROR if request.method == "POST" else 200
    return render_template("accounts/reset_request.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        services.check_reset(token)
    except (TokenError, AccountError) as exc:
        return render_template("accounts/token_problem.html", message=_token_problem(exc)), 400
    form = forms.ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except (TokenError, AccountError) as exc:
            db.session.rollback()
            return render_template("accounts/token_problem.html", message=_token_problem(exc)), 400
        db.session.commit()
        if current_user.is_authenticated:
            logout_user()
        flash(_("Your password has been changed. Log in with the new password."), "success")
        return redirect(url_for("accounts.login"))
    status = FORM_ERROR if request.method == "POST" else 200
    return render_template("accounts/reset_password.html", form=form), status


@bp.route("/account")
@login_required
def account():
    petitions = db.session.scalars(
        select(Petition).where(Petition.author_id == current_user.id).order_by(Petition.id.desc())).all()
    signatures = db.session.execute(
        select(Signature, Petition).join(Petition, Signature.petition_id == Petition.id)
        .where(Signature.user_id == current_user.id, Petition.author_id != current_user.id,
               Petition.state != PetitionState.HIDDEN)
        .order_by(Signature.id.desc())).all()
    return render_template("accounts/account.html", logout_form=forms.ConfirmForm(), petitions=petitions,
                           signatures=signatures)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = forms.ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except AccountError as exc:
            db.session.rollback()
            _show_error(form, exc)
        else:
            db.session.commit()
            # The session version changed: log in again with the new one so this
            # browser stays signed in while every other session ends.
            _login(current_user._get_current_object(), remember=False)
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("accounts.account"))
    status = FORM_ERROR if request.method == "POST" else 200
    return render_template("accounts/change_password.html", form=form), status


@bp.route("/account/email", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"])
def change_email():
    form = forms.ChangeEmailForm()
    if form.validate_on_submit():
        try:
            services.request_email_change(current_user, form.email.data, form.password.data)
        except AccountError as exc:
            db.session.rollback()
            _show_error(form, exc)
        else:
            db.session.commit()
            flash(
                _("We have sent a confirmation link to %(email)s. Your address changes when you follow it.",
                  email=current_user.pending_email),
                "info",
            )
            return redirect(url_for("accounts.account"))
    status = FORM_ERROR if request.method == "POST" else 200
    return render_template("accounts/change_email.html", form=form), status


@bp.route("/account/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email_change(token: str):
    return _token_page(
        services.check_email_change,
        services.confirm_email_change,
        "accounts/email_change_confirm.html",
        _("Your email address has been changed."),
        "accounts.account" if current_user.is_authenticated else "accounts.login",
    )
