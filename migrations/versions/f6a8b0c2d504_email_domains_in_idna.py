"""email domains in their ASCII (IDNA) form: one spelling per mailbox

Addresses stored with a Unicode domain ("@қазақстан.kz") are rewritten to the form the
application now stores ("@xn--...kz"). Where that spelling is already taken by another
account (one mailbox, two accounts) the address is left as it is for an administrator to
resolve, and the migration says so.

Revision ID: f6a8b0c2d504
Revises: e5f7a9b1c403
Create Date: 2026-11-23 05:05:00

"""
import logging

import idna
import sqlalchemy as sa
from alembic import op

revision = 'f6a8b0c2d504'
down_revision = 'e5f7a9b1c403'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def _ascii(email):
    local, _, domain = email.rpartition("@")
    try:
        domain = idna.encode(domain.rstrip("."), uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return email
    return f"{local}@{domain.lower()}"


def upgrade():
    bind = op.get_bind()
    for column in ("email", "pending_email"):
        rows = bind.execute(sa.text(f"SELECT id, {column} FROM users WHERE {column} IS NOT NULL")).all()
        taken = {value for _, value in rows}
        for user_id, value in rows:
            if value.isascii():
                continue
            new = _ascii(value)
            if new == value:
                continue
            if column == "email" and new in taken:
                log.warning("user %s: %s is also another account's address; left as it is", user_id, column)
                continue
            bind.execute(sa.text(f"UPDATE users SET {column} = :new WHERE id = :id"), {"new": new, "id": user_id})
            taken.add(new)


def downgrade():
    pass  # the ASCII form is the same mailbox; nothing to undo
