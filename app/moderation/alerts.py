"""Alerts: the moderators' rules (held as data, `alert_rules`) checked against the
trending counts (app.fraud.trending). A source over a rule's threshold in a period is recorded
once (a unique row per rule, period, petition and source) and shown on the dashboard;
the moderators get one email per source and period, however many rules it trips.
Flushes, never commits."""

from __future__ import annotations

import hashlib

from flask_babel import lazy_gettext as _l
from sqlalchemy import desc, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.core import clock
from app.extensions import db
from app.fraud import trending
from app.mail.outbox import queue_email
from app.models import AlertRule, IntegrityAlert, Petition, Role, User, UserRole
from app.web.requests import absolute_url

SOURCE_NAMES = {
    "network": _l("network"),
    "address": _l("address"),
    "email_domain": _l("email domain"),
    "user_agent": _l("browser"),
}
METRIC_NAMES = {
    "signatures": _l("signatures"),
    "accounts": _l("new accounts"),
}
SCOPE_NAMES = {
    "site": _l("on the whole site"),
    "petition": _l("on one petition"),
}

# The rules a new installation starts with (a migration seeds them): a /24 network or
# an address behind many signatures of one petition in an hour, many new accounts from one
# network or one email domain. Browsers are off: one browser version is shared by many.
DEFAULT_RULES = (
    ("signatures", "petition", "network", 100, True),
    ("signatures", "petition", "address", 25, True),
    ("signatures", "site", "email_domain", 2000, True),
    ("signatures", "site", "user_agent", 5000, False),
    ("accounts", "site", "network", 50, True),
    ("accounts", "site", "email_domain", 200, True),
)


def rules(enabled_only: bool = False) -> list[AlertRule]:
    query = select(AlertRule).order_by(AlertRule.metric.desc(), AlertRule.scope, AlertRule.source)
    if enabled_only:
        query = query.where(AlertRule.enabled.is_(True))
    return db.session.scalars(query).all()


def check() -> list[IntegrityAlert]:
    """Record every source over an enabled rule in this period or the last one (the
    last one's final minute may have come after the previous check); email the
    moderators about each source new in its period. Returns the alerts new to this run."""
    now = trending.period()
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    new: list[IntegrityAlert] = []
    for rule in rules(enabled_only=True):
        for number in (now - 1, now):
            for entry in trending.at_least(rule.metric, rule.scope, rule.source, number, rule.threshold):
                alert_id = db.session.scalar(
                    insert(IntegrityAlert).values(rule_id=rule.id, period=number, petition_id=entry.petition_id or 0,
                                                  value=entry.value[:253], count=entry.count, created_at=clock.now())
                    .on_conflict_do_nothing(index_elements=["rule_id", "period", "petition_id", "value"])
                    .returning(IntegrityAlert.id))
                if alert_id is not None:
                    new.append(db.session.get(IntegrityAlert, alert_id))
    if new:
        _notify(new)
    return new


def moderators() -> list[User]:
    return db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_((Role.MODERATOR, Role.ADMIN)), User.active.is_(True))
        .distinct().order_by(User.id)).all()


def _notify(alerts: list[IntegrityAlert]) -> None:
    """One email per source and period to each moderator: the dedupe key is the source
    and the period, so a second rule tripped by the same source adds no email."""
    by_source: dict[tuple, list[IntegrityAlert]] = {}
    for alert in alerts:
        by_source.setdefault((alert.period, alert.rule.source, alert.value), []).append(alert)
    petitions = {p.id: p for p in db.session.scalars(
        select(Petition).where(Petition.id.in_({a.petition_id for a in alerts if a.petition_id})))}
    staff = moderators()
    for (number, source, value), group in by_source.items():
        for user in staff:
            queue_email(
                user.email, "integrity_alert", user.language,
                # The value hashed: an email domain may be longer than the key's column.
                dedupe_key=f"integrity-alert:{number}:{source}:{_digest(value)}:{user.id}",
                source=SOURCE_NAMES[source], value=value if source == "email_domain" else value[:12],
                alerts=[(a, petitions.get(a.petition_id)) for a in group],
                metric_names=METRIC_NAMES, scope_names=SCOPE_NAMES,
                period_start=trending.period_start(number),
                link=absolute_url("moderation.integrity_dashboard", lang=user.language),
                lang_code=user.language,
            )


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:24]


def recent(limit: int = 50) -> list[IntegrityAlert]:
    return db.session.scalars(select(IntegrityAlert).order_by(desc(IntegrityAlert.id)).limit(limit)).all()


def snapshot(number: int, petition_id: int | None = None) -> dict:
    """The dashboard's figures for one period: the largest sources of signatures and of
    new accounts site-wide, by petition, and signing at night; each row marked when it
    is at or over an enabled rule's threshold."""
    limits = {(r.metric, r.scope, r.source): r.threshold for r in rules(enabled_only=True)}

    def rows(metric: str, scope: str, source: str, entries) -> list[dict]:
        threshold = limits.get((metric, scope, source))
        return [{"entry": e, "over": threshold is not None and e.count >= threshold} for e in entries]

    figures = {"signatures": {}, "accounts": {}, "petition": {}}
    for source in trending.SOURCES:
        figures["signatures"][source] = rows("signatures", "site", source,
                                             trending.top("signatures", "site", source, number))
        if petition_id is not None:
            entries = trending.for_petition(petition_id, "signatures", source, number)
        else:
            entries = trending.top("signatures", "petition", source, number)
        figures["petition"][source] = rows("signatures", "petition", source, entries)
    for source in trending.SOURCES:
        figures["accounts"][source] = rows("accounts", "site", source, trending.top("accounts", "site", source, number))
    night = trending.night(number)
    ids = {row["entry"].petition_id for rs in figures["petition"].values() for row in rs} | {pid for pid, _ in night}
    figures["petitions"] = {p.id: p for p in db.session.scalars(select(Petition).where(Petition.id.in_(ids)))}
    figures["night"] = night
    return figures
