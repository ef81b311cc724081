"""state_bodies.counted_from: the weakest signature that counts toward a body's threshold
(none: the configured profile's)

Revision ID: d4f6b8c0e191
Revises: c3e5a7b9d080
Create Date: 2026-12-03 07:35:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd4f6b8c0e191'
down_revision = 'c3e5a7b9d080'
branch_labels = None
depends_on = None

LEVELS = ('self_declared', 'state_idp', 'eds')


def upgrade():
    with op.batch_alter_table('state_bodies', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'counted_from',
            sa.Enum(*LEVELS, name='body_counted_from', native_enum=False, create_constraint=True, length=13),
            nullable=True))


def downgrade():
    with op.batch_alter_table('state_bodies', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_state_bodies_body_counted_from'), type_='check')
        batch_op.drop_column('counted_from')
