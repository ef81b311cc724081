"""users.consent_version and consent_at (which privacy notice the person agreed to, and when); region_changed_at (moves are limited)

Revision ID: f2a4b6c8d010
Revises: e1f3a5b7c909
Create Date: 2026-11-23 08:09:04.363814

"""
from alembic import op
import sqlalchemy as sa

import app.models.base


# revision identifiers, used by Alembic.
revision = 'f2a4b6c8d010'
down_revision = 'e1f3a5b7c909'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_version', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('consent_at', app.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('region_changed_at', app.models.base.UTCDateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('region_changed_at')
        batch_op.drop_column('consent_at')
        batch_op.drop_column('consent_version')

