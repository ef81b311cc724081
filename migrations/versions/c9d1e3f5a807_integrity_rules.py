"""rate limits and alert thresholds as data (seeded with what the code enforced before), and the alerts raised

Revision ID: c9d1e3f5a807
Revises: b8c0d2e4f706
Create Date: 2026-11-23 07:15:23.038697

"""
from alembic import op
import sqlalchemy as sa

import app.models.base


# revision identifiers, used by Alembic.
revision = 'c9d1e3f5a807'
down_revision = 'b8c0d2e4f706'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('alert_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('metric', sa.String(length=12), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("metric IN ('signatures', 'accounts')", name=op.f('ck_alert_rules_metric_known')),
    sa.CheckConstraint("scope IN ('site', 'petition')", name=op.f('ck_alert_rules_scope_known')),
    sa.CheckConstraint("source IN ('network', 'address', 'email_domain', 'user_agent')", name=op.f('ck_alert_rules_source_known')),
    sa.CheckConstraint('threshold >= 1', name=op.f('ck_alert_rules_threshold_positive')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_alert_rules_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_rules')),
    sa.UniqueConstraint('metric', 'scope', 'source', name=op.f('uq_alert_rules_metric_scope_source'))
    )
    op.create_table('rate_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('scope', sa.String(length=12), nullable=False),
    sa.Column('max_count', sa.Integer(), nullable=False),
    sa.Column('window_seconds', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("action IN ('register', 'sign', 'create', 'report')", name=op.f('ck_rate_rules_action_known')),
    sa.CheckConstraint("scope IN ('address', 'network', 'email_domain', 'email', 'account')", name=op.f('ck_rate_rules_scope_known')),
    sa.CheckConstraint('max_count >= 1', name=op.f('ck_rate_rules_max_count_positive')),
    sa.CheckConstraint('window_seconds >= 1 AND window_seconds <= 2592000', name=op.f('ck_rate_rules_window_range')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_rate_rules_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_rules')),
    sa.UniqueConstraint('action', 'scope', 'window_seconds', name=op.f('uq_rate_rules_action_scope_window_seconds'))
    )
    op.create_table('integrity_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('petition_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.String(length=253), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['rule_id'], ['alert_rules.id'], name=op.f('fk_integrity_alerts_rule_id_alert_rules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_integrity_alerts')),
    sa.UniqueConstraint('rule_id', 'period', 'petition_id', 'value', name=op.f('uq_integrity_alerts_rule_id_period_petition_id_value'))
    )
    with op.batch_alter_table('integrity_alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_integrity_alerts_created_at'), ['created_at'], unique=False)

    rate_rules = sa.table("rate_rules", sa.column("action", sa.String), sa.column("scope", sa.String),
                          sa.column("max_count", sa.Integer), sa.column("window_seconds", sa.Integer),
                          sa.column("enabled", sa.Boolean))
    # The limits the code held until now (app.fraud.ratelimits.DEFAULT_RULES).
    op.bulk_insert(rate_rules, [
        {"action": a, "scope": s, "max_count": n, "window_seconds": w, "enabled": True}
        for a, s, n, w in (("register", "address", 10, 3600), ("register", "email", 5, 86400),
                           ("sign", "address", 30, 60), ("create", "address", 30, 3600),
                           ("create", "account", 10, 3600), ("report", "address", 10, 3600))])
    alert_rules = sa.table("alert_rules", sa.column("metric", sa.String), sa.column("scope", sa.String),
                           sa.column("source", sa.String), sa.column("threshold", sa.Integer),
                           sa.column("enabled", sa.Boolean))
    # app.moderation.alerts.DEFAULT_RULES
    op.bulk_insert(alert_rules, [
        {"metric": m, "scope": sc, "source": so, "threshold": t, "enabled": e}
        for m, sc, so, t, e in (("signatures", "petition", "network", 100, True),
                                ("signatures", "petition", "address", 25, True),
                                ("signatures", "site", "email_domain", 2000, True),
                                ("signatures", "site", "user_agent", 5000, False),
                                ("accounts", "site", "network", 50, True),
                                ("accounts", "site", "email_domain", 200, True))])


def downgrade():
    with op.batch_alter_table('integrity_alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_integrity_alerts_created_at'))

    op.drop_table('integrity_alerts')
    op.drop_table('rate_rules')
    op.drop_table('alert_rules')
