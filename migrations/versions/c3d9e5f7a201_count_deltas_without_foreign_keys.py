"""count deltas without foreign keys

A count delta is a transient row: the signing statement writes it from the signature it
has just inserted (whose own foreign keys hold) and the aggregator deletes it within
seconds. Its two foreign keys were checked again on every signature, each a lookup and
a share lock on the hot petition's row and on the signer's region row; petitions and
regions are never deleted, so they guarded nothing the signature does not.

Revision ID: c3d9e5f7a201
Revises: 157d82ae8241
Create Date: 2026-11-23 01:55:00

"""
from alembic import op

revision = 'c3d9e5f7a201'
down_revision = '157d82ae8241'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('signature_deltas', schema=None) as batch_op:
        batch_op.drop_constraint('fk_signature_deltas_petition_id_petitions', type_='foreignkey')
        batch_op.drop_constraint('fk_signature_deltas_region_id_regions', type_='foreignkey')


def downgrade():
    with op.batch_alter_table('signature_deltas', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_signature_deltas_region_id_regions', 'regions', ['region_id'], ['id'])
        batch_op.create_foreign_key('fk_signature_deltas_petition_id_petitions', 'petitions', ['petition_id'],
                                    ['id'], ondelete='CASCADE')
