"""review reassignments: a case's moves between state bodies, for the public timeline

Existing moves are read back from the audit log (action case.reassign, before/after
body codes).

Revision ID: d4e1f6a8b302
Revises: c3d9e5f7a201
Create Date: 2026-11-23 02:10:00

"""
import json

from alembic import op
import sqlalchemy as sa

import app.models.base

revision = 'd4e1f6a8b302'
down_revision = 'c3d9e5f7a201'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('review_reassignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('from_body_id', sa.Integer(), nullable=False),
    sa.Column('to_body_id', sa.Integer(), nullable=False),
    sa.Column('at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['review_cases.id'], name=op.f('fk_review_reassignments_case_id_review_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['from_body_id'], ['state_bodies.id'], name=op.f('fk_review_reassignments_from_body_id_state_bodies')),
    sa.ForeignKeyConstraint(['to_body_id'], ['state_bodies.id'], name=op.f('fk_review_reassignments_to_body_id_state_bodies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_reassignments'))
    )
    with op.batch_alter_table('review_reassignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_reassignments_case_id'), ['case_id'], unique=False)

    bind = op.get_bind()
    bodies = dict(bind.execute(sa.text("SELECT code, id FROM state_bodies")).all())
    audit = sa.table("audit_log", sa.column("target_id", sa.Integer), sa.column("before", sa.JSON),
                     sa.column("after", sa.JSON), sa.column("created_at", app.models.base.UTCDateTime()),
                     sa.column("action", sa.String), sa.column("target_type", sa.String), sa.column("id", sa.Integer))
    moves = bind.execute(sa.select(audit.c.target_id, audit.c.before, audit.c.after, audit.c.created_at)
                         .where(audit.c.action == "case.reassign", audit.c.target_type == "review_case")
                         .order_by(audit.c.id)).all()
    table = sa.table("review_reassignments", sa.column("case_id", sa.Integer), sa.column("from_body_id", sa.Integer),
                     sa.column("to_body_id", sa.Integer), sa.column("at", app.models.base.UTCDateTime()))
    rows = []
    for case_id, before, after, at in moves:
        before = json.loads(before) if isinstance(before, str) else (before or {})
        after = json.loads(after) if isinstance(after, str) else (after or {})
        if before.get("body") in bodies and after.get("body") in bodies:
            rows.append({"case_id": case_id, "from_body_id": bodies[before["body"]],
                         "to_body_id": bodies[after["body"]], "at": at})
    if rows:
        op.bulk_insert(table, rows)


def downgrade():
    with op.batch_alter_table('review_reassignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_reassignments_case_id'))
    op.drop_table('review_reassignments')
