"""Signature thresholds: data, not code.

A body follows the configured profile unless an administrator set its own rule.
Profiles (DOMAIN.md): movement-2016 (national 15,000) and law-2024 (national 50,000);
regional bodies in both: 1 % of the region's population, else 5,000. Which signatures
count toward a threshold is the body's rule too (`counted_from`), or the profile's: every
signature under movement-2016, only those made with an EDS under law-2024.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.models import BodyLevel, IdentityLevel, StateBody, ThresholdRule


@dataclass(frozen=True)
class Profile:
    national: int
    regional_percent: Decimal
    regional_fallback: int
    # The weakest signature that counts toward a threshold: the 2024 law's portal counts
    # only signatures made with an EDS; the movement's count took every verified account.
    counted_from: IdentityLevel = IdentityLevel.SELF_DECLARED


PROFILES = {
    "movement-2016": Profile(15_000, Decimal("1"), 5_000),
    "law-2024": Profile(50_000, Decimal("1"), 5_000, IdentityLevel.EDS),
}


class UnknownProfile(ValueError):
    """Raised when THRESHOLD_PROFILE names no known profile."""


@dataclass(frozen=True)
class Threshold:
    signatures: int
    # How it was found, for the page that explains it.
    kind: str  # "fixed" | "percent" | "fallback"
    percent: Decimal | None = None
    population: int | None = None


def profile() -> Profile:
    name = current_app.config["THRESHOLD_PROFILE"]
    try:
        return PROFILES[name]
    except KeyError:
        raise UnknownProfile(name) from None


def _percent_of(population: int | None, percent: Decimal, fallback: int) -> Threshold:
    if not population:
        return Threshold(fallback, "fallback")
    needed = math.ceil(Decimal(population) * percent / Decimal(100))
    return Threshold(max(needed, 1), "percent", percent, population)


def threshold_for(body: StateBody) -> Threshold:
    """The number of signatures a petition to `body` needs. Raises UnknownProfile."""
    population = body.region.population if body.region is not None else None
    if body.threshold_rule is ThresholdRule.FIXED:
        return Threshold(body.threshold_fixed, "fixed")
    if body.threshold_rule is ThresholdRule.POPULATION_PERCENT:
        return _percent_of(population, body.threshold_percent, body.threshold_fallback)
    p = profile()
    if body.level is BodyLevel.NATIONAL:
        return Threshold(p.national, "fixed")
    return _percent_of(population, p.regional_percent, p.regional_fallback)


def counted_levels(body: StateBody) -> tuple[IdentityLevel, ...]:
    """The signatures that count toward `body`'s threshold: its own rule's level and every
    level above it, or the configured profile's. Raises UnknownProfile."""
    return (body.counted_from or profile().counted_from).and_above()


def counts_every_signature(body: StateBody) -> bool:
    return IdentityLevel.SELF_DECLARED in counted_levels(body)


COUNTED_FROM_NAMES = {
    IdentityLevel.SELF_DECLARED: _l("every signature"),
    IdentityLevel.STATE_IDP: _l("signatures by people whose identity the state confirmed, and those made with an EDS"),
    IdentityLevel.EDS: _l("only signatures made with an EDS"),
}


def describe_counted(body: StateBody) -> str:
    return str(COUNTED_FROM_NAMES[counted_levels(body)[0]])


def describe_threshold(body: StateBody, language: str) -> str:
    t = threshold_for(body)
    if t.kind == "percent":
        return str(_l("%(percent)s %% of the population of %(region)s",
                      percent=f"{t.percent.normalize():f}", region=body.region.name(language)))
    if t.kind == "fallback":
        return str(_l("fixed number: the population of %(region)s is not known",
                      region=body.region.name(language)))
    return str(_l("fixed number"))
