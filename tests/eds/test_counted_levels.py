"""Which signatures count toward a threshold is a body's rule (or the profile's: every
signature under movement-2016, only those made with an EDS under law-2024): the engine
crosses on that count, the petition page and the API say it, and an administrator sets it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.bodies.thresholds import counted_levels
from app.extensions import db
from app.models import AuditEntry, IdentityLevel, ReviewCase, Role, StateBody
from tests.eds.test_eds_signing import open_page, send
from tests.eds_ca import Person, sign_cms
from tests.support import (
    login,
    make_petition,
    make_user,
    page_text,
    post,
    reauth,
    restore_threshold,
    set_fixed_threshold,
    settle,
    valid_iin,
)


@pytest.fixture
def eds_only(app):
    """The Government: a threshold of 2, counting only signatures made with an EDS."""
    body, saved = set_fixed_threshold("GOV", 2)
    body.counted_from = IdentityLevel.EDS
    db.session.commit()
    yield body
    body = db.session.get(StateBody, body.id)
    body.counted_from = None
    restore_threshold(body, saved)


def sign_with_eds(app, eds, petition, n: int) -> None:
    iin = valid_iin()
    make_user(f"eds-signer{n}@example.kz", iin=iin)
    signer = app.test_client()
    signer.language = "en"
    login(signer, f"eds-signer{n}@example.kz")
    statement = open_page(signer, petition)
    assert send(signer, petition, statement, sign_cms(eds.issue(Person(iin)), statement.encode())).status_code == 302


def case_of(petition):
    db.session.rollback()
    return db.session.scalar(select(ReviewCase).where(ReviewCase.petition_id == petition.id))


def test_only_eds_signatures_cross_an_eds_only_threshold(app, client, eds, eds_only):
    petition = make_petition(body="GOV", signatures=3)  # three through typed-IIN accounts
    settle()
    assert case_of(petition) is None, "three signatures, none counted"
    client.language = "en"
    page = page_text(client.get(f"/petitions/{petition.id}"))
    assert "Toward the threshold count only signatures made with an EDS: 0 so far." in page
    assert client.get(f"/api/v1/petitions/{petition.id}/count").get_json()["counted"] == 0
    assert client.get(f"/api/v1/petitions/{petition.id}").get_json()["threshold"]["counts"] == ["eds"]

    sign_with_eds(app, eds, petition, 1)
    settle()
    assert case_of(petition) is None
    sign_with_eds(app, eds, petition, 2)
    settle()
    case = case_of(petition)
    assert case is not None and case.petition.threshold_at_crossing == 2
    count = client.get(f"/api/v1/petitions/{petition.id}/count").get_json()
    assert (count["signature_count"], count["counted"]) == (5, 2)


def test_the_sweeper_finds_a_crossing_by_the_counted_signatures(app, eds, eds_only):
    from app.review.engine import overdue_transitions

    petition = make_petition(body="GOV", signatures=3)
    assert petition.id not in overdue_transitions()
    eds_only.counted_from = IdentityLevel.SELF_DECLARED  # now every signature counts
    db.session.commit()
    assert petition.id in overdue_transitions()


def test_the_profile_decides_when_the_body_does_not(app, monkeypatch):
    body = db.session.scalar(select(StateBody).where(StateBody.code == "GOV"))
    assert body.counted_from is None
    assert counted_levels(body) == tuple(IdentityLevel)
    monkeypatch.setitem(app.config, "THRESHOLD_PROFILE", "law-2024")
    assert counted_levels(body) == (IdentityLevel.EDS,)


def test_an_administrator_sets_it_and_it_is_audited(app, client):
    make_user("boss@example.kz", roles=(Role.ADMIN,))
    login(client, "boss@example.kz")
    body = db.session.scalar(select(StateBody).where(StateBody.code == "GOV"))
    saved = (body.threshold_rule, body.threshold_fixed, body.review_period_days)
    url = f"/admin/bodies/{body.id}"
    data = {"rule": "profile", "review_period_days": "20", "active": "y", "note": "the law says EDS only",
            "counted_from": "eds", **reauth("boss@example.kz")}
    try:
        assert post(client, url, {**data, "counted_from": "everything"}, token_from=url).status_code == 422
        assert post(client, url, data, token_from=url).status_code == 302
        db.session.expire_all()
        assert db.session.get(StateBody, body.id).counted_from is IdentityLevel.EDS
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "body.rule")
                                  .order_by(AuditEntry.id.desc()))
        assert entry.after["counted_from"] == "eds" and entry.before["counted_from"] is None
    finally:
        body = db.session.get(StateBody, body.id)
        body.threshold_rule, body.threshold_fixed, body.review_period_days = saved
        body.counted_from = None
        db.session.commit()
