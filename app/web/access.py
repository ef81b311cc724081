"""Access rules for views: who may open what."""

from __future__ import annotations

from functools import wraps

from flask import abort, redirect, request, url_for
from flask_login import current_user, login_required

from app.models import Role


def roles_required(*roles: Role):
    """Allow users holding any of `roles` in a session that passed the second factor.
    Anonymous users are sent to log in; staff without a second factor (or whose session
    has not passed it) to the second-factor page, and back here after it; others get
    403. The roles are recorded on the view so a test can walk every route."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            if not current_user.second_factor_passed:
                back = request.full_path if request.method == "GET" else None
                return redirect(url_for("accounts.two_factor_page", next=back))
            return view(*args, **kwargs)

        guarded = login_required(wrapped)
        guarded.required_roles = frozenset(roles)
        return guarded

    return decorator
