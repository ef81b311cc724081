"""The territory below the regions (districts: districts, cities of regional significance,
districts of the large cities, with KATO codes), regions' KATO codes, bodies of every level
(state_bodies.kind and district_id, level 'district'), and what a petition keeps of the
law's rules (threshold_profile, sponsors_due_on, the state 'lapsed', the excluded subject a
rejection names)

Revision ID: e5a7c9b1d2f3
Revises: d4f6b8c0e191
Create Date: 2026-12-03 17:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

import app.models.base

# revision identifiers, used by Alembic.
revision = 'e5a7c9b1d2f3'
down_revision = 'd4f6b8c0e191'
branch_labels = None
depends_on = None

KINDS = ('government', 'parliament', 'ministry', 'akimat', 'maslikhat')
STATES = ('draft', 'collecting_sponsors', 'pending_moderation', 'returned', 'rejected', 'hidden', 'open', 'closed')


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _configured_profile() -> str:
    """The profile petitions already submitted were under: the one configured now."""
    try:
        from flask import current_app
        return current_app.config["THRESHOLD_PROFILE"]
    except (RuntimeError, KeyError):
        return "movement-2016"


def upgrade():
    op.create_table(
        'districts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kato', sa.String(length=9), nullable=False),
        sa.Column('kind', sa.Enum('district', 'city', 'city_district', name='district_kind', native_enum=False,
                                  create_constraint=True, length=13), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=False),
        sa.Column('name_en', sa.String(length=120), nullable=False),
        sa.Column('name_kk', sa.String(length=120), nullable=False),
        sa.Column('name_ru', sa.String(length=120), nullable=False),
        sa.Column('population', sa.Integer(), nullable=True),
        sa.Column('population_as_of', sa.Date(), nullable=True),
        sa.Column('population_source', sa.String(length=500), nullable=True),
        sa.Column('population_edited_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint('population IS NULL OR population > 0', name=op.f('ck_districts_population_positive')),
        sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_districts_region_id_regions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_districts')),
        sa.UniqueConstraint('kato', name=op.f('uq_districts_kato')),
    )
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_districts_region_id'), ['region_id'], unique=False)

    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kato', sa.String(length=9), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_regions_kato'), ['kato'])

    with op.batch_alter_table('state_bodies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('district_id', sa.Integer(), nullable=True))
    op.execute("UPDATE state_bodies SET kind = CASE WHEN code = 'GOV' THEN 'government' "
               "WHEN code IN ('SENATE', 'MAZHILIS') THEN 'parliament' "
               "WHEN level = 'regional' THEN 'akimat' ELSE 'ministry' END")
    with op.batch_alter_table('state_bodies', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=10), nullable=False)
        batch_op.create_check_constraint(op.f('ck_state_bodies_body_kind'), _in('kind', KINDS))
        batch_op.create_index(batch_op.f('ix_state_bodies_district_id'), ['district_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_state_bodies_district_id_districts'), 'districts',
                                    ['district_id'], ['id'])
        batch_op.drop_constraint(op.f('ck_state_bodies_region_matches_level'), type_='check')
        batch_op.drop_constraint(op.f('ck_state_bodies_body_level'), type_='check')
        batch_op.create_check_constraint(op.f('ck_state_bodies_body_level'),
                                         _in('level', ('national', 'regional', 'district')))
        batch_op.create_check_constraint(
            op.f('ck_state_bodies_place_matches_level'),
            "(level = 'national' AND region_id IS NULL AND district_id IS NULL)"
            " OR (level = 'regional' AND region_id IS NOT NULL AND district_id IS NULL)"
            " OR (level = 'district' AND region_id IS NOT NULL AND district_id IS NOT NULL)")

    with op.batch_alter_table('petitions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('threshold_profile', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('sponsors_due_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('excluded_subject', sa.String(length=20), nullable=True))
        batch_op.create_check_constraint(op.f('ck_petitions_subject_with_excluded_topic'),
                                         "excluded_subject IS NULL OR rejection_code = 'excluded_topic'")
        batch_op.drop_constraint(op.f('ck_petitions_petition_state'), type_='check')
        batch_op.drop_constraint(op.f('ck_petitions_petition_hidden_from'), type_='check')
        batch_op.create_check_constraint(op.f('ck_petitions_petition_state'), _in('state', STATES + ('lapsed',)))
        batch_op.create_check_constraint(op.f('ck_petitions_petition_hidden_from'),
                                         _in('hidden_from', STATES + ('lapsed',)))
    petitions = sa.table('petitions', sa.column('state', sa.String), sa.column('threshold_profile', sa.String))
    op.execute(petitions.update().where(petitions.c.state != 'draft')
               .values(threshold_profile=_configured_profile()))


def downgrade():
    op.execute("DELETE FROM petitions WHERE state = 'lapsed'")
    with op.batch_alter_table('petitions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_petitions_petition_hidden_from'), type_='check')
        batch_op.drop_constraint(op.f('ck_petitions_petition_state'), type_='check')
        batch_op.create_check_constraint(op.f('ck_petitions_petition_state'), _in('state', STATES))
        batch_op.create_check_constraint(op.f('ck_petitions_petition_hidden_from'), _in('hidden_from', STATES))
        batch_op.drop_constraint(op.f('ck_petitions_subject_with_excluded_topic'), type_='check')
        batch_op.drop_column('excluded_subject')
        batch_op.drop_column('sponsors_due_on')
        batch_op.drop_column('threshold_profile')

    op.execute("DELETE FROM state_bodies WHERE level = 'district' OR kind = 'maslikhat'")
    with op.batch_alter_table('state_bodies', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_state_bodies_place_matches_level'), type_='check')
        batch_op.drop_constraint(op.f('ck_state_bodies_body_level'), type_='check')
        batch_op.create_check_constraint(op.f('ck_state_bodies_body_level'), _in('level', ('national', 'regional')))
        batch_op.create_check_constraint(
            op.f('ck_state_bodies_region_matches_level'),
            "(level = 'regional' AND region_id IS NOT NULL) OR (level = 'national' AND region_id IS NULL)")
        batch_op.drop_constraint(batch_op.f('fk_state_bodies_district_id_districts'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_state_bodies_district_id'))
        batch_op.drop_constraint(op.f('ck_state_bodies_body_kind'), type_='check')
        batch_op.drop_column('district_id')
        batch_op.drop_column('kind')

    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_regions_kato'), type_='unique')
        batch_op.drop_column('kato')

    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_districts_region_id'))
    op.drop_table('districts')
