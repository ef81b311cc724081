"""Thresholds are data: profiles, per-body overrides, population percentages."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.bodies.thresholds import UnknownProfile, threshold_for
from app.extensions import db
from app.models import StateBody, ThresholdRule


def body(code):
    return db.session.scalar(select(StateBody).where(StateBody.code == code))


def test_movement_2016_profile(app):
    assert threshold_for(body("GOV")).signatures == 15000
    assert threshold_for(body("AKIMAT-KZ-35")).signatures == 11313  # ceil(1 % of 1,131,287)
    assert threshold_for(body("AKIMAT-KZ-11")).signatures == 5000  # population unknown


def test_law_2024_profile(app, monkeypatch):
    monkeypatch.setitem(app.config, "THRESHOLD_PROFILE", "law-2024")
    assert threshold_for(body("GOV")).signatures == 50000
    assert threshold_for(body("AKIMAT-KZ-75")).signatures == 23480  # ceil(1 % of 2,347,924)


def test_unknown_profile(app, monkeypatch):
    monkeypatch.setitem(app.config, "THRESHOLD_PROFILE", "whatever")
    with pytest.raises(UnknownProfile):
        threshold_for(body("GOV"))


def test_admin_override(app):
    gov = body("GOV")
    gov.threshold_rule = ThresholdRule.FIXED
    gov.threshold_fixed = 20
    akimat = body("AKIMAT-KZ-62")
    akimat.threshold_rule = ThresholdRule.POPULATION_PERCENT
    akimat.threshold_percent = Decimal("0.5")
    akimat.threshold_fallback = 1000
    assert threshold_for(gov).signatures == 20
    assert threshold_for(akimat).signatures == 1095  # ceil(0.5 % of 218,993)
    db.session.rollback()


def test_database_refuses_an_incomplete_rule(app):
    import sqlalchemy.exc

    gov = body("GOV")
    gov.threshold_rule = ThresholdRule.FIXED
    gov.threshold_fixed = None
    with pytest.raises(sqlalchemy.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()
