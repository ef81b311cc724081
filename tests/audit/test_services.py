"""Writing the audit log (app/audit/services.py): an entry says who did what to which
row, before and after, and why; once written it cannot be changed or deleted."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.audit.services import record
from app.extensions import db
from app.models import AuditEntry, Role
from app.models.audit import AppendOnlyError
from tests.support import make_user


def test_an_entry_names_the_actor_the_change_and_the_reason(app, clock):
    clock.set(datetime(2026, 11, 23, 6, 30, tzinfo=UTC))
    admin = make_user("boss@example.kz", roles=(Role.ADMIN,))
    entry = record(admin, "role.grant", "user", 42, before={"roles": []}, after={"roles": ["moderator"]},
                   reason="New moderator for Almaty")
    db.session.commit()
    db.session.expire_all()
    saved = db.session.get(AuditEntry, entry.id)
    assert saved.actor_id == admin.id and saved.channel == "web"
    assert (saved.action, saved.target_type, saved.target_id) == ("role.grant", "user", 42)
    assert saved.before == {"roles": []} and saved.after == {"roles": ["moderator"]}
    assert saved.reason == "New moderator for Almaty"
    assert saved.created_at == datetime(2026, 11, 23, 6, 30, tzinfo=UTC)  # the application's clock


def test_a_command_on_the_server_is_recorded_without_an_actor(app):
    entry = record(None, "role.grant", "user", 7, channel="cli")
    assert entry.id is not None  # flushed with the change it records
    assert (entry.actor_id, entry.channel, entry.before, entry.after, entry.reason) == (None, "cli", None, None, None)


def test_an_entry_goes_with_the_transaction_it_records(app):
    """Never committed by record(): a change rolled back leaves no entry claiming it."""
    record(None, "role.grant", "user", 7, channel="cli")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_audit_log_is_append_only(app):
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
