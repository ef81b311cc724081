"""The second factor on one's account: turning it on (a QR code and a code to prove it),
confirming this session with it, new recovery codes, and (citizens only) turning it off."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from app.accounts import forms, sessions, two_factor
from app.accounts.routes import bp
from app.accounts.two_factor import SecondFactorError
from app.extensions import limiter
from app.web.forms import form_page, show_error
from app.web.requests import safe_next_url

SETUP_SECRET = "second_factor_setup"  # noqa: S105 (a session key name, not a secret)


def _setup_secret() -> str:
    """The secret offered for enrolment, kept in this browser's session until it is
    confirmed with a code (the session cookie is the user's own and signed)."""
    if not isinstance(session.get(SETUP_SECRET), str):
        session[SETUP_SECRET] = two_factor.new_secret()
    return session[SETUP_SECRET]


def _codes_page(codes: list[str], next_url: str | None):
    return render_template("accounts/recovery_codes.html", codes=codes, next_url=next_url)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
@limiter.limit("30 per minute", methods=["POST"])
def two_factor_page():
    """Turn the second factor on (QR code and a code to prove it), confirm this session
    with it, renew recovery codes, or (citizens only) turn it off."""
    user = current_user._get_current_object()
    next_url = safe_next_url(request.args.get("next"))
    enable_form = forms.EnableSecondFactorForm(prefix="enable")
    code_form = forms.SecondFactorForm(prefix="code")
    disable_form = forms.DisableSecondFactorForm(prefix="off")
    if request.method == "POST":
        action = request.form.get("action")
        form = {"enable": enable_form, "confirm": code_form, "renew": code_form,
                "disable": disable_form}.get(action)
        if action == "enable" and user.has_second_factor:
            # The enrolment this browser just made, sent again (a double click): the same
            # codes once more; anything else is a stale form.
            codes = two_factor.enrolment_again(user, session.get(SETUP_SECRET))
            if codes is None:
                abort(400)
            return _codes_page(codes, next_url)
        if form is None or (action != "enable" and not user.has_second_factor) \
                or (action == "disable" and user.is_staff):
            abort(400)
        if form.validate_on_submit():
            try:
                if action == "enable":
                    codes = two_factor.enable(user, _setup_secret(), enable_form.code.data)
                elif action == "confirm":
                    two_factor.check(user, code_form.code.data)
                    sessions.mark_second_factor(user)
                elif action == "renew":
                    codes = two_factor.new_recovery_codes(user, code_form.code.data)
                else:
                    two_factor.disable(user, disable_form.reauth_password.data, disable_form.reauth_code.data)
            except SecondFactorError as exc:
                # Shown on the page again (422, below): the wrong code is counted already.
                if form is disable_form:
                    field = "reauth_password" if exc.field == "password" else "reauth_code"
                else:
                    field = "code"
                show_error(form, field, exc.message())
            else:
                if action == "enable":
                    # The setup secret stays in the session (until this page is next
                    # opened) so that the same enrolment sent again shows the same codes.
                    return _codes_page(codes, next_url)
                if action == "renew":
                    return _codes_page(codes, None)
                if action == "disable":
                    logout_user()
                    session.clear()
                    flash(_("The second factor is off. Log in again."), "info")
                    return redirect(url_for("accounts.login"))
                return redirect(next_url or url_for("accounts.account"))
    if user.has_second_factor:
        session.pop(SETUP_SECRET, None)
    secret = None if user.has_second_factor else _setup_secret()
    return form_page(
        "accounts/two_factor.html", enable_form=enable_form, code_form=code_form,
        disable_form=disable_form, secret=secret, next_url=next_url,
        codes_left=two_factor.recovery_codes_left(user) if user.has_second_factor else None,
    )


@bp.route("/account/two-factor/qr.svg")
@login_required
def two_factor_qr():
    """The enrolment QR code: the secret offered to this session, as an otpauth:// URI."""
    if current_user.has_second_factor or not isinstance(session.get(SETUP_SECRET), str):
        abort(404)
    svg = two_factor.qr_svg(two_factor.provisioning_uri(current_user, session[SETUP_SECRET]))
    return current_app.response_class(svg, mimetype="image/svg+xml")
