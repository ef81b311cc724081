"""Signature thresholds and the law's stages: data, not code.

A profile (DOMAIN.md) says how many signatures a petition needs, per level and kind of
body, and how long its stages last. `law-2024` is the Administrative Procedural-Process
Code, chapter 12-1 (app/reference/data/petitions-law.md holds the articles and sources):
the Government and other national bodies 50,000; a region's or large city's akimat 1 % of
its population and its maslikhat 2 %; a district's or city's akimat 2,500 where more than
50,000 people live, else 5 %, and its maslikhat 5,000, else 10 %; 50 supporters within
20 working days before a petition goes public (else it lapses), moderation in 20 working
days, six months of collection. `movement-2016` keeps the settings Dauys had before the law
(national 15,000; regional bodies 1 %; SPONSORS_REQUIRED, MODERATION_DUE_WORKING_DAYS,
PETITION_DURATION_DAYS) and the law's numbers for district bodies, which it had none of.

Where a unit's population is not known, a stated fallback number applies (never an
invented population): the regional figures of 5,000 (akimat) and 10,000 (maslikhat), and
for a district the number the law sets for one of more than 50,000 people.

A petition records the profile it was submitted under (`petitions.threshold_profile`):
changing THRESHOLD_PROFILE never changes a petition already on its way. An administrator
may still set one body's own rule (FIXED or POPULATION_PERCENT), which applies to all its
petitions. Which signatures count is the body's rule too (`counted_from`), or the
profile's: every signature under movement-2016, only those made with an EDS under law-2024.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from flask import current_app
from flask_babel import format_decimal, lazy_ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import case

from app.models import BodyKind, BodyLevel, IdentityLevel, Petition, StateBody, ThresholdRule


@dataclass(frozen=True)
class Rule:
    """The signatures one kind of body needs: a fixed number; or a percentage of the
    unit's population (`fallback` when it is not known); or, with a `floor`, the fixed
    number for a unit of more than `floor` people and the percentage for a smaller one."""

    fixed: int | None = None
    percent: Decimal | None = None
    floor: int | None = None
    fallback: int | None = None


@dataclass(frozen=True)
class Profile:
    name: str
    rules: dict[tuple[BodyLevel, BodyKind | None], Rule]
    # The weakest signature that counts toward a threshold: the 2024 law's portal counts
    # only signatures made with an EDS; the movement's count took every verified account.
    counted_from: IdentityLevel = IdentityLevel.SELF_DECLARED
    # The link-only stage: supporters needed before moderation, and the working days to
    # find them in (None: no limit). None for `sponsors`: the SPONSORS_REQUIRED setting.
    sponsors: int | None = None
    sponsor_working_days: int | None = None
    # None: the MODERATION_DUE_WORKING_DAYS setting.
    moderation_working_days: int | None = None
    # How long an open petition collects signatures; None: PETITION_DURATION_DAYS days.
    collection_months: int | None = None

    def rule(self, level: BodyLevel, kind: BodyKind) -> Rule:
        return self.rules.get((level, kind)) or self.rules[(level, None)]

    @property
    def national(self) -> int:
        return self.rules[(BodyLevel.NATIONAL, None)].fixed

    def sponsors_required(self) -> int:
        return self.sponsors if self.sponsors is not None else current_app.config["SPONSORS_REQUIRED"]

    def moderation_days(self) -> int:
        if self.moderation_working_days is not None:
            return self.moderation_working_days
        return current_app.config["MODERATION_DUE_WORKING_DAYS"]


_DISTRICT_RULES = {
    (BodyLevel.DISTRICT, BodyKind.AKIMAT): Rule(fixed=2_500, percent=Decimal("5"), floor=50_000, fallback=2_500),
    (BodyLevel.DISTRICT, BodyKind.MASLIKHAT): Rule(fixed=5_000, percent=Decimal("10"), floor=50_000, fallback=5_000),
    (BodyLevel.DISTRICT, None): Rule(fixed=2_500, percent=Decimal("5"), floor=50_000, fallback=2_500),
}

PROFILES = {
    "movement-2016": Profile("movement-2016", {
        (BodyLevel.NATIONAL, None): Rule(fixed=15_000),
        (BodyLevel.REGIONAL, None): Rule(percent=Decimal("1"), fallback=5_000),
        **_DISTRICT_RULES,
    }),
    "law-2024": Profile("law-2024", {
        (BodyLevel.NATIONAL, None): Rule(fixed=50_000),
        (BodyLevel.REGIONAL, BodyKind.AKIMAT): Rule(percent=Decimal("1"), fallback=5_000),
        (BodyLevel.REGIONAL, BodyKind.MASLIKHAT): Rule(percent=Decimal("2"), fallback=10_000),
        (BodyLevel.REGIONAL, None): Rule(percent=Decimal("1"), fallback=5_000),
        **_DISTRICT_RULES,
    }, counted_from=IdentityLevel.EDS, sponsors=50, sponsor_working_days=20, moderation_working_days=20,
        collection_months=6),
}


class UnknownProfile(ValueError):
    """Raised when THRESHOLD_PROFILE names no known profile."""


@dataclass(frozen=True)
class Threshold:
    signatures: int
    # How it was found, for the page that explains it: "fixed" (a number), "percent" (of
    # the population), "floor" (the number for a unit of more than `floor` people),
    # "fallback" (the population is not known).
    kind: str
    percent: Decimal | None = None
    population: int | None = None
    floor: int | None = None


def profile(name: str | None = None) -> Profile:
    """The profile called `name`, or the configured one. Raises UnknownProfile."""
    name = name or current_app.config["THRESHOLD_PROFILE"]
    try:
        return PROFILES[name]
    except KeyError:
        raise UnknownProfile(name) from None


def stated_periods() -> dict[str, str]:
    """What the public pages say of the configured profile's stages, in the current
    language: {{ sponsors_required }}, {{ sponsor_period }}, {{ moderation_period }} and
    {{ collection_period }} in app/content/legal (app.legal)."""
    p = profile()

    def within(days: int):
        return lazy_ngettext("within %(num)d working day", "within %(num)d working days", days)

    sponsor_period = _l("with no time limit") if p.sponsor_working_days is None else within(p.sponsor_working_days)
    if p.collection_months is not None:
        collection = lazy_ngettext("%(num)d month", "%(num)d months", p.collection_months)
    else:
        collection = lazy_ngettext("%(num)d day", "%(num)d days", current_app.config["PETITION_DURATION_DAYS"])
    return {"sponsors_required": str(p.sponsors_required()), "sponsor_period": str(sponsor_period),
            "moderation_period": str(within(p.moderation_days())), "collection_period": str(collection)}


def profile_of(petition: Petition) -> Profile:
    """The profile a petition was submitted under (a draft: the configured one)."""
    return profile(petition.threshold_profile)


def _percent_of(population: int | None, percent: Decimal, fallback: int) -> Threshold:
    if not population:
        return Threshold(fallback, "fallback")
    needed = math.ceil(Decimal(population) * percent / Decimal(100))
    return Threshold(max(needed, 1), "percent", percent, population)


def _apply(rule: Rule, population: int | None) -> Threshold:
    if rule.percent is None:
        return Threshold(rule.fixed, "fixed")
    if rule.floor is not None and population and population > rule.floor:
        return Threshold(rule.fixed, "floor", population=population, floor=rule.floor)
    return _percent_of(population, rule.percent, rule.fallback)


def threshold_for(body: StateBody, profile_name: str | None = None) -> Threshold:
    """The number of signatures a petition to `body` needs under the named profile (or
    the configured one). Raises UnknownProfile."""
    place = body.place
    population = place.population if place is not None else None
    if body.threshold_rule is ThresholdRule.FIXED:
        return Threshold(body.threshold_fixed, "fixed")
    if body.threshold_rule is ThresholdRule.POPULATION_PERCENT:
        return _percent_of(population, body.threshold_percent, body.threshold_fallback)
    return _apply(profile(profile_name).rule(body.level, body.kind), population)


def petition_threshold(petition: Petition) -> Threshold:
    """A petition's threshold: its body's under the profile it was submitted under."""
    return threshold_for(petition.body, petition.threshold_profile)


def threshold_column(body: StateBody):
    """SQL: the threshold of each petition to `body`, by the profile it records."""
    return case({name: threshold_for(body, name).signatures for name in PROFILES},
                value=Petition.threshold_profile, else_=threshold_for(body).signatures)


def same_profile(profile_name: str | None):
    """SQL: petitions submitted under the named profile (None: drafts and those from
    before profiles were recorded, which follow the configured one)."""
    if profile_name is None:
        return Petition.threshold_profile.is_(None)
    return Petition.threshold_profile == profile_name


def sponsors_column():
    """SQL: the sponsors each petition needs, by the profile it records."""
    return case({name: p.sponsors_required() for name, p in PROFILES.items()},
                value=Petition.threshold_profile, else_=profile().sponsors_required())


def counted_levels(body: StateBody, profile_name: str | None = None) -> tuple[IdentityLevel, ...]:
    """The signatures that count toward `body`'s threshold: its own rule's level and every
    level above it, or the named (else the configured) profile's. Raises UnknownProfile."""
    return (body.counted_from or profile(profile_name).counted_from).and_above()


def petition_counted_levels(petition: Petition) -> tuple[IdentityLevel, ...]:
    return counted_levels(petition.body, petition.threshold_profile)


def counts_every_signature(body: StateBody, profile_name: str | None = None) -> bool:
    return IdentityLevel.SELF_DECLARED in counted_levels(body, profile_name)


COUNTED_FROM_NAMES = {
    IdentityLevel.SELF_DECLARED: _l("every signature"),
    IdentityLevel.STATE_IDP: _l("signatures by people whose identity the state confirmed, and those made with an EDS"),
    IdentityLevel.EDS: _l("only signatures made with an EDS"),
}


def describe_counted(body: StateBody, profile_name: str | None = None) -> str:
    return str(COUNTED_FROM_NAMES[counted_levels(body, profile_name)[0]])


def describe(body: StateBody, t: Threshold, language: str) -> str:
    """Where threshold `t` of `body` comes from, in words."""
    place = body.place
    if t.kind == "percent":
        return str(_l("%(percent)s %% of the population of %(place)s (%(population)s)",
                      percent=f"{t.percent.normalize():f}", place=place.name(language),
                      population=format_decimal(t.population)))
    if t.kind == "floor":
        return str(_l("the number for a place of more than %(floor)s people: %(place)s has %(population)s",
                      floor=format_decimal(t.floor), place=place.name(language),
                      population=format_decimal(t.population)))
    if t.kind == "fallback":
        return str(_l("fixed number: the population of %(place)s is not known", place=place.name(language)))
    return str(_l("fixed number"))


def describe_threshold(body: StateBody, language: str, profile_name: str | None = None) -> str:
    return describe(body, threshold_for(body, profile_name), language)
