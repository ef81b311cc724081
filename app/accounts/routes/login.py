"""Logging in (the password, then the second factor's code), logging out, and setting
a new password by email."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from app.accounts import forms, services, sessions, state_idp, throttle, two_factor
from app.accounts.messages import too_many_codes
from app.accounts.routes import bp
from app.accounts.routes.common import link_problem, log_in
from app.accounts.routes.settings import consent_first
from app.accounts.services import AccountError
from app.accounts.tokens import TokenError
from app.accounts.two_factor import SecondFactorError
from app.core import clock
from app.extensions import db, limiter
from app.models import User
from app.web.forms import form_page, refuse
from app.web.requests import add_emailed_link, client_address, forget_link_token, link_token, safe_next_url

PENDING = "second_factor_pending"


def _pending_user():
    """The account whose password was right and whose code is awaited, or None."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None, None
    age = clock.timestamp() - float(pending.get("at", 0))
    if not 0 <= age <= current_app.config["TWO_FACTOR_PENDING_SECONDS"]:
        return None, None
    user = db.session.get(User, int(pending.get("u", 0)))
    if user is None or not user.active or not user.has_second_factor:
        return None, None
    return user, pending


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("60 per minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    form = forms.LoginForm()
    next_url = safe_next_url(request.args.get("next"))
    if form.validate_on_submit():
        email, address = form.email.data, client_address()
        try:
            # Refused while blocked (429: not a dead end, a reset by email lets the owner
            # in at once and trusts this browser), suspended (403), wrong (401, counted).
            user = services.password_log_in(email, form.password.data, address)
        except AccountError as exc:
            return refuse(form, exc, "accounts/login.html", next_url=next_url)
        if not user.has_second_factor:  # with one: once its code is right (login_code)
            throttle.record_success(email, address)
        return open_session(user, next_url or url_for("accounts.account"), remember=bool(form.remember.data))
    return form_page("accounts/login.html", form=form, next_url=next_url)


def open_session(user, target: str, remember: bool):
    """After the first factor (the password, or the state's identity provider): the code
    page for an account with a second factor (nothing counts as a log-in until the code),
    else the session. An account the state's identity provider sent its owner to log in
    to is linked to it once logged in."""
    link = session.get(state_idp.LINK)
    if user.has_second_factor:
        session.clear()
        session[PENDING] = {"u": user.id, "at": clock.timestamp(), "next": target, "r": remember, "link": link}
        return redirect(url_for("accounts.login_code"))
    log_in(user, remember=remember)
    _link(user, link)
    return redirect(consent_first(user, target))


def _link(user, link) -> None:
    identity = state_idp.StateIdentity.from_session(link)
    if identity is None:
        return
    try:
        state_idp.vouch(user, identity)
    except state_idp.StateIdError as exc:
        flash(exc.message(), "error")
        return
    flash(_("Your identity is confirmed through %(provider)s.", provider=state_idp.provider_name()), "success")


def _locked_out():
    """Too many wrong codes: back to the password, which starts the log-in again."""
    session.pop(PENDING, None)
    flash(too_many_codes(), "error")
    return redirect(url_for("accounts.login"))


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def login_code():
    """The second step of logging in to an account with a second factor."""
    user, pending = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash(_("Log in again: the time to enter the code ran out."), "info")
        return redirect(url_for("accounts.login"))
    form = forms.SecondFactorForm()
    if two_factor.is_locked(user):
        return _locked_out()
    if form.validate_on_submit():
        try:
            two_factor.check(user, form.code.data)
        except SecondFactorError as exc:
            # The wrong code is counted already (app.core.database.write_now).
            if exc.field == "locked":
                return _locked_out()
            return refuse(form, exc, "accounts/login_code.html")
        throttle.record_success(user.email, client_address())
        target = safe_next_url(pending.get("next")) or url_for("accounts.account")
        log_in(user, remember=bool(pending.get("r")), second_factor=True)
        _link(user, pending.get("link"))
        return redirect(consent_first(user, target))
    return form_page("accounts/login_code.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    form = forms.ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        # Ends the session on the server: a copy of its cookies stops working too.
        sessions.end(current_user)
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("site.home"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def reset_request():
    form = forms.ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return form_page("accounts/reset_request.html", form=form)


add_emailed_link(bp, "/reset", "reset", "reset_password")


@bp.route("/reset/password", methods=["GET", "POST"])
def reset_password():
    token = link_token("reset")
    try:
        services.check_reset(token)
    except (TokenError, AccountError) as exc:
        return link_problem(exc)
    form = forms.ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(token, form.password.data)
        except (TokenError, AccountError) as exc:
            return link_problem(exc)
        throttle.password_was_reset(user.email)
        forget_link_token("reset")
        if current_user.is_authenticated:
            logout_user()
        flash(_("Your password has been changed. Log in with the new password."), "success")
        return redirect(url_for("accounts.login"))
    return form_page("accounts/reset_password.html", form=form)
