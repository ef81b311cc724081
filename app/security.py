"""Access rules for views: who may open what."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from app.models import Role


def roles_required(*roles: Role):
    """Allow users holding any of `roles`; anonymous users are sent to log in, others
    get 403. The roles are recorded on the view so a test can walk every route."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        guarded = login_required(wrapped)
        guarded.required_roles = frozenset(roles)
        return guarded

    return decorator
