"""Admin pages: users and roles (with the audit log), bodies, outbox."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Role, User
from app.models.audit import AppendOnlyError
from tests.support import make_user, page_text, post


@pytest.fixture
def admin_client(app):
    make_user("boss@example.kz", roles=(Role.ADMIN,))
    client = app.test_client()
    post(client, "/login", {"email": "boss@example.kz", "password": "correct horse battery"})
    return client


def reload(user):
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_grant_official_with_body_and_revoke_is_audited(admin_client):
    target = make_user("future.official@example.kz")
    url = f"/admin/users/{target.id}"
    response = post(admin_client, url, {"action": "grant", "grant-role": "official", "grant-body": "MIN-HEALTH"},
                    token_from=url)
    assert response.status_code == 302
    user = reload(target)
    assert user.has_role(Role.OFFICIAL) and user.official_body.code == "MIN-HEALTH"

    response = post(admin_client, url, {"action": "revoke", "revoke-role": "official"}, token_from=url)
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
    response = post(admin_client, url, data, token_from=url)
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
    response = post(admin_client, url, {"action": "revoke", "revoke-role": "admin"}, token_from=url)
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


def test_audit_log_is_append_only(app):
    from app.audit.services import record

    entry = record(None, "test.action", "user", 1, channel="cli")
    db.session.commit()
    entry.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
