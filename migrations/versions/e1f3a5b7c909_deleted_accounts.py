"""users.deleted_at: an account its owner deleted (personal data erased, the IIN hash kept)

Revision ID: e1f3a5b7c909
Revises: d0e2f4a6b908
Create Date: 2026-11-23 07:55:42.799254

"""
from alembic import op
import sqlalchemy as sa

import app.models.base


# revision identifiers, used by Alembic.
revision = 'e1f3a5b7c909'
down_revision = 'd0e2f4a6b908'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', app.models.base.UTCDateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')

