"""Staff roles (app.admin.services)."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import Role, User
from tests.support import at_once, make_user, postgres_only


def test_the_same_role_granted_twice_at_the_same_moment_is_one_grant_and_no_500(app):
    postgres_only(app)
    from app.admin.services import RoleError, grant_role
    from app.models import AuditEntry

    target_id = make_user("twice@example.kz").id

    def grant():
        user = db.session.get(User, target_id)
        try:
            grant_role(None, user, Role.MODERATOR, channel="cli")
            db.session.commit()
            return "granted"
        except RoleError as exc:
            db.session.rollback()
            return exc.code

    outcomes = [r for _ in range(5) for r in at_once(app, grant, grant)]
    assert outcomes.count("granted") == 1 and set(outcomes) == {"granted", "already_held"}
    db.session.expire_all()
    assert [r.role for r in db.session.get(User, target_id).roles] == [Role.MODERATOR]
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "role.grant", AuditEntry.target_id == target_id)) == 1

