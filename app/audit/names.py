"""What audit-log actions and outbox states are called, in the reader's language."""

from flask_babel import lazy_gettext as _l

ACTION_NAMES = {
    "petition.approve": _l("approved"),
    "petition.return": _l("returned to the author"),
    "petition.reject": _l("rejected"),
    "petition.hide": _l("hidden"),
    "petition.take_down": _l("taken down"),
    "petition.restore": _l("restored"),
    "petition.change_metadata": _l("category or addressee changed"),
    "petition.dismiss_reports": _l("reports dismissed"),
    "case.acknowledge": _l("review acknowledged"),
    "case.answer": _l("response published"),
    "case.reassign": _l("case moved to another body"),
    "role.grant": _l("role granted"),
    "role.revoke": _l("role revoked"),
    "body.rule": _l("threshold rule changed"),
    "region.population": _l("population of a region entered"),
    "district.population": _l("population of a district or city entered"),
    "user.suspend": _l("account suspended"),
    "user.region_change": _l("region of residence changed"),
    "user.name_change": _l("name corrected"),
    "user.reactivate": _l("account reactivated"),
    "user.second_factor_on": _l("second factor turned on"),
    "user.second_factor_off": _l("second factor turned off"),
    "user.second_factor_reset": _l("second factor reset"),
    "user.recovery_code_used": _l("recovery code used"),
    "user.recovery_codes_renewed": _l("recovery codes renewed"),
    "signatures.invalidate": _l("signatures removal started"),
    "signatures.invalidate.done": _l("signatures removal finished"),
    "signatures.invalidate.cancelled": _l("signatures removal cancelled"),
    "signatures.revalidate": _l("signatures restoration started"),
    "signatures.revalidate.done": _l("signatures restoration finished"),
    "signatures.cancel": _l("cancel asked"),
    "rate_rule.create": _l("rate limit added"),
    "rate_rule.update": _l("rate limit changed"),
    "alert_rule.update": _l("alert threshold changed"),
}

OUTBOX_STATUS_NAMES = {
    "pending": _l("waiting"),
    "sending": _l("sending"),
    "sent": _l("sent"),
    "failed": _l("failed"),
}


def action_name(action: str) -> str:
    """The action in words, or its code when it has no name yet."""
    name = ACTION_NAMES.get(action)
    return str(name) if name is not None else action


def outbox_status_name(status: str) -> str:
    name = OUTBOX_STATUS_NAMES.get(status)
    return str(name) if name is not None else status
