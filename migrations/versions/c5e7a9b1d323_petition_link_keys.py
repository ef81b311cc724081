"""petitions.link_key: the unguessable part of the address through which a petition that
is not yet public (collecting sponsors, waiting for moderation) is reached by those it is
shared with; every existing petition gets one

Revision ID: c5e7a9b1d323
Revises: b4d6f8a0c212
Create Date: 2026-12-02 16:40:00.000000

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c5e7a9b1d323'
down_revision = 'b4d6f8a0c212'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('petitions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_key', sa.String(length=32), nullable=True))
    petitions = sa.table('petitions', sa.column('id', sa.Integer), sa.column('link_key', sa.String))
    connection = op.get_bind()
    for (petition_id,) in connection.execute(sa.select(petitions.c.id)).all():
        connection.execute(petitions.update().where(petitions.c.id == petition_id)
                           .values(link_key=secrets.token_urlsafe(16)))
    with op.batch_alter_table('petitions', schema=None) as batch_op:
        batch_op.alter_column('link_key', existing_type=sa.String(length=32), nullable=False)


def downgrade():
    with op.batch_alter_table('petitions', schema=None) as batch_op:
        batch_op.drop_column('link_key')
