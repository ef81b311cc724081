"""The database behaves as the application expects (app.core.sqlite): a savepoint
released as a transaction's first write is still undone by the transaction's rollback
(Python's sqlite3 driver used to commit it for good), and Cyrillic folds."""

from __future__ import annotations

from sqlalchemy import func, select, text

from app.extensions import db
from app.models import AuditEntry


def _entries(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def test_a_released_savepoint_is_undone_by_the_rollback_around_it(app):
    with db.session.begin_nested():
        db.session.add(AuditEntry(action="savepoint.first", target_type="test", target_id=1))
    db.session.add(AuditEntry(action="savepoint.after", target_type="test", target_id=2))
    db.session.flush()
    db.session.rollback()
    assert _entries("savepoint.first") == 0
    assert _entries("savepoint.after") == 0


def test_a_released_savepoint_is_kept_when_the_transaction_commits(app):
    with db.session.begin_nested():
        db.session.add(AuditEntry(action="savepoint.kept", target_type="test", target_id=1))
    db.session.commit()
    assert _entries("savepoint.kept") == 1


def test_cyrillic_folds_on_sqlite(app):
    if db.engine.dialect.name != "sqlite":
        return
    assert db.session.scalar(text("SELECT dauys_fold('ҚАЗАҚСТАН')")) == "қазақстан"
