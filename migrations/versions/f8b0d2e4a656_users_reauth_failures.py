"""users.reauth_failures and reauth_failed_at: wrong answers to "prove it is you" inside a
session (turning the second factor off, deleting the account, an administrator's grave
change), counted apart from the log-in's wrong codes

Revision ID: f8b0d2e4a656
Revises: e7a9c1d3f545
Create Date: 2026-12-02 17:20:00.000000

"""
import sqlalchemy as sa
from alembic import op

import app.models.base

# revision identifiers, used by Alembic.
revision = 'f8b0d2e4a656'
down_revision = 'e7a9c1d3f545'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reauth_failures', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('reauth_failed_at', app.models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('reauth_failed_at')
        batch_op.drop_column('reauth_failures')
