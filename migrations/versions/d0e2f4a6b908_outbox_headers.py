"""outbox headers: List-Unsubscribe and List-Unsubscribe-Post on emails to signers (RFC 8058)

Revision ID: d0e2f4a6b908
Revises: c9d1e3f5a807
Create Date: 2026-11-23 07:48:10.554071

"""
from alembic import op
import sqlalchemy as sa

import app.models.base


# revision identifiers, used by Alembic.
revision = 'd0e2f4a6b908'
down_revision = 'c9d1e3f5a807'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_emails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('headers', sa.JSON(), nullable=True))



def downgrade():
    with op.batch_alter_table('outbox_emails', schema=None) as batch_op:
        batch_op.drop_column('headers')

