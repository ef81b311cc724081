"""Findings of the security audit (issue 11, item 7), each with a test that failed
before its fix."""


import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from app.extensions import db
from app.models import Petition, PetitionState, Role, StateBody, ThresholdRule, User
from tests.support import login, make_petition, make_user, page_text, post


@pytest.mark.parametrize("percent", ["sNaN", "NaN", "Infinity", "-Infinity", "1e999999"])
def test_a_percentage_that_is_not_a_number_is_refused(client, app, percent):
    make_user("admin@example.kz", roles=(Role.ADMIN,))
    login(client, "admin@example.kz")
    body = db.session.scalar(select(StateBody).where(StateBody.code == "AKIMAT-KZ-11"))
    url = f"/admin/bodies/{body.id}"
    response = post(client, url, {"rule": "population_percent", "percent": percent, "fallback": "1000",
                                  "review_period_days": "20", "note": "x"}, token_from=url)
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(StateBody, body.id).threshold_rule is ThresholdRule.PROFILE


def test_a_moderator_cannot_decide_on_their_own_petition(client, app):
    moderator = make_user("moderator@example.kz", roles=(Role.MODERATOR,))
    petition = make_petition(moderator, state="pending_moderation", title="A moderator's own petition about parks")
    login(client, "moderator@example.kz")
    client.language = "en"
    url = f"/moderation/petitions/{petition.id}"
    response = post(client, f"{url}/approve", {}, token_from=url)
    assert response.status_code == 403
    assert "another moderator must decide on it" in page_text(response)
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).state is PetitionState.PENDING_MODERATION
    other = app.test_client()
    make_user("colleague@example.kz", roles=(Role.MODERATOR,))
    login(other, "colleague@example.kz")
    assert post(other, f"{url}/approve", {}, token_from=url).status_code == 302
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).state is PetitionState.OPEN


def test_text_pasted_from_word_keeps_its_line_breaks(client, app):
    make_user("author@example.kz", region="KZ-75")
    login(client, "author@example.kz")
    details = "Бірінші абзац.\x0bЕкінші жол.\x0cКелесі бет."
    response = post(client, "/petitions/new/form", {
        "title": "Word-тан көшірілген мәтін туралы петиция", "summary": "Қысқаша\x0bмазмұны.",
        "details": details, "body": "GOV", "category": "other", "language": "kk"},
        token_from="/petitions/new/form")
    assert response.status_code == 302
    petition = db.session.scalar(select(Petition))
    assert petition.details == "Бірінші абзац.\nЕкінші жол.\n\nКелесі бет."
    assert petition.summary == "Қысқаша\nмазмұны."
    # Other control characters are still a bad request, and nothing is written.
    bad = post(client, "/petitions/new/form", {"title": "A title with a NUL\x00 inside it", "summary": "s",
                                               "details": "d", "body": "GOV", "category": "other", "language": "kk"},
               token_from="/petitions/new/form")
    assert bad.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Petition)) == 1


def test_a_weaker_password_hash_is_upgraded_at_log_in(client, app):
    user = make_user("old@example.kz")
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("correct horse battery")
    user.password_hash = weak
    db.session.commit()
    login(client, "old@example.kz")
    db.session.expire_all()
    upgraded = db.session.get(User, user.id).password_hash
    assert upgraded != weak and "m=8192" not in upgraded
    assert not PasswordHasher().check_needs_rehash(upgraded)
    other = app.test_client()
    login(other, "old@example.kz")  # the same password still opens the account
    assert other.get("/account").status_code == 200
