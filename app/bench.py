"""The benchmark's baseline: a signed-in POST that does one plain INSERT.

Registered only when BENCHMARK_ENDPOINTS is on, which production refuses. It pays
the same costs as signing (session, user loading, CSRF, commit, redirect) so that
bench/ can report signing throughput as a ratio of the cheapest possible write.
"""

from flask import Blueprint, abort, redirect
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from app.extensions import db
from app.models.bench import BenchInsert

bp = Blueprint("bench", __name__)


@bp.route("/bench/insert", methods=["POST"])
@login_required
def insert():
    if not FlaskForm().validate_on_submit():
        abort(400)
    db.session.add(BenchInsert(user_id=current_user.id))
    db.session.commit()
    return redirect("/")
