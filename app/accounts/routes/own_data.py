"""My own data: download it, move to another region, delete the account."""

from __future__ import annotations

import json

from flask import Response, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from app.accounts import forms, own_data
from app.accounts.routes import bp
from app.accounts.routes.common import region_choices
from app.extensions import limiter
from app.web.forms import submit


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
    form.region.choices = region_choices()
    if request.method == "GET":
        form.region.data = current_user.region.code if current_user.region else ""

    def change():
        own_data.change_region(current_user._get_current_object(), form.region.data)
        flash(_("Your region is changed. Signatures you made before keep the region they were made in."),
              "success")
        return redirect(url_for("accounts.account"))

    return submit(form, "accounts/region.html", change)


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"])
def delete_account():
    form = forms.DeleteAccountForm()

    def delete():
        # A member of staff's account is refused (flashed, 403); a wrong password or code
        # on its field.
        own_data.delete_account(current_user._get_current_object(), form.password.data, form.code.data)
        logout_user()
        session.clear()
        return render_template("accounts/deleted.html")

    return submit(form, "accounts/delete.html", delete)
