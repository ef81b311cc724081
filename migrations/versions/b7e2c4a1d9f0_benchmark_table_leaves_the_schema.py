"""the benchmark's baseline table leaves the application's schema

The baseline endpoint of bench/ now creates its own table in the benchmark's
database; production databases never needed it.

Revision ID: b7e2c4a1d9f0
Revises: abd5240f0209
Create Date: 2026-11-22 23:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.models.base


# revision identifiers, used by Alembic.
revision = 'b7e2c4a1d9f0'
down_revision = 'abd5240f0209'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table('bench_inserts')


def downgrade():
    op.create_table('bench_inserts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_bench_inserts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bench_inserts'))
    )
