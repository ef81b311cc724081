"""Signing in with the state's identity provider: the start, the provider's answer, a new
person's last step, and linking an account registered with a typed IIN (after its
password: app.accounts.routes.login links it once that is given)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app import legal
from app.accounts import forms, state_idp
from app.accounts.routes import bp
from app.accounts.routes.common import log_in, region_choices
from app.accounts.routes.login import open_session
from app.accounts.state_idp import LINK, NEW, StateIdentity, StateIdError
from app.extensions import limiter
from app.web.forms import abandon, submit
from app.web.requests import absolute_url, safe_next_url

NEXT = "state_idp_next"


def _problem(exc: StateIdError):
    """The page that says why the sign-in stopped; nothing of it is kept."""
    status = abandon(exc)
    return render_template("accounts/state_idp_problem.html", message=exc.message()), status


@bp.route("/login/state")
@limiter.limit("30 per minute")
def state_idp_start():
    if not state_idp.enabled():
        abort(404)
    session[NEXT] = safe_next_url(request.args.get("next"))
    try:
        return state_idp.start(absolute_url("accounts.state_idp_callback"))
    except StateIdError as exc:
        return _problem(exc)


@bp.route("/login/state/callback")
@limiter.limit("30 per minute")
def state_idp_callback():
    if not state_idp.enabled():
        abort(404)
    target = safe_next_url(session.pop(NEXT, None)) or url_for("accounts.account")
    try:
        identity = state_idp.finish_sign_in()
        user = state_idp.account_for(identity)
        if user is None:
            if current_user.is_authenticated:
                # Logged in to an account with no IIN (or another): nothing to attach to.
                raise StateIdError("link_other", status=403)
            session[NEW] = identity.to_session()
            session[NEXT] = target
            return redirect(url_for("accounts.state_idp_finish"))
        if current_user.is_authenticated and current_user.id != user.id:
            # Someone else is logged in on this browser: nothing of theirs is touched.
            raise StateIdError("link_other", status=403)
        if current_user.is_authenticated or user.identity_level.verified:
            state_idp.vouch(user, identity)
        else:
            # Registered with the same IIN typed by hand: only its password (and second
            # factor) shows that the account is this person's.
            session[LINK] = identity.to_session()
            flash(_("An account is registered with your IIN. Log in to it with its password to confirm it "
                    "through %(provider)s.", provider=state_idp.provider_name()), "info")
            return redirect(url_for("accounts.login", next=target))
    except StateIdError as exc:
        return _problem(exc)
    if current_user.is_authenticated:
        flash(_("Your identity is confirmed through %(provider)s.", provider=state_idp.provider_name()), "success")
        return redirect(target)
    return open_session(user, target, remember=False)


@bp.route("/login/state/finish", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def state_idp_finish():
    identity = StateIdentity.from_session(session.get(NEW))
    if identity is None or current_user.is_authenticated:
        session.pop(NEW, None)
        return _problem(StateIdError("expired"))
    form = forms.StateIdFinishForm()
    form.region.choices = region_choices()
    if request.method == "GET" and identity.email:
        form.email.data = identity.email
    target = safe_next_url(session.get(NEXT)) or url_for("accounts.account")

    def create():
        user = state_idp.create_account(identity, form.email.data, form.region.data, str(get_locale()),
                                        legal.notice_version())
        log_in(user, remember=False)  # a fresh session: the claims kept for this page go
        if user.is_verified:
            flash(_("Your account is made, and your identity is confirmed through %(provider)s.",
                    provider=state_idp.provider_name()), "success")
        else:
            flash(_("Your account is made, and your identity is confirmed through %(provider)s. We have sent a "
                    "confirmation link to %(email)s.", provider=state_idp.provider_name(), email=user.email),
                  "success")
        return redirect(target)

    return submit(form, "accounts/state_idp_finish.html", create, identity=identity,
                  provider=state_idp.provider_name())
