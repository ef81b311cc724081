"""Account pages: register, verify, log in/out, reset, account settings."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app import legal
from app.accounts import forms, own_data, services, sessions, throttle, two_factor
from app.accounts.messages import ERRORS, under_age_message
from app.accounts.services import AccountError
from app.accounts.tokens import TokenError
from app.accounts.two_factor import SecondFactorError
from app.core import clock
from app.core.collation import alphabetical
from app.extensions import db, limiter
from app.fraud import ratelimits
from app.models import Petition, PetitionState, Region, Signature, User
from app.web.forms import show_error
from app.web.requests import client_address, forget_link_token, link_token, safe_next_url, stash_link_token

bp = Blueprint("accounts", __name__)

FORM_ERROR = 422


def _region_choices():
    lang = str(get_locale())
    regions = db.session.scalars(select(Region)).all()
    choices = alphabetical((SelectChoice(r.code, r.name(lang)) for r in regions), lang, lambda c: c.label)
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


def _login(user, remember: bool, *, second_factor: bool = False) -> None:
    """Open a server-side session and its cookies. Staff get no remember-me cookie."""
    # A fresh session at log-in: nothing planted before it survives (session fixation).
    session.clear()
    remember = remember and not user.is_staff
    user.last_login_at = clock.now()
    sessions.start(user, remember=remember, second_factor=second_factor)
    login_user(user, remember=remember)


PENDING = "second_factor_pending"


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


def _consent_first(user, target: str) -> str:
    """Where to go after logging in: the page asked first (above), then `target`."""
    first = _asked_first(user)
    return url_for(first, next=target) if first else target
TOO_MANY_CODES = _l("Too many wrong codes. Wait 15 minutes, then log in again.")


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


@bp.route("/register", methods=["GET", "POST"])
# Only forms that passed validation count per email address and domain: junk posts with
# someone's address cannot use up their day.
@ratelimits.limited("register", counted_when=lambda response: response.status_code == 200,
                    counted_scopes=("email", "email_domain"))
def register():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    form = forms.RegisterForm()
    form.region.choices = _region_choices()
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
                              next_url=safe_next_url(request.args.get("next")))
        except AccountError as exc:
            db.session.rollback()
            _show_error(form, exc)
        else:
            db.session.commit()
            # The same page whether the account was made or the email or IIN was taken:
            # the outcome is in the email.
            return render_template("accounts/register_sent.html", email=services.normalize_email(data.email))
    # Autofill may have filled the honeypot: a person's next try starts with it empty.
    form.website.data = ""
    status = FORM_ERROR if request.method == "POST" else 200
    return render_template("accounts/register.html", form=form,
                           next_url=safe_next_url(request.args.get("next"))), status


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


def _token_page(kind: str, check, perform, template: str, done_message: str, done_endpoint: str,
                done_url: str | None = None):
    """GET shows a page with a button; POST does the change. Mail scanners prefetch
    links, so a GET must never change anything. The token is the one the link's first
    GET stashed in the session (app.web.requests.stash_link_token)."""
    token = link_token(kind)
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
        forget_link_token(kind)
        flash(done_message, "success")
        return redirect(done_url or url_for(done_endpoint))
    return render_template(template, form=form, user=user)


@bp.route("/verify/<token>")
def verify_email_link(token: str):
    return stash_link_token("verify", token, "accounts.verify_email")


@bp.route("/verify/confirm", methods=["GET", "POST"])
def verify_email():
    # Back to where the person was going (the petition they came to sign), through the
    # log-in if this browser is not logged in.
    going = services.verification_next(link_token("verify"))
    if going and not current_user.is_authenticated:
        going = url_for("accounts.login", next=going)
    return _token_page(
        "verify",
        services.check_verification,
        services.verify_email,
        "accounts/verify_confirm.html",
        _("Thank you: your email address is confirmed."),
        "accounts.account" if current_user.is_authenticated else "accounts.login",
        done_url=going,
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
            # Not a dead end: a reset by email lets the owner in at once (and trusts
            # this browser), whoever else is guessing.
            form.password.errors = [_("Too many wrong passwords for this account from here. Wait 15 minutes, or "
                                      "set a new password by email (the link below): that lets you in at once.")]
            return render_template("accounts/login.html", form=form), 429
        try:
            user = services.authenticate(email, form.password.data)
        except AccountError:
            db.session.rollback()
            suspended = services.find_by_email(email)
            form.password.errors = [_("This account is suspended: %(reason)s If you think this is a mistake, "
                                      "reply to any email from Dauys.", reason=suspended.suspension_reason)]
            return render_template("accounts/login.html", form=form), 403
        if user is None:
            throttle.record_failure(email, address)
            db.session.rollback()
            form.password.errors = [_("The email or password is wrong.")]
            status = 401
        else:
            target = safe_next_url(request.args.get("next")) or url_for("accounts.account")
            if user.has_second_factor:
                # Only the password so far: nothing counts as a log-in until the code.
                db.session.commit()
                session.clear()
                session[PENDING] = {"u": user.id, "at": clock.timestamp(), "next": target,
                                    "r": bool(form.remember.data)}
                return redirect(url_for("accounts.login_code"))
            throttle.record_success(email, address)
            _login(user, remember=form.remember.data)
            db.session.commit()
            return redirect(_consent_first(user, target))
    elif request.method == "POST":
        status = FORM_ERROR
    return render_template("accounts/login.html", form=form, next_url=safe_next_url(request.args.get("next"))), \
        status


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
    status = 200
    if two_factor.is_locked(user):
        session.pop(PENDING, None)
        flash(str(TOO_MANY_CODES), "error")
        return redirect(url_for("accounts.login"))
    if form.validate_on_submit():
        try:
            two_factor.check(user, form.code.data)
        except SecondFactorError as exc:
            db.session.rollback()
            if exc.field == "locked":
                session.pop(PENDING, None)
                flash(str(TOO_MANY_CODES), "error")
                return redirect(url_for("accounts.login"))
            form.code.errors = [_("This code is not right, or it was used already. Try the next one.")]
            status = 401
        else:
            throttle.record_success(user.email, client_address())
            target = safe_next_url(pending.get("next")) or url_for("accounts.account")
            _login(user, remember=bool(pending.get("r")), second_factor=True)
            db.session.commit()
            return redirect(_consent_first(user, target))
    elif request.method == "POST":
        status = FORM_ERROR
    return render_template("accounts/login_code.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    form = forms.ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        # Ends the session on the server: a copy of its cookies stops working too.
        sessions.end(current_user)
        db.session.commit()
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
        db.session.commit()
        return render_template("accounts/reset_sent.html", email=form.email.data)
    status = FORM_ERROR if request.method == "POST" else 200
    return render_template("accounts/reset_request.html", form=form), status


@bp.route("/reset/<token>")
def reset_password_link(token: str):
    return stash_link_token("reset", token, "accounts.reset_password")


@bp.route("/reset/password", methods=["GET", "POST"])
def reset_password():
    token = link_token("reset")
    try:
        services.check_reset(token)
    except (TokenError, AccountError) as exc:
        return render_template("accounts/token_problem.html", message=_token_problem(exc)), 400
    form = forms.ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(token, form.password.data)
        except (TokenError, AccountError) as exc:
            db.session.rollback()
            return render_template("accounts/token_problem.html", message=_token_problem(exc)), 400
        throttle.password_was_reset(user.email)
        db.session.commit()
        forget_link_token("reset")
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
                           signatures=signatures, other_sessions=sessions.count_others(current_user))


@bp.route("/account/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions():
    """Log out every other browser and device (a lost phone, a shared computer)."""
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    sessions.end_all(user, keep=user.current_session)
    db.session.commit()
    flash(_("Every other session of your account has ended."), "success")
    return redirect(url_for("accounts.account"))


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
            # Every session of the account ended: open a new one so this browser stays
            # signed in (with the second factor it just had) while every other ends.
            user = current_user._get_current_object()
            remembered = user.current_session is not None and user.current_session.remember
            _login(user, remember=remembered, second_factor=user.second_factor_passed)
            db.session.commit()
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


@bp.route("/account/email/confirm/<token>")
def confirm_email_change_link(token: str):
    return stash_link_token("email", token, "accounts.confirm_email_change")


@bp.route("/account/email/confirm", methods=["GET", "POST"])
def confirm_email_change():
    return _token_page(
        "email",
        services.check_email_change,
        services.confirm_email_change,
        "accounts/email_change_confirm.html",
        _("Your email address has been changed."),
        "accounts.account" if current_user.is_authenticated else "accounts.login",
    )


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
    status = 200
    if request.method == "POST":
        action = request.form.get("action")
        form = {"enable": enable_form, "confirm": code_form, "renew": code_form,
                "disable": disable_form}.get(action)
        if form is None or (action == "enable") == user.has_second_factor \
                or (action == "disable" and user.is_staff):
            abort(400)
        status = FORM_ERROR
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
                db.session.rollback()
                message = (_("The password is wrong.") if exc.field == "password"
                           else str(TOO_MANY_CODES) if exc.field == "locked"
                           else _("This code is not right, or it was used already. Try the next one."))
                if exc.field == "password":
                    disable_form.reauth_password.errors = [message]
                elif form is disable_form:
                    disable_form.reauth_code.errors = [message]
                else:
                    form.code.errors = [message]
            else:
                db.session.commit()
                if action == "enable":
                    session.pop(SETUP_SECRET, None)
                    return _codes_page(codes, next_url)
                if action == "renew":
                    return _codes_page(codes, None)
                if action == "disable":
                    logout_user()
                    session.clear()
                    flash(_("The second factor is off. Log in again."), "info")
                    return redirect(url_for("accounts.login"))
                return redirect(next_url or url_for("accounts.account"))
    secret = None if user.has_second_factor else _setup_secret()
    return render_template(
        "accounts/two_factor.html", enable_form=enable_form, code_form=code_form,
        disable_form=disable_form, secret=secret, next_url=next_url,
        codes_left=two_factor.recovery_codes_left(user) if user.has_second_factor else None,
    ), status


@bp.route("/account/two-factor/qr.svg")
@login_required
def two_factor_qr():
    """The enrolment QR code: the secret offered to this session, as an otpauth:// URI."""
    if current_user.has_second_factor or not isinstance(session.get(SETUP_SECRET), str):
        abort(404)
    svg = two_factor.qr_svg(two_factor.provisioning_uri(current_user, session[SETUP_SECRET]))
    return current_app.response_class(svg, mimetype="image/svg+xml")


# --- my own data: download, region, deletion -------------------------------------------


@bp.route("/account/data.json")
@login_required
def download_data():
    """Everything held about me, as JSON (a file to keep)."""
    body = json.dumps(own_data.export(current_user._get_current_object()), ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="dauys-{current_user.id}.json"'
    return response


@bp.route("/account/region", methods=["GET", "POST"])
@login_required
def change_region():
    form = forms.RegionForm()
    form.region.choices = _region_choices()
    if request.method == "GET":
        form.region.data = current_user.region.code if current_user.region else ""
    if form.validate_on_submit():
        try:
            own_data.change_region(current_user._get_current_object(), form.region.data)
        except own_data.OwnDataError as exc:
            db.session.rollback()
            form.region.errors = [{
                "region": _("Choose your region of residence."),
                "same": _("This is your region already."),
                "too_soon": _("You moved region recently: the next move is possible from %(date)s.",
                              date=format_date(own_data.next_region_change(current_user), "long")),
            }[exc.code]]
        else:
            db.session.commit()
            flash(_("Your region is changed. Signatures you made before keep the region they were made in."),
                  "success")
            return redirect(url_for("accounts.account"))
    status = FORM_ERROR if request.method == "POST" else 200
    return render_template("accounts/region.html", form=form), status


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"])
def delete_account():
    form = forms.DeleteAccountForm()
    if form.validate_on_submit():
        try:
            own_data.delete_account(current_user._get_current_object(), form.password.data, form.code.data)
        except own_data.OwnDataError as exc:
            db.session.rollback()
            if exc.code == "staff":
                flash(_("A member of staff's account is closed by an administrator: ask one."), "error")
                return render_template("accounts/delete.html", form=form), 403
            if exc.code == "code":
                form.code.errors = [_("This code is not right, or it was used already. Try the next one.")]
            else:
                form.password.errors = [_("The password is wrong.")]
        else:
            db.session.commit()
            logout_user()
            session.clear()
            return render_template("accounts/deleted.html")
    status = FORM_ERROR if request.method == "POST" else 200
    return render_template("accounts/delete.html", form=form), status


@bp.route("/account/name", methods=["GET", "POST"])
@login_required
def name():
    """Correct one's name; also the page a person whose name a migration split confirms."""
    user = current_user._get_current_object()
    form = forms.NameForm(obj=user if request.method == "GET" else None)
    target = safe_next_url(request.args.get("next")) or url_for("accounts.account")
    if form.validate_on_submit():
        own_data.change_name(user, form.given_name.data, form.surname.data, form.patronymic.data)
        db.session.commit()
        flash(_("Your name is saved. Public pages show it as %(name)s.", name=user.display_name), "success")
        return redirect(target)
    status = FORM_ERROR if request.method == "POST" else 200
    return render_template("accounts/name.html", form=form, confirming=user.name_unconfirmed), status


@bp.route("/account/consent", methods=["GET", "POST"])
@login_required
def consent():
    """The privacy notice changed (or was never agreed to): read it, agree, go on."""
    form = forms.ConsentForm()
    target = safe_next_url(request.args.get("next")) or url_for("accounts.account")
    if form.validate_on_submit():
        user = current_user._get_current_object()
        user.consent_version, user.consent_at = legal.notice_version(), clock.now()
        db.session.commit()
        return redirect(target)
    status = FORM_ERROR if request.method == "POST" else 200
    return render_template("accounts/consent.html", form=form, notice=legal.page("privacy", str(get_locale()))), \
        status
