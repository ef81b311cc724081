"""Admin pages: users and roles (with the audit log), bodies, outbox."""

import pytest
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Role, StateBody, ThresholdRule, User
from tests.support import login, make_user, page_text, post, reauth, translated


@pytest.fixture
def admin_client(app):
    make_user("boss@example.kz", roles=(Role.ADMIN,))
    client = app.test_client()
    response = login(client, "boss@example.kz")
    assert response.status_code == 302 and "/login" not in response.headers["Location"]
    return client


def reload(user):
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_grant_official_with_body_and_revoke_is_audited(admin_client):
    target = make_user("future.official@example.kz")
    url = f"/admin/users/{target.id}"
    response = post(admin_client, url, {"action": "grant", "grant-role": "official", "grant-body": "MIN-HEALTH",
                                        **reauth("boss@example.kz", "grant-")}, token_from=url)
    assert response.status_code == 302
    user = reload(target)
    assert user.has_role(Role.OFFICIAL) and user.official_body.code == "MIN-HEALTH"

    response = post(admin_client, url, {"action": "revoke", "revoke-role": "official",
                                        **reauth("boss@example.kz", "revoke-")}, token_from=url)
    assert response.status_code == 302
    assert not reload(target).has_role(Role.OFFICIAL)

    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.target_id == target.id).order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["role.grant", "role.revoke"]
    assert entries[0].actor.email == "boss@example.kz"
    assert entries[0].after == {"roles": ["official:MIN-HEALTH"]}
    assert entries[1].before == {"roles": ["official:MIN-HEALTH"]} and entries[1].after == {"roles": []}
    assert entries[0].created_at is not None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "grant", "grant-role": "official", "grant-body": ""}, "Бұл лауазымды тұлға жұмыс істейтін"),
        ({"action": "grant", "grant-role": "official", "grant-body": "NOPE"}, "Бұл лауазымды тұлға жұмыс істейтін"),
        ({"action": "grant", "grant-role": "moderator", "grant-body": "GOV"}, "Мемлекеттік органға тек лауазымды"),
        ({"action": "grant", "grant-role": "citizen", "grant-body": ""}, "Рөлді таңдаңыз."),
        ({"action": "grant", "grant-role": "emperor", "grant-body": ""}, "Рөлді таңдаңыз."),
        ({"action": "revoke", "revoke-role": "moderator"}, "Пайдаланушыда бұл рөл жоқ."),
    ],
)
def test_bad_role_changes_are_refused(admin_client, data, message):
    target = make_user("someone@example.kz")
    url = f"/admin/users/{target.id}"
    response = post(admin_client, url, {**data, **reauth("boss@example.kz", "grant-"),
                                        **reauth("boss@example.kz", "revoke-")}, token_from=url)
    assert response.status_code == 422
    assert message in page_text(response)
    assert reload(target).roles == []
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.target_id == target.id)) is None


def test_unknown_action_is_400(admin_client):
    target = make_user("someone@example.kz")
    assert post(admin_client, f"/admin/users/{target.id}", {"action": "explode"}).status_code == 400


def test_admin_cannot_remove_own_admin_role(admin_client):
    me = db.session.scalar(select(User).where(User.email == "boss@example.kz"))
    url = f"/admin/users/{me.id}"
    response = post(admin_client, url, {"action": "revoke", "revoke-role": "admin",
                                        **reauth("boss@example.kz", "revoke-")}, token_from=url)
    assert response.status_code == 422
    assert reload(me).has_role(Role.ADMIN)


def test_missing_user_is_404(admin_client):
    assert admin_client.get("/admin/users/999999").status_code == 404


def test_user_search(admin_client):
    make_user("findme@example.kz")
    text = page_text(admin_client.get("/admin/users?q=FINDME"))
    assert "findme@example.kz" in text and "boss@example.kz" not in text
    assert admin_client.get("/admin/users?page=abc").status_code == 400
    assert admin_client.get("/admin/users?page=99999999999999999999").status_code == 400


def test_bodies_and_outbox_pages(admin_client):
    text = page_text(admin_client.get("/admin/bodies"))
    assert "Қазақстан Республикасының Үкіметі" in text and "AKIMAT-KZ-35" in text
    assert admin_client.get("/admin/outbox").status_code == 200
    assert admin_client.get("/admin/outbox?status=pending").status_code == 200
    assert admin_client.get("/admin/outbox?status=bogus").status_code == 400


@pytest.mark.parametrize("wrong", ["password", "code", "replayed code", "missing"])
def test_granting_a_role_asks_for_the_password_and_a_code_again(admin_client, wrong):
    target = make_user("someone@example.kz")
    url = f"/admin/users/{target.id}"
    data = {"action": "grant", "grant-role": "admin", "grant-body": "", **reauth("boss@example.kz", "grant-")}
    if wrong == "password":
        data["grant-reauth_password"] = "not-my-password"
    elif wrong == "code":
        data["grant-reauth_code"] = str((int(data["grant-reauth_code"]) + 1) % 1_000_000).zfill(6)
    elif wrong == "replayed code":
        code = data["grant-reauth_code"]
        assert post(admin_client, url, {**data, "grant-role": "moderator"}, token_from=url).status_code == 302
        data["grant-reauth_code"] = code  # seen over a shoulder: the same code again
    else:
        del data["grant-reauth_password"], data["grant-reauth_code"]
    response = post(admin_client, url, data, token_from=url)
    assert response.status_code == 422
    assert not reload(target).has_role(Role.ADMIN)
    expected = {"password": _l("The password is wrong."), "missing": _l("Enter your password.")}.get(
        wrong, _l("This code is not right, or it was used already. Try the next one."))
    assert translated(expected, "kk") in page_text(response)


def test_changing_a_body_rule_asks_for_the_password_and_a_code_again(admin_client):
    from app.models import StateBody

    body = db.session.scalar(select(StateBody).where(StateBody.code == "GOV"))
    saved = (body.threshold_rule, body.threshold_fixed, body.review_period_days)
    url = f"/admin/bodies/{body.id}"
    data = {"rule": "fixed", "fixed": "1234", "review_period_days": "20", "active": "y", "note": "test",
            "reauth_password": "wrong-password-9", "reauth_code": "123456"}
    try:
        assert post(admin_client, url, data, token_from=url).status_code == 422
        db.session.expire_all()
        assert db.session.get(StateBody, body.id).threshold_fixed != 1234
        data.update(reauth("boss@example.kz"))
        assert post(admin_client, url, data, token_from=url).status_code == 302
        db.session.expire_all()
        assert db.session.get(StateBody, body.id).threshold_fixed == 1234
    finally:
        body = db.session.get(StateBody, body.id)
        body.threshold_rule, body.threshold_fixed, body.review_period_days = saved
        db.session.commit()


def test_an_admin_resets_anothers_second_factor_and_it_is_audited(app, admin_client):
    moderator = make_user("lost.phone@example.kz", roles=(Role.MODERATOR,))
    their_browser = app.test_client()
    login(their_browser, "lost.phone@example.kz")
    url = f"/admin/users/{moderator.id}"
    bad = post(admin_client, url, {"action": "reset_second_factor", "reset-reauth_password": "nope-nope-1",
                                   "reset-reauth_code": "000000"}, token_from=url)
    assert bad.status_code == 422 and reload(moderator).has_second_factor
    response = post(admin_client, url, {"action": "reset_second_factor", **reauth("boss@example.kz", "reset-")},
                    token_from=url)
    assert response.status_code == 302
    assert not reload(moderator).has_second_factor
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.second_factor_reset"))
    assert entry.target_id == moderator.id and entry.actor.email == "boss@example.kz"
    # Their sessions ended; at the next log-in they must set it up before any staff page.
    assert their_browser.get("/moderation/").status_code == 302
    login(their_browser, "lost.phone@example.kz")
    assert "/account/two-factor" in their_browser.get("/moderation/").headers["Location"]
    # Nothing left to reset: a second try is a 409, not a 500.
    assert post(admin_client, url, {"action": "reset_second_factor", **reauth("boss@example.kz", "reset-")},
                token_from=url).status_code == 409


def test_a_role_grant_that_fails_does_not_give_the_code_back(admin_client):
    """The code asked again is spent even when the grant itself is then refused."""
    target = make_user("someone@example.kz", roles=(Role.MODERATOR,))
    url = f"/admin/users/{target.id}"
    data = {"action": "grant", "grant-role": "moderator", "grant-body": "", **reauth("boss@example.kz", "grant-")}
    assert post(admin_client, url, data, token_from=url).status_code == 422  # already held
    again = post(admin_client, url, {**data, "grant-role": "admin"}, token_from=url)
    assert again.status_code == 422 and not reload(target).has_role(Role.ADMIN)


def test_wrong_codes_asked_again_lock_the_second_factor_for_a_while(app, admin_client, clock):
    target = make_user("someone@example.kz")
    url = f"/admin/users/{target.id}"
    for _ in range(app.config["TWO_FACTOR_MAX_FAILURES"]):
        post(admin_client, url, {"action": "grant", "grant-role": "admin", "grant-reauth_password": "wrong-9-9-9",
                                 "grant-reauth_code": "000000"}, token_from=url)
    right = post(admin_client, url, {"action": "grant", "grant-role": "admin", **reauth("boss@example.kz", "grant-")},
                 token_from=url)
    assert right.status_code == 422 and not reload(target).has_role(Role.ADMIN)
    assert translated(lazy_ngettext("Too many wrong codes. Wait %(num)d minute, then log in again.",
                                    "Too many wrong codes. Wait %(num)d minutes, then log in again.", 15), "kk") \
        in page_text(right)
    clock.advance(minutes=16)  # the window passes (the staff session, idle 16 minutes, lives on)
    ok = post(admin_client, url, {"action": "grant", "grant-role": "admin", **reauth("boss@example.kz", "grant-")},
              token_from=url)
    assert ok.status_code == 302 and reload(target).has_role(Role.ADMIN)


@pytest.mark.parametrize("percent", ["sNaN", "NaN", "Infinity", "-Infinity", "1e999999"])
def test_a_percentage_that_is_not_a_number_is_refused(client, app, percent):
    make_user("admin@example.kz", roles=(Role.ADMIN,))
    login(client, "admin@example.kz")
    body = db.session.scalar(select(StateBody).where(StateBody.code == "AKIMAT-KZ-11"))
    url = f"/admin/bodies/{body.id}"
    response = post(client, url, {"rule": "population_percent", "percent": percent, "fallback": "1000",
                                  "review_period_days": "20", "note": "x", **reauth("admin@example.kz")},
                    token_from=url)
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(StateBody, body.id).threshold_rule is ThresholdRule.PROFILE



def test_a_revocation_refused_after_the_role_is_removed_leaves_nothing_behind(admin_client, monkeypatch):
    """The role row is already deleted in the transaction when the refusal comes: the
    page answers 422 with the refusal next to the role, and the request's transaction
    takes the deletion back."""
    from app.admin import services

    target = make_user("half.revoked@example.kz", roles=(Role.MODERATOR,))

    def refuse_after_the_write(*args, **kwargs):
        raise services.RoleError("not_held")

    monkeypatch.setattr(services, "record", refuse_after_the_write)
    url = f"/admin/users/{target.id}"
    response = post(admin_client, url, {"action": "revoke", "revoke-role": "moderator",
                                        **reauth("boss@example.kz", "revoke-")}, token_from=url)
    assert response.status_code == 422
    assert translated(_l("The user does not have this role."), "kk") in page_text(response)
    assert reload(target).has_role(Role.MODERATOR)
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.target_id == target.id,
                                                       AuditEntry.action == "role.revoke")).all() == []
