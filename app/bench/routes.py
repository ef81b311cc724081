"""The benchmark's baseline: a signed-in POST that does one plain INSERT.

Registered only when BENCHMARK_ENDPOINTS is on, which production refuses. It pays
the same costs as signing (session, user loading, CSRF, the request's commit, redirect) so that
bench/ can report signing throughput as a ratio of the cheapest possible write.

Its table is not part of the application's schema (no model, no migration): it has a
metadata of its own, and bench/run_bench.py creates it in the benchmark's database.
"""

from flask import Blueprint, abort, redirect
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, insert

from app.core import clock
from app.extensions import db

metadata = MetaData()
bench_inserts = Table(
    "bench_inserts", metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

bp = Blueprint("bench", __name__)


def create_table(engine) -> None:
    """Create the baseline's table in the benchmark's database (idempotent)."""
    metadata.create_all(engine)


@bp.route("/bench/insert", methods=["POST"])
@login_required
def insert_one():
    if not FlaskForm().validate_on_submit():
        abort(400)
    db.session.execute(insert(bench_inserts).values(user_id=current_user.id, created_at=clock.now()))
    return redirect("/")
