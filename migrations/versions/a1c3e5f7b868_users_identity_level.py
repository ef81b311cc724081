"""users.identity_level and identity_verified_at: how the account's identity was
established (typed, the state's identity provider, an EDS), and when it was last vouched for

Revision ID: a1c3e5f7b868
Revises: f8b0d2e4a656
Create Date: 2026-12-03 07:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

import app.models.base

# revision identifiers, used by Alembic.
revision = 'a1c3e5f7b868'
down_revision = 'f8b0d2e4a656'
branch_labels = None
depends_on = None

LEVELS = ('self_declared', 'state_idp', 'eds')


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'identity_level',
            sa.Enum(*LEVELS, name='identity_level', native_enum=False, create_constraint=True, length=13),
            server_default='self_declared', nullable=False))
        batch_op.add_column(sa.Column('identity_verified_at', app.models.base.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_identity_level'), type_='check')
        batch_op.drop_column('identity_verified_at')
        batch_op.drop_column('identity_level')
