"""signature_deltas.assurance and petition_assurance_counts: valid signatures per petition
and how they were made, kept by the aggregator (every signature so far was made through an
account with a self-declared identity, so each petition's folded total is that level's)

Revision ID: c3e5a7b9d080
Revises: b2d4f6a8c979
Create Date: 2026-12-03 07:20:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c3e5a7b9d080'
down_revision = 'b2d4f6a8c979'
branch_labels = None
depends_on = None

LEVELS = ('self_declared', 'state_idp', 'eds')


def upgrade():
    with op.batch_alter_table('signature_deltas', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'assurance',
            sa.Enum(*LEVELS, name='delta_assurance', native_enum=False, create_constraint=True, length=13),
            server_default='self_declared', nullable=False))
    op.create_table(
        'petition_assurance_counts',
        sa.Column('petition_id', sa.Integer(), nullable=False),
        sa.Column('assurance', sa.Enum(*LEVELS, name='counted_assurance', native_enum=False,
                                       create_constraint=True, length=13), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.CheckConstraint('count >= 0', name=op.f('ck_petition_assurance_counts_count_non_negative')),
        sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'],
                                name=op.f('fk_petition_assurance_counts_petition_id_petitions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('petition_id', 'assurance', name=op.f('pk_petition_assurance_counts')),
    )
    op.execute("INSERT INTO petition_assurance_counts (petition_id, assurance, count) "
               "SELECT id, 'self_declared', signature_count FROM petitions WHERE signature_count > 0")


def downgrade():
    op.drop_table('petition_assurance_counts')
    with op.batch_alter_table('signature_deltas', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_signature_deltas_delta_assurance'), type_='check')
        batch_op.drop_column('assurance')
