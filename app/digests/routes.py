"""Digest preferences: from the account page, and from the signed link in every
digest (which works without logging in)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts import tokens
from app.accounts.messages import ERRORS
from app.core import clock
from app.digests import forms, services
from app.digests.compose import preview as compose_preview
from app.extensions import db
from app.mail.outbox import render_email
from app.models import Role, User
from app.models.digest import DigestFrequency
from app.web.access import roles_required
from app.web.forms import form_page
from app.web.requests import add_emailed_link, link_token

bp = Blueprint("digests", __name__)


def _form_for(user_id: int) -> forms.DigestPreferencesForm:
    form = forms.DigestPreferencesForm()
    if request.method == "GET":
        frequency, language = services.get_preferences(user_id)
        form.frequency.data = frequency.value
        form.language.data = language or ""
    return form


def _save(user_id: int, form) -> None:
    services.set_preferences(user_id, DigestFrequency(form.frequency.data), form.language.data or None)
    flash(_("Your digest settings are saved."), "success")


add_emailed_link(bp, "/digest/preferences", "digest", "preferences")


@bp.route("/digest/preferences", methods=["GET", "POST"])
def preferences():
    """One-click settings from the digest: the signed link names the official."""
    token = link_token("digest")
    try:
        user_id, state = tokens.read_token(tokens.Purpose.DIGEST_PREFERENCES, token,
                                           current_app.config["DIGEST_LINK_MAX_AGE"])
    except tokens.TokenError as exc:
        message = ERRORS[("token", "expired" if exc.expired else "invalid")]
        return render_template("digests/link_problem.html", message=message), 400
    user = db.session.get(User, user_id)
    if user is None or not user.active or state != tokens.fingerprint("digest") or not user.has_role(Role.OFFICIAL):
        return render_template("digests/link_problem.html", message=ERRORS[("token", "invalid")]), 400
    form = _form_for(user.id)
    if form.validate_on_submit():
        _save(user.id, form)
        return redirect(request.path)
    return form_page("digests/preferences.html", form=form, user=user)


@bp.route("/account/digest", methods=["GET", "POST"])
@roles_required(Role.OFFICIAL)
def account_preferences():
    form = _form_for(current_user.id)
    if form.validate_on_submit():
        _save(current_user.id, form)
        return redirect(url_for("digests.account_preferences"))
    return form_page("digests/preferences.html", form=form, user=current_user)


def _preview():
    """The official's next digest and, unless it is empty, its rendered email."""
    digest = compose_preview(current_user._get_current_object(), clock.now())
    if digest is None:
        abort(404)
    rendered = None if digest.is_empty else render_email(
        "digest", digest.language, digest=digest, user=current_user, body_name=digest.body.name(digest.language),
        preferences_link=services.preferences_link(current_user.id, digest.language), subject="")
    return digest, rendered


# The email's own HTML, framed by the preview page: an email needs inline styles, so it
# gets a policy of its own that allows them and nothing else (no script, no requests,
# a sandbox, framed only by this site).
EMAIL_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox"


@bp.route("/review/digest")
@roles_required(Role.OFFICIAL)
def preview():
    digest, rendered = _preview()
    return render_template("digests/preview.html", digest=digest, rendered=rendered)


@bp.route("/review/digest/email")
@roles_required(Role.OFFICIAL)
def preview_email():
    _, rendered = _preview()
    if rendered is None:
        abort(404)
    response = make_response(rendered["html"])
    response.headers["Content-Security-Policy"] = EMAIL_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
