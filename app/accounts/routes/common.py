"""What several account pages share: region choices, opening a session, the page for a
link that does not work, and the confirm-by-button page of an emailed link."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.accounts import forms, sessions
from app.accounts.services import AccountError
from app.accounts.tokens import TokenError
from app.core import clock
from app.core.collation import alphabetical
from app.core.refusals import Refusal
from app.extensions import db
from app.models import Region
from app.web.requests import forget_link_token, link_token


def region_choices():
    lang = str(get_locale())
    regions = db.session.scalars(select(Region)).all()
    choices = alphabetical((SelectChoice(r.code, r.name(lang)) for r in regions), lang, lambda c: c.label)
    return [SelectChoice("", _("Choose a region"))] + choices


def log_in(user, remember: bool, *, second_factor: bool = False) -> None:
    """Open a server-side session and its cookies. Staff get no remember-me cookie."""
    # A fresh session at log-in: nothing planted before it survives (session fixation).
    session.clear()
    remember = remember and not user.is_staff
    user.last_login_at = clock.now()
    sessions.start(user, remember=remember, second_factor=second_factor)
    login_user(user, remember=remember)


def link_problem(refusal: Refusal):
    """An emailed link that cannot be used (expired, tampered, spent), with the
    refusal's status: the request's transaction rolls back."""
    return render_template("accounts/token_problem.html", message=refusal.message()), refusal.status


def token_page(kind: str, check, perform, template: str, done_message: str, done_endpoint: str,
               done_url: str | None = None):
    """GET shows a page with a button; POST does the change. Mail scanners prefetch
    links, so a GET must never change anything. The token is the one the link's first
    GET stashed in the session (app.web.requests.stash_link_token)."""
    token = link_token(kind)
    try:
        user = check(token)
    except (TokenError, AccountError) as exc:
        return link_problem(exc)
    form = forms.ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            perform(token)
        except (TokenError, AccountError) as exc:
            return link_problem(exc)
        forget_link_token(kind)
        flash(done_message, "success")
        return redirect(done_url or url_for(done_endpoint))
    return render_template(template, form=form, user=user)
