"""The account page and its settings: password, email address, other sessions, name,
and agreeing to the privacy notice (asked first, before any other page, when it changed)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app import legal
from app.accounts import forms, own_data, services, sessions
from app.accounts.routes import bp
from app.accounts.routes.common import log_in, token_page
from app.core import clock
from app.extensions import db, limiter
from app.models import Petition, PetitionState, Signature
from app.web.forms import form_page, submit
from app.web.requests import add_emailed_link, safe_next_url

# What a logged-in person may still do before agreeing to a new privacy notice (or
# confirming their name, which comes after the notice).
CONSENT_FREE = frozenset({"accounts.consent", "accounts.logout", "accounts.download_data",
                          "accounts.delete_account", "static", "site.privacy", "site.set_language_view",
                          "site.health"})


def _asked_first(user) -> str | None:
    """The page a person must pass before anything else: the privacy notice when they
    have not agreed to its current version (it changed, or they registered before consent
    was recorded), then their name when a migration guessed its parts."""
    if user.consent_version != legal.notice_version():
        return "accounts.consent"
    if user.name_unconfirmed:
        return "accounts.name"
    return None


@bp.before_app_request
def _ask_consent_first():
    """A session (or remember-me cookie) from before a new privacy notice or a name split:
    that page first."""
    if not current_user.is_authenticated or request.endpoint in CONSENT_FREE or request.endpoint is None:
        return None
    first = None if request.blueprint == "api" else _asked_first(current_user)
    if first is None or request.endpoint == first:
        return None
    return redirect(url_for(first, next=request.full_path if request.method == "GET" else None))


def consent_first(user, target: str) -> str:
    """Where to go after logging in: the page asked first (above), then `target`."""
    first = _asked_first(user)
    return url_for(first, next=target) if first else target


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
                           signatures=signatures, other_sessions=sessions.count_others(current_user))


@bp.route("/account/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions():
    """Log out every other browser and device (a lost phone, a shared computer)."""
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    sessions.end_all(user, keep=user.current_session)
    flash(_("Every other session of your account has ended."), "success")
    return redirect(url_for("accounts.account"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = forms.ChangePasswordForm()

    def change():
        services.change_password(current_user, form.current_password.data, form.password.data)
        # Every session of the account ended: open a new one so this browser stays
        # signed in (with the second factor it just had) while every other ends.
        user = current_user._get_current_object()
        remembered = user.current_session is not None and user.current_session.remember
        log_in(user, remember=remembered, second_factor=user.second_factor_passed)
        flash(_("Your password has been changed."), "success")
        return redirect(url_for("accounts.account"))

    return submit(form, "accounts/change_password.html", change)


@bp.route("/account/email", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"])
def change_email():
    form = forms.ChangeEmailForm()

    def request_change():
        services.request_email_change(current_user, form.email.data, form.password.data)
        flash(
            _("We have sent a confirmation link to %(email)s. Your address changes when you follow it.",
              email=current_user.pending_email),
            "info",
        )
        return redirect(url_for("accounts.account"))

    return submit(form, "accounts/change_email.html", request_change)


add_emailed_link(bp, "/account/email/confirm", "email", "confirm_email_change")


@bp.route("/account/email/confirm", methods=["GET", "POST"])
def confirm_email_change():
    return token_page(
        "email",
        services.check_email_change,
        services.confirm_email_change,
        "accounts/email_change_confirm.html",
        _("Your email address has been changed."),
        "accounts.account" if current_user.is_authenticated else "accounts.login",
    )


@bp.route("/account/name", methods=["GET", "POST"])
@login_required
def name():
    """Correct one's name; also the page a person whose name a migration split confirms."""
    user = current_user._get_current_object()
    form = forms.NameForm(obj=user if request.method == "GET" else None)
    target = safe_next_url(request.args.get("next")) or url_for("accounts.account")

    def change():
        own_data.change_name(user, form.given_name.data, form.surname.data, form.patronymic.data)
        flash(_("Your name is saved. Public pages show it as %(name)s.", name=user.display_name), "success")
        return redirect(target)

    return submit(form, "accounts/name.html", change, confirming=user.name_unconfirmed)


@bp.route("/account/consent", methods=["GET", "POST"])
@login_required
def consent():
    """The privacy notice changed (or was never agreed to): read it, agree, go on."""
    form = forms.ConsentForm()
    target = safe_next_url(request.args.get("next")) or url_for("accounts.account")
    if form.validate_on_submit():
        user = current_user._get_current_object()
        user.consent_version, user.consent_at = legal.notice_version(), clock.now()
        return redirect(target)
    return form_page("accounts/consent.html", form=form, notice=legal.page("privacy", str(get_locale())))
