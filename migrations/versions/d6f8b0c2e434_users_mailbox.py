"""users.mailbox: the mailbox an address reaches (name+tag@ and n.a.m.e@ of the providers
that deliver them to name@), unique: one account per mailbox. Accounts that already share
a mailbox keep a key of their own (none is taken away; no new one is made).

Revision ID: d6f8b0c2e434
Revises: c5e7a9b1d323
Create Date: 2026-12-02 17:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

from app.core.mailboxes import mailbox_key

# revision identifiers, used by Alembic.
revision = 'd6f8b0c2e434'
down_revision = 'c5e7a9b1d323'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mailbox', sa.String(length=254), nullable=True))
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('email', sa.String),
                     sa.column('mailbox', sa.String))
    connection = op.get_bind()
    taken = set()
    for user_id, email in connection.execute(sa.select(users.c.id, users.c.email).order_by(users.c.id)).all():
        key = mailbox_key(email)
        if key in taken:
            # An older account holds this mailbox: this one keeps a key of its own, which no
            # address can produce (no domain holds "#").
            key = f"{email}#{user_id}"
        taken.add(key)
        connection.execute(users.update().where(users.c.id == user_id).values(mailbox=key))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('mailbox', existing_type=sa.String(length=254), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_users_mailbox'), ['mailbox'])


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_mailbox'), type_='unique')
        batch_op.drop_column('mailbox')
