"""Granting and revoking staff roles (used by the admin pages and the CLI); state
bodies' threshold rules; rate limits and alert thresholds held as data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.admin.messages import MESSAGES
from app.audit.services import record
from app.bodies.queries import body_by_code
from app.core import clock
from app.core.refusals import Refusal
from app.extensions import db
from app.models import (
    AlertRule,
    District,
    IdentityLevel,
    RateRule,
    Region,
    Role,
    StateBody,
    ThresholdRule,
    User,
    UserRole,
)


class RoleError(Refusal):
    """A role change that cannot be made; `code` says why, on the form's role field."""

    status = 422
    messages = MESSAGES

    def __init__(self, code: str):
        super().__init__(code, "role")


class RuleError(Refusal):
    """A rate rule that would repeat another's action, scope and window (409: change
    that one); the message goes on the window's field."""

    status = 409
    messages = MESSAGES

    def __init__(self, code: str):
        super().__init__(code, "window_seconds")


def _roles_snapshot(user: User) -> dict:
    return {
        "roles": sorted(
            f"{r.role.value}:{r.body.code}" if r.body else r.role.value for r in user.roles
        )
    }


def grant_role(
    actor: User | None, user: User, role: Role, body_code: str | None = None, channel: str = "web"
) -> None:
    """Raises RoleError: citizen (implicit), official without a known body, a body for
    another role, or a role the user already holds."""
    if role is Role.CITIZEN:
        raise RoleError("citizen_implicit")
    body = None
    if role is Role.OFFICIAL:
        if not body_code:
            raise RoleError("body_required")
        body = body_by_code(body_code)
        if body is None:
            raise RoleError("unknown_body")
    elif body_code:
        raise RoleError("body_only_for_official")
    if any(r.role is role for r in user.roles):
        raise RoleError("already_held")
    before = _roles_snapshot(user)
    try:
        # The same grant made twice at the same moment: one wins, the other is told.
        with db.session.begin_nested():
            db.session.add(UserRole(user_id=user.id, role=role, body=body))
            db.session.flush()
    except IntegrityError:
        raise RoleError("already_held") from None
    finally:
        db.session.expire(user, ["roles"])
    record(actor, "role.grant", "user", user.id, before=before, after=_roles_snapshot(user),
           channel=channel)


def set_body_rule(actor: User, body: StateBody, *, rule: ThresholdRule, fixed: int | None,
                  percent: Decimal | None, fallback: int | None, review_period_days: int, active: bool,
                  note: str, counted_from: IdentityLevel | None = None) -> None:
    """Change a body's threshold rule and review period. Petitions that already reached
    their threshold keep their review case: thresholds only decide future crossings."""

    def snapshot():
        return {"rule": body.threshold_rule.value, "fixed": body.threshold_fixed,
                "percent": str(body.threshold_percent) if body.threshold_percent is not None else None,
                "fallback": body.threshold_fallback, "review_period_days": body.review_period_days,
                "active": body.active, "counted_from": body.counted_from.value if body.counted_from else None}

    before = snapshot()
    body.threshold_rule = rule
    body.threshold_fixed = fixed if rule is ThresholdRule.FIXED else None
    body.threshold_percent = percent if rule is ThresholdRule.POPULATION_PERCENT else None
    body.threshold_fallback = fallback if rule is ThresholdRule.POPULATION_PERCENT else None
    body.review_period_days = review_period_days
    body.counted_from = counted_from
    body.active = active
    db.session.flush()
    record(actor, "body.rule", "state_body", body.id, before=before, after=snapshot(), reason=note)


def set_population(actor: User, unit: Region | District, *, population: int, as_of: date, source: str,
                   note: str) -> None:
    """An administrator's figure for the population of a region or a district (a local
    body's threshold may be a percentage of it: petitions past their threshold keep their
    case). Audited; a later re-seed never replaces it."""

    def snapshot():
        return {"population": unit.population, "as_of": unit.population_as_of.isoformat()
                if unit.population_as_of else None, "source": unit.population_source}

    kind = "region" if isinstance(unit, Region) else "district"
    before = snapshot()
    unit.population, unit.population_as_of, unit.population_source = population, as_of, source.strip()
    unit.population_edited_at = clock.now()
    db.session.flush()
    record(actor, f"{kind}.population", kind, unit.id, before=before, after=snapshot(), reason=note)


def revoke_role(actor: User | None, user: User, role: Role, channel: str = "web") -> None:
    """Raises RoleError when the user does not hold the role, or when an admin would
    remove their own admin role (so the last admin cannot lock everyone out by a slip)."""
    held = [r for r in user.roles if r.role is role]
    if not held:
        raise RoleError("not_held")
    if role is Role.ADMIN and actor is not None and actor.id == user.id:
        raise RoleError("own_admin")
    before = _roles_snapshot(user)
    for r in held:
        user.roles.remove(r)
    db.session.flush()
    record(actor, "role.revoke", "user", user.id, before=before, after=_roles_snapshot(user),
           channel=channel)


# --- rate limits and alert thresholds, held as data -------------------------------------

def _rule_snapshot(rule, fields) -> dict:
    return {f: getattr(rule, f) for f in fields}


RATE_FIELDS = ("action", "scope", "max_count", "window_seconds", "enabled")
ALERT_FIELDS = ("metric", "scope", "source", "threshold", "enabled")


def _rate_rule_exists(action: str, scope: str, window_seconds: int) -> bool:
    return db.session.scalar(select(RateRule.id).where(RateRule.action == action, RateRule.scope == scope,
                                                       RateRule.window_seconds == window_seconds)) is not None


def _change_rule(actor: User, rule, fields: tuple[str, ...], kind: str, **values) -> bool:
    """Set `values` on a rule held as data; audit and stamp it if anything changed."""
    before = _rule_snapshot(rule, fields)
    for name, value in values.items():
        setattr(rule, name, value)
    after = _rule_snapshot(rule, fields)
    if after == before:
        return False
    rule.updated_at, rule.updated_by_id = clock.now(), actor.id
    db.session.flush()
    record(actor, f"{kind}.update", kind, rule.id, before=before, after=after)
    return True


def update_rate_rule(actor: User, rule: RateRule, *, max_count: int, window_seconds: int, enabled: bool) -> bool:
    """Change a rate rule (audited); returns whether anything changed. Raises RuleError
    ("exists") when another rule has the same action, scope and window."""
    if window_seconds != rule.window_seconds and _rate_rule_exists(rule.action, rule.scope, window_seconds):
        raise RuleError("exists")
    return _change_rule(actor, rule, RATE_FIELDS, "rate_rule", max_count=max_count, window_seconds=window_seconds,
                        enabled=enabled)


def add_rate_rule(actor: User, *, action: str, scope: str, max_count: int, window_seconds: int,
                  enabled: bool) -> RateRule:
    if _rate_rule_exists(action, scope, window_seconds):
        raise RuleError("exists")
    rule = RateRule(action=action, scope=scope, max_count=max_count, window_seconds=window_seconds,
                    enabled=enabled, updated_at=clock.now(), updated_by_id=actor.id)
    try:
        with db.session.begin_nested():  # the same rule added twice at once: one wins
            db.session.add(rule)
            db.session.flush()
    except IntegrityError:
        raise RuleError("exists") from None
    record(actor, "rate_rule.create", "rate_rule", rule.id, after=_rule_snapshot(rule, RATE_FIELDS))
    return rule


def update_alert_rule(actor: User, rule: AlertRule, *, threshold: int, enabled: bool) -> bool:
    return _change_rule(actor, rule, ALERT_FIELDS, "alert_rule", threshold=threshold, enabled=enabled)
