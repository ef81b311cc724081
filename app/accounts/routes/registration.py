"""Registering, and confirming the email address."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import legal
from app.accounts import forms, services
from app.accounts.routes import bp
from app.accounts.routes.common import region_choices, token_page
from app.accounts.services import AccountError
from app.extensions import limiter
from app.fraud import ratelimits
from app.web.forms import flash_refusal, form_page, refuse
from app.web.requests import add_emailed_link, client_address, link_token, safe_next_url


@bp.route("/register", methods=["GET", "POST"])
# Only forms that passed validation count per email address and domain: junk posts with
# someone's address cannot use up their day.
@ratelimits.limited("register", counted_when=lambda response: response.status_code == 200,
                    counted_scopes=("email", "email_domain", "network"))
def register():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    if not current_app.config["SELF_DECLARED_IDENTITY"]:
        # A typed IIN is not accepted here: accounts come from the state's identity provider.
        status = 200
        if request.method == "POST":
            status = flash_refusal(AccountError("self_declared_off", status=403))
        return render_template("accounts/register_state_idp.html",
                               next_url=safe_next_url(request.args.get("next"))), status
    form = forms.RegisterForm()
    form.region.choices = region_choices()
    next_url = safe_next_url(request.args.get("next"))
    if form.validate_on_submit():
        data = services.Registration(
            given_name=form.given_name.data,
            surname=form.surname.data,
            patronymic=form.patronymic.data,
            email=form.email.data,
            password=form.password.data,
            region_code=form.region.data,
            iin=form.iin.data,
            language=str(get_locale()),
            consent_version=legal.notice_version(),
        )
        try:
            services.register(data, origin={"ip": client_address(),
                                            "user_agent": request.headers.get("User-Agent", "")[:500]},
                              next_url=next_url)
        except AccountError as exc:
            form.website.data = ""
            return refuse(form, exc, "accounts/register.html", next_url=next_url)
        # The same page whether the account was made or the email or IIN was taken:
        # the outcome is in the email.
        return render_template("accounts/register_sent.html", email=services.normalize_email(data.email))
    # Autofill may have filled the honeypot: a person's next try starts with it empty.
    form.website.data = ""
    return form_page("accounts/register.html", form=form, next_url=next_url)


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
    flash(_("We have sent a new confirmation link to %(email)s.", email=current_user.email), "info")
    return redirect(url_for("accounts.verify_sent"))


add_emailed_link(bp, "/verify", "verify", "verify_email")


@bp.route("/verify/confirm", methods=["GET", "POST"])
def verify_email():
    # Back to where the person was going (the petition they came to sign), through the
    # log-in if this browser is not logged in.
    going = services.verification_next(link_token("verify"))
    if going and not current_user.is_authenticated:
        going = url_for("accounts.login", next=going)
    return token_page(
        "verify",
        services.check_verification,
        services.verify_email,
        "accounts/verify_confirm.html",
        _("Thank you: your email address is confirmed."),
        "accounts.account" if current_user.is_authenticated else "accounts.login",
        done_url=going,
    )
