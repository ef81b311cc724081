"""account suspension by moderators: when, and why (the account is then inactive)

Revision ID: a7b9c1d3e605
Revises: f6a8b0c2d504
Create Date: 2026-11-23 05:23:01.000844

"""
from alembic import op
import sqlalchemy as sa

import app.models.base

revision = 'a7b9c1d3e605'
down_revision = 'f6a8b0c2d504'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspended_at', app.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('suspension_reason', sa.String(length=500), nullable=True))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('suspension_reason')
        batch_op.drop_column('suspended_at')

