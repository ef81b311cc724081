"""Where signatures and new accounts come from, counted per period in Redis.

Each signature and each registration adds one to sorted sets of the current period
(`INTEGRITY_PERIOD_SECONDS`, an hour by default): site-wide by source, and per petition
by (petition, source), for four kinds of source: the address, its /24 (IPv4) or /48
(IPv6) network, the email domain and the browser (user agent). Addresses and browsers
are never kept in clear: their fingerprints (app.fraud.fingerprints) stand for them, the same
that are stored on the signature, so the dashboard's figures lead straight to an
invalidation filter. Signatures made between 01:00 and 05:00 Almaty time are counted per
petition as well ("signing at unusual hours").

One pipelined round trip per signature, after its transaction commits (never while it
holds locks, and never for a signature rolled back); Redis down means no trending
(logged), never a refused signature. Sets expire after INTEGRITY_KEEP_PERIODS periods.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import redis
from flask import current_app

from app.core import clock, redis_client
from app.core.jobs import after_commit

log = logging.getLogger(__name__)

SOURCES = ("network", "address", "email_domain", "user_agent")
SCOPES = ("site", "petition")
NIGHT_HOURS = range(1, 5)  # 01:00-04:59 in Almaty
PREFIX = "dauys:trend"


def sources(fields: dict, email: str | None) -> dict[str, str]:
    """The four sources of a request as the dashboard names them (hex, or the domain)."""
    found = {}
    if fields.get("network_hmac"):
        found["network"] = fields["network_hmac"].hex()
    if fields.get("ip_hmac"):
        found["address"] = fields["ip_hmac"].hex()
    if email and "@" in email:
        found["email_domain"] = email.rpartition("@")[2].lower()
    if fields.get("user_agent_hash"):
        found["user_agent"] = fields["user_agent_hash"]
    return found


def period(moment: datetime | None = None) -> int:
    """The number of the period an instant falls in."""
    moment = moment or clock.now()
    return int(moment.timestamp()) // current_app.config["INTEGRITY_PERIOD_SECONDS"]


def period_start(number: int) -> datetime:
    return datetime.fromtimestamp(number * current_app.config["INTEGRITY_PERIOD_SECONDS"], UTC)


def key(number: int, metric: str, scope: str, source: str) -> str:
    return f"{PREFIX}:{number}:{metric}:{scope}:{source}"


def night_key(number: int) -> str:
    return f"{PREFIX}:{number}:night"


def _ttl() -> int:
    return current_app.config["INTEGRITY_PERIOD_SECONDS"] * current_app.config["INTEGRITY_KEEP_PERIODS"]


def _add(metric: str, found: dict[str, str], petition_id: int | None, moment: datetime) -> None:
    number, ttl = period(moment), _ttl()
    try:
        pipe = redis_client.connection().pipeline(transaction=False)
        for source, value in found.items():
            site = key(number, metric, "site", source)
            pipe.zincrby(site, 1, value)
            pipe.expire(site, ttl)
            if petition_id is not None:
                pair = key(number, metric, "petition", source)
                pipe.zincrby(pair, 1, f"{petition_id}|{value}")
                pipe.expire(pair, ttl)
        if metric == "signatures" and petition_id is not None and moment.astimezone(clock.ALMATY).hour in NIGHT_HOURS:
            pipe.zincrby(night_key(number), 1, str(petition_id))
            pipe.expire(night_key(number), ttl)
        pipe.execute()
    except redis.RedisError as exc:
        log.warning("trending not counted (Redis: %s)", exc)


def _defer(metric: str, found: dict[str, str], petition_id: int | None, moment: datetime) -> None:
    after_commit.call(_add, metric, found, petition_id, moment)


def record_signature(petition_id: int, fields: dict, email: str | None, moment: datetime | None = None) -> None:
    """Count a signature of this transaction once it commits."""
    _defer("signatures", sources(fields, email), petition_id, moment or clock.now())


def record_account(fields: dict, email: str | None, moment: datetime | None = None) -> None:
    """Count a new account of this transaction once it commits."""
    _defer("accounts", sources(fields, email), None, moment or clock.now())


@dataclass(frozen=True)
class Entry:
    source: str             # the kind: network, address, email_domain, user_agent
    value: str              # its fingerprint (hex) or the domain
    count: int
    petition_id: int | None = None


def _entries(source: str, rows, per_petition: bool) -> list[Entry]:
    entries = []
    for member, score in rows:
        member = member.decode() if isinstance(member, bytes) else member
        if per_petition:
            pid, _, value = member.partition("|")
            entries.append(Entry(source, value, int(score), int(pid)))
        else:
            entries.append(Entry(source, member, int(score)))
    return entries


def top(metric: str, scope: str, source: str, number: int, n: int = 10) -> list[Entry]:
    """The n largest sources of a period."""
    rows = redis_client.connection().zrevrange(key(number, metric, scope, source), 0, n - 1, withscores=True)
    return _entries(source, rows, scope == "petition")


def at_least(metric: str, scope: str, source: str, number: int, threshold: int) -> list[Entry]:
    """Every source of a period that reached `threshold`."""
    rows = redis_client.connection().zrevrangebyscore(key(number, metric, scope, source), "+inf", threshold,
                                               withscores=True)
    return _entries(source, rows, scope == "petition")


def for_petition(petition_id: int, metric: str, source: str, number: int, n: int = 10) -> list[Entry]:
    """The largest sources of one petition's signatures in a period."""
    found = []
    for member, score in redis_client.connection().zscan_iter(key(number, metric, "petition", source),
                                                       match=f"{petition_id}|*", count=1000):
        found.append((member, score))
    found.sort(key=lambda row: -row[1])
    return _entries(source, found[:n], True)


def night(number: int, n: int = 10) -> list[tuple[int, int]]:
    """(petition id, signatures made at night) of a period, the most first."""
    return [(int(m), int(s)) for m, s in redis_client.connection().zrevrange(night_key(number), 0, n - 1, withscores=True)]
