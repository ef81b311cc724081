"""signature invalidations: runs of a moderator's filter, and the run that turned each invalid signature

Revision ID: b8c0d2e4f706
Revises: a7b9c1d3e605
Create Date: 2026-11-23 07:07:54.284698

"""
from alembic import op
import sqlalchemy as sa

import app.models.base


# revision identifiers, used by Alembic.
revision = 'b8c0d2e4f706'
down_revision = 'a7b9c1d3e605'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('signature_invalidations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('invalidate', 'revalidate', name='invalidation_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('state', sa.Enum('queued', 'running', 'done', 'cancelled', name='invalidation_state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('criteria', sa.JSON(), nullable=False),
    sa.Column('category', sa.Enum('automated', 'bulk_accounts', 'identity_misuse', 'coercion', 'other', name='removal_category', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('suspend_accounts', sa.Boolean(), nullable=False),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('reversed_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('expected', sa.Integer(), nullable=False),
    sa.Column('processed', sa.Integer(), nullable=False),
    sa.Column('changed', sa.Integer(), nullable=False),
    sa.Column('suspended', sa.Integer(), nullable=False),
    sa.Column('last_signature_id', sa.Integer(), nullable=False),
    sa.Column('cancel_requested', sa.Boolean(), nullable=False),
    sa.Column('started_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('processed >= 0 AND changed >= 0', name=op.f('ck_signature_invalidations_progress_non_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_signature_invalidations_created_by_id_users')),
    sa.ForeignKeyConstraint(['reverses_id'], ['signature_invalidations.id'], name=op.f('fk_signature_invalidations_reverses_id_signature_invalidations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signature_invalidations'))
    )
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invalidation_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_signatures_invalidation', ['invalidation_id', 'id'], unique=False, postgresql_where=sa.text('invalidation_id IS NOT NULL'), sqlite_where=sa.text('invalidation_id IS NOT NULL'))
        batch_op.create_index('ix_signatures_petition_invalidation', ['petition_id', 'invalidation_id'], unique=False, postgresql_where=sa.text('invalidation_id IS NOT NULL'), sqlite_where=sa.text('invalidation_id IS NOT NULL'))



def downgrade():
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_index('ix_signatures_petition_invalidation', postgresql_where=sa.text('invalidation_id IS NOT NULL'), sqlite_where=sa.text('invalidation_id IS NOT NULL'))
        batch_op.drop_index('ix_signatures_invalidation', postgresql_where=sa.text('invalidation_id IS NOT NULL'), sqlite_where=sa.text('invalidation_id IS NOT NULL'))
        batch_op.drop_column('invalidation_id')

    op.drop_table('signature_invalidations')
