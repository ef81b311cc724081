"""Indexes for the periodic reads: fan-outs not finished (two partial indexes of
review_cases) and the digest records of the periods due now (digest_records by period)

Revision ID: b4d6f8a0c212
Revises: a3c5e7f9b111
Create Date: 2026-12-02 12:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b4d6f8a0c212'
down_revision = 'a3c5e7f9b111'
branch_labels = None
depends_on = None

THRESHOLD_PENDING = "threshold_fanout_done_at IS NULL"
RESPONSE_PENDING = "state = 'answered' AND response_fanout_done_at IS NULL"


def upgrade():
    with op.batch_alter_table('review_cases', schema=None) as batch_op:
        batch_op.create_index('ix_review_cases_threshold_fanout_pending', ['id'], unique=False,
                              postgresql_where=sa.text(THRESHOLD_PENDING), sqlite_where=sa.text(THRESHOLD_PENDING))
        batch_op.create_index('ix_review_cases_response_fanout_pending', ['id'], unique=False,
                              postgresql_where=sa.text(RESPONSE_PENDING), sqlite_where=sa.text(RESPONSE_PENDING))
    with op.batch_alter_table('digest_records', schema=None) as batch_op:
        batch_op.create_index('ix_digest_records_period_user_id', ['period', 'user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('digest_records', schema=None) as batch_op:
        batch_op.drop_index('ix_digest_records_period_user_id')
    with op.batch_alter_table('review_cases', schema=None) as batch_op:
        batch_op.drop_index('ix_review_cases_response_fanout_pending',
                            postgresql_where=sa.text(RESPONSE_PENDING), sqlite_where=sa.text(RESPONSE_PENDING))
        batch_op.drop_index('ix_review_cases_threshold_fanout_pending',
                            postgresql_where=sa.text(THRESHOLD_PENDING), sqlite_where=sa.text(THRESHOLD_PENDING))
