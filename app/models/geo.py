"""The territory of Kazakhstan (regions and the districts and cities inside them, with
their KATO codes) and the state bodies petitions are addressed to."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime
from app.models.identity import IdentityLevel
from app.models.types import enum_column


class RegionKind(enum.Enum):
    OBLAST = "oblast"
    CITY = "city"


class DistrictKind(enum.Enum):
    """A second-level unit of KATO: a district of a region, a city of regional
    significance, or a district inside a city of republican significance."""

    DISTRICT = "district"
    CITY = "city"
    CITY_DISTRICT = "city_district"


class BodyLevel(enum.Enum):
    NATIONAL = "national"
    # Of a region or a city of republican significance.
    REGIONAL = "regional"
    # Of a district, a city of regional significance or a district inside a large city.
    DISTRICT = "district"


class BodyKind(enum.Enum):
    """What a body is: the law's thresholds differ between a maslikhat (the elected
    representative body) and an akimat (the executive) of the same place."""

    GOVERNMENT = "government"
    PARLIAMENT = "parliament"
    MINISTRY = "ministry"
    AKIMAT = "akimat"
    MASLIKHAT = "maslikhat"


class ThresholdRule(enum.Enum):
    """How a body's signature threshold is found.

    PROFILE follows the configured profile (movement-2016 or law-2024); FIXED and
    POPULATION_PERCENT are an administrator's override for one body.
    """

    PROFILE = "profile"
    FIXED = "fixed"
    POPULATION_PERCENT = "population_percent"


class LocalizedName:
    """Mixin: pick the kk/ru/en name for a language, falling back to Kazakh."""

    name_kk: Mapped[str]
    name_ru: Mapped[str]
    name_en: Mapped[str]

    def name(self, language: str) -> str:
        return getattr(self, f"name_{language}", None) or self.name_kk


class Region(LocalizedName, Base):
    """A first-level unit: one of the 17 regions or the 3 cities of republican significance."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    # The 9-digit code of the national classifier (KATO); set by `flask seed`.
    kato: Mapped[str | None] = mapped_column(String(9), unique=True)
    kind: Mapped[RegionKind] = mapped_column(enum_column(RegionKind, "region_kind"))
    name_en: Mapped[str] = mapped_column(String(120))
    name_kk: Mapped[str] = mapped_column(String(120))
    name_ru: Mapped[str] = mapped_column(String(120))
    centre_en: Mapped[str] = mapped_column(String(120))
    # Empty when no official figure is known: never invented.
    population: Mapped[int | None] = mapped_column(
        CheckConstraint("population IS NULL OR population > 0", name="population_positive")
    )
    population_as_of: Mapped[date | None]
    # Where the figure comes from (an address or a publication).
    population_source: Mapped[str | None] = mapped_column(String(500))
    # Set when an administrator entered the figure: a re-seed then never replaces it.
    population_edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class District(LocalizedName, Base):
    """A second-level unit of KATO inside a region (DistrictKind), with its population."""

    __tablename__ = "districts"
    __table_args__ = (
        CheckConstraint("population IS NULL OR population > 0", name="population_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kato: Mapped[str] = mapped_column(String(9), unique=True)
    kind: Mapped[DistrictKind] = mapped_column(enum_column(DistrictKind, "district_kind"))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    name_en: Mapped[str] = mapped_column(String(120))
    name_kk: Mapped[str] = mapped_column(String(120))
    name_ru: Mapped[str] = mapped_column(String(120))
    # As for regions: empty when no official figure is known, with its date and source.
    population: Mapped[int | None]
    population_as_of: Mapped[date | None]
    population_source: Mapped[str | None] = mapped_column(String(500))
    population_edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    region: Mapped[Region] = relationship(lazy="joined")


class StateBody(LocalizedName, Base):
    __tablename__ = "state_bodies"
    __table_args__ = (
        CheckConstraint(
            "(level = 'national' AND region_id IS NULL AND district_id IS NULL)"
            " OR (level = 'regional' AND region_id IS NOT NULL AND district_id IS NULL)"
            " OR (level = 'district' AND region_id IS NOT NULL AND district_id IS NOT NULL)",
            name="place_matches_level",
        ),
        CheckConstraint(
            "threshold_rule != 'fixed' OR threshold_fixed IS NOT NULL",
            name="fixed_rule_has_number",
        ),
        CheckConstraint(
            "threshold_rule != 'population_percent'"
            " OR (threshold_percent IS NOT NULL AND threshold_fallback IS NOT NULL)",
            name="percent_rule_has_numbers",
        ),
        CheckConstraint("threshold_fixed IS NULL OR threshold_fixed > 0", name="fixed_positive"),
        CheckConstraint(
            "threshold_percent IS NULL OR (threshold_percent > 0 AND threshold_percent <= 100)",
            name="percent_in_range",
        ),
        CheckConstraint(
            "threshold_fallback IS NULL OR threshold_fallback > 0", name="fallback_positive"
        ),
        CheckConstraint(
            "review_period_days > 0 AND review_period_days <= 365", name="review_period_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_kk: Mapped[str] = mapped_column(String(255))
    name_ru: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    level: Mapped[BodyLevel] = mapped_column(enum_column(BodyLevel, "body_level"))
    kind: Mapped[BodyKind] = mapped_column(enum_column(BodyKind, "body_kind"))
    # The region of a regional or district body (a district body's region is its district's).
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    threshold_rule: Mapped[ThresholdRule] = mapped_column(
        enum_column(ThresholdRule, "threshold_rule"), default=ThresholdRule.PROFILE
    )
    threshold_fixed: Mapped[int | None]
    threshold_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    threshold_fallback: Mapped[int | None]
    # The weakest signature that counts toward the threshold (levels above it count too);
    # None: the configured profile's (app.bodies.thresholds).
    counted_from: Mapped[IdentityLevel | None] = mapped_column(enum_column(IdentityLevel, "body_counted_from"))
    review_period_days: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)

    region: Mapped[Region | None] = relationship()
    district: Mapped[District | None] = relationship()

    @property
    def place(self) -> Region | District | None:
        """The unit whose people the body serves (its population sets local thresholds)."""
        return self.district or self.region
