"""signatures.assurance (how a signature was made: self-declared, the state's identity
provider, an EDS) and signature_evidence (an EDS signature's statement, CMS and OCSP
answer, sealed with the evidence key)

Revision ID: b2d4f6a8c979
Revises: a1c3e5f7b868
Create Date: 2026-12-03 07:05:00.000000

"""
import sqlalchemy as sa
from alembic import op

import app.models.base

# revision identifiers, used by Alembic.
revision = 'b2d4f6a8c979'
down_revision = 'a1c3e5f7b868'
branch_labels = None
depends_on = None

LEVELS = ('self_declared', 'state_idp', 'eds')


def upgrade():
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'assurance',
            sa.Enum(*LEVELS, name='signature_assurance', native_enum=False, create_constraint=True, length=13),
            server_default='self_declared', nullable=False))
    op.create_table(
        'signature_evidence',
        sa.Column('signature_id', sa.Integer(), nullable=False),
        sa.Column('nonce_hash', sa.LargeBinary(length=32), nullable=False),
        sa.Column('algorithm', sa.String(length=20), nullable=False),
        sa.Column('revocation', sa.String(length=4), nullable=False),
        sa.Column('signed_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('sealed', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['signature_id'], ['signatures.id'],
                                name=op.f('fk_signature_evidence_signature_id_signatures'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('signature_id', name=op.f('pk_signature_evidence')),
        sa.UniqueConstraint('nonce_hash', name=op.f('uq_signature_evidence_nonce_hash')),
    )


def downgrade():
    op.drop_table('signature_evidence')
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_signatures_signature_assurance'), type_='check')
        batch_op.drop_column('assurance')
