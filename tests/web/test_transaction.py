"""The request owns the transaction (app.web.transaction): one commit when the answer is
below 400, a rollback otherwise, whatever the route does; and the routes keep to it
(a scan, as tests/core/test_clock.py does for "now")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Blueprint, abort, redirect
from sqlalchemy import func, select, update

from app import create_app
from app.core.database import write_now
from app.core.refusals import Refusal
from app.extensions import db
from app.models import AuditEntry

APP_DIR = Path(__file__).resolve().parents[2] / "app"


class _Refused(Refusal):
    messages = {"nope": "Not like this."}


def _write(marker: str) -> None:
    db.session.add(AuditEntry(action=marker, target_type="test", target_id=1))
    db.session.flush()


@pytest.fixture(scope="module")
def probe_app(app):
    """A second app on the same database and Redis, with routes that write and then
    answer with a chosen outcome."""
    other = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                       REDIS_URL=app.config["REDIS_URL_RESOLVED"], MAIL_DIR=app.config["MAIL_DIR"],
                       PUBLIC_BASE_URL="http://localhost", WTF_CSRF_ENABLED=False)
    bp = Blueprint("probe", __name__)

    @bp.route("/probe/<outcome>", methods=["POST"])
    def probe(outcome: str):
        if outcome == "kept":
            # A write that must survive the refusal (a wrong code counted): its own
            # transaction, before the request writes (SQLite has one writer at a time).
            write_now(update(AuditEntry).where(AuditEntry.action == "probe.seed").values(reason="counted"))
        _write(f"probe.{outcome}")
        if outcome == "ok":
            return "written", 200
        if outcome == "redirect":
            return redirect("/kk/")
        if outcome == "refused":
            raise _Refused("nope")
        if outcome == "form":
            return "check the form", 422
        if outcome == "abort":
            abort(403)
        if outcome == "kept":
            raise _Refused("nope", status=401)
        raise RuntimeError("a bug")

    other.register_blueprint(bp)
    return other


def _actions() -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


@pytest.mark.parametrize(("outcome", "status", "kept"), [
    ("ok", 200, True), ("redirect", 302, True),
    ("refused", 422, False), ("form", 422, False), ("abort", 403, False), ("bug", 500, False),
])
def test_commits_below_400_and_rolls_back_otherwise(app, probe_app, outcome, status, kept):
    response = probe_app.test_client().post(f"/probe/{outcome}")
    assert response.status_code == status
    assert _actions() == ([f"probe.{outcome}"] if kept else [])


def test_a_refusal_no_form_showed_is_the_error_page_with_its_message(app, probe_app):
    response = probe_app.test_client().post("/probe/refused")
    assert response.status_code == 422
    assert "Not like this." in response.get_data(as_text=True)


def test_a_write_that_must_survive_the_refusal_does(app, probe_app):
    _write("probe.seed")
    db.session.commit()
    response = probe_app.test_client().post("/probe/kept")
    assert response.status_code == 401
    db.session.rollback()
    assert db.session.scalar(select(AuditEntry.reason).where(AuditEntry.action == "probe.seed")) == "counted"
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "probe.kept")) == 0


# --- the routes keep to it ------------------------------------------------------------

def _route_modules() -> list[Path]:
    """Every module that defines routes: routes.py, the modules of a routes/ package."""
    return sorted(p for p in APP_DIR.rglob("*.py")
                  if p.name == "routes.py" or p.parent.name == "routes")


FORBIDDEN = {
    "commits or rolls back by hand": re.compile(r"db\.session\.(commit|rollback)\(|\.commit\(\)|\.rollback\(\)"),
    "picks a form status by hand": re.compile(r"if request\.method == [\"']POST[\"'] else|"
                                              r"[\"']POST[\"'] else 200"),
    "keeps refusal messages": re.compile(r"^[A-Z_]*(ERRORS|MESSAGES)\s*=\s*\{", re.M),
    "chooses a message from a dict": re.compile(r"\{\s*\n?\s*[\"'][a-z_]+[\"']\s*:\s*_l?\(", re.M),
}


def test_the_scan_sees_the_routes():
    names = {str(p.relative_to(APP_DIR)) for p in _route_modules()}
    assert {"petitions/routes.py", "moderation/routes.py", "site/routes.py"} <= names
    assert any(n.startswith("accounts/routes") for n in names)


@pytest.mark.parametrize("rule", sorted(FORBIDDEN))
def test_no_route_module_breaks_the_rule(rule):
    pattern = FORBIDDEN[rule]
    offenders = [f"{p.relative_to(APP_DIR)}:{text[:m.start()].count(chr(10)) + 1}"
                 for p in _route_modules() for text in [p.read_text()] for m in pattern.finditer(text)]
    assert offenders == [], f"a route module {rule}: {offenders}"


def test_the_scan_would_catch_each_rule():
    samples = {"commits or rolls back by hand": "    db.session.commit()\n",
               "picks a form status by hand": '    status = 422 if request.method == "POST" else 200\n',
               "keeps refusal messages": 'ROLE_ERRORS = {\n    "x": _l("y"),\n}\n',
               "chooses a message from a dict": 'form.errors = [{\n    "region": _("Choose"),\n}[code]]\n'}
    for rule, sample in samples.items():
        assert FORBIDDEN[rule].search(sample), rule
