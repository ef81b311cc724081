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
    op.create_table('removed_signature_counts',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('petition_id', sa.Integer(), nullable=False),
    sa.Column('hour', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.CheckConstraint('count >= 0', name=op.f('ck_removed_signature_counts_count_non_negative')),
    sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'], name=op.f('fk_removed_signature_counts_petition_id_petitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['signature_invalidations.id'], name=op.f('fk_removed_signature_counts_run_id_signature_invalidations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'petition_id', 'hour', name=op.f('pk_removed_signature_counts'))
    )
    op.create_index('ix_removed_signature_counts_petition', 'removed_signature_counts', ['petition_id'], unique=False)
    # A nullable column without a default: no rewrite of the table.
    op.add_column('signatures', sa.Column('invalidation_id', sa.Integer(), nullable=True))
    where = sa.text('invalidation_id IS NOT NULL')
    if op.get_bind().dialect.name == 'postgresql':
        # CONCURRENTLY: signing goes on while the index is built (outside the transaction).
        with op.get_context().autocommit_block():
            op.create_index('ix_signatures_invalidation', 'signatures', ['invalidation_id', 'id'], unique=False,
                            postgresql_where=where, postgresql_concurrently=True, if_not_exists=True)
    else:
        op.create_index('ix_signatures_invalidation', 'signatures', ['invalidation_id', 'id'], unique=False,
                        sqlite_where=where)


def downgrade():
    op.drop_index('ix_signatures_invalidation', table_name='signatures')
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_column('invalidation_id')
    op.drop_index('ix_removed_signature_counts_petition', table_name='removed_signature_counts')
    op.drop_table('removed_signature_counts')
    op.drop_table('signature_invalidations')
