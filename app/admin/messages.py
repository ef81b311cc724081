"""What administrators read when an admin rule says no, in their language: the one table
of the admin domain's refusals (RoleError, RuleError: app.core.refusals)."""

from flask_babel import lazy_gettext as _l

MESSAGES = {
    # Staff roles (RoleError).
    "citizen_implicit": _l("Every account is a citizen; this role cannot be granted."),
    "body_required": _l("Choose the state body this official works for."),
    "unknown_body": _l("Choose the state body this official works for."),
    "body_only_for_official": _l("Only officials belong to a state body."),
    "already_held": _l("The user already has this role."),
    "not_held": _l("The user does not have this role."),
    "own_admin": _l("You cannot remove your own administrator role."),
    # Rate rules held as data (RuleError).
    ("window_seconds", "exists"): _l("A rule for this action and scope with this window exists already: change that one."),
}
