"""Seeded rate rules for registration per network (/24 or /48) and per email domain
(accepted registrations only; free-mail services such as gmail.com are not one group):
one network or one private domain cannot open accounts by the hundred

Revision ID: e7a9c1d3f545
Revises: d6f8b0c2e434
Create Date: 2026-12-02 17:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e7a9c1d3f545'
down_revision = 'd6f8b0c2e434'
branch_labels = None
depends_on = None

# (action, scope, at most, per seconds): app.fraud.ratelimits.DEFAULT_RULES
RULES = (("register", "network", 30, 3600), ("register", "network", 200, 86400),
         ("register", "email_domain", 30, 3600), ("register", "email_domain", 200, 86400))

rate_rules = sa.table("rate_rules", sa.column("action", sa.String), sa.column("scope", sa.String),
                      sa.column("max_count", sa.Integer), sa.column("window_seconds", sa.Integer),
                      sa.column("enabled", sa.Boolean))


def upgrade():
    connection = op.get_bind()
    for action, scope, most, seconds in RULES:
        exists = connection.execute(sa.select(sa.func.count()).select_from(rate_rules).where(
            rate_rules.c.action == action, rate_rules.c.scope == scope,
            rate_rules.c.window_seconds == seconds)).scalar()
        if not exists:  # an administrator's rule for the same window stays as it is
            connection.execute(rate_rules.insert().values(action=action, scope=scope, max_count=most,
                                                          window_seconds=seconds, enabled=True))


def downgrade():
    for action, scope, most, seconds in RULES:
        op.execute(rate_rules.delete().where(rate_rules.c.action == action, rate_rules.c.scope == scope,
                                             rate_rules.c.window_seconds == seconds,
                                             rate_rules.c.max_count == most))
