"""The database stops (#14): every page and API call answers 503 with Retry-After in the
reader's language, or, for an anonymous reader of a public page, the last copy marked as
possibly out of date; a write is refused whole; the log has a warning, no traceback; all
comes back by itself when the database does."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from app.core import clock
from app.extensions import db
from app.models import Signature
from tests.support import CSRF_RE, login, make_petition, make_user, page_text, settle

pytestmark = pytest.mark.chaos

TEXTS = {
    "kk": "Dauys уақытша қолжетімсіз",
    "ru": "Dauys временно недоступен",
    "en": "Dauys is briefly unavailable",
}


def _token(client, path):
    return CSRF_RE.search(client.get(path).get_data(as_text=True)).group(1)


def test_pages_api_and_signing_while_the_database_is_down(chaos_app, servers, caplog):
    postgres, _ = servers
    petition = make_petition(state="open", title="Саябақтағы орындықтарды жөндеу керек", signatures=2)
    make_user("outage-signer@example.kz")
    db.session.commit()
    anonymous = chaos_app.test_client()
    # Read once while all is well: the shared cache keeps these copies.
    assert anonymous.get(f"/kk/petitions/{petition.id}").status_code == 200
    assert anonymous.get(f"/api/v1/petitions/{petition.id}").status_code == 200
    signer = chaos_app.test_client()
    assert login(signer, "outage-signer@example.kz").status_code == 302
    token = _token(signer, f"/kk/petitions/{petition.id}")
    db.session.remove()
    db.engine.dispose()

    caplog.clear()
    caplog.set_level(logging.INFO)
    postgres.stop()
    try:
        for language, text in TEXTS.items():
            for path in (f"/{language}/", f"/{language}/petitions", f"/{language}/bodies"):
                answer = anonymous.get(path)
                assert answer.status_code == 503, path
                assert answer.headers["Retry-After"] == "30" and answer.headers["Cache-Control"] == "no-store"
                assert text in page_text(answer), path
        api = anonymous.get("/api/v1/petitions?state=all")
        assert api.status_code == 503 and api.headers["Retry-After"] == "30" and api.get_json()["error"] == 503
        # Five minutes on, what the cache holds is served, marked as possibly out of date.
        with time_machine.travel(clock.now() + timedelta(minutes=5), tick=True):
            stale = anonymous.get(f"/kk/petitions/{petition.id}")
            assert stale.status_code == 200 and "Саябақтағы орындықтарды" in page_text(stale)
            assert "Бұл беттің 5 минут бұрынғы көшірмесі" in page_text(stale)
            assert stale.headers["Warning"].startswith("110") and stale.headers["Cache-Control"] == "no-cache"
            stale_api = anonymous.get(f"/api/v1/petitions/{petition.id}")
            assert stale_api.status_code == 200 and stale_api.headers["Warning"].startswith("110")
            assert stale_api.get_json()["id"] == petition.id
        # A signed-in reader gets no shared copy, and a signature is refused whole.
        assert signer.get(f"/en/petitions/{petition.id}").status_code == 503
        refused = signer.post(f"/en/petitions/{petition.id}/sign", data={"csrf_token": token})
        assert refused.status_code == 503 and "has not been recorded" in page_text(refused)
        # An error page of its own (here: a form that expired) would ask who is logged in.
        expired = signer.post(f"/ru/petitions/{petition.id}/sign", data={"csrf_token": "stale"})
        assert expired.status_code == 503 and TEXTS["ru"] in page_text(expired)
        # "Try again" leads back to this site only.
        signer.language = None  # sent as written: a browser turns "/\\evil.example/" into another site
        tricked = signer.get("/%5Cevil.example/")
        signer.language = "kk"
        assert tricked.status_code == 503 and "evil.example" not in page_text(tricked)
        assert anonymous.post("/en/login", data={"email": "x@example.kz", "password": "y"}).status_code in (400, 503)
        assert anonymous.get("/health").status_code == 503
    finally:
        postgres.start()
    problems = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not problems, [(r.name, r.getMessage()) for r in problems]
    warnings = [r for r in caplog.records if "database unavailable" in r.getMessage()]
    assert len(warnings) == 1

    # Back by itself: the same clients, no restart of anything.
    assert anonymous.get("/kk/").status_code == 200
    signed = signer.post(f"/kk/petitions/{petition.id}/sign", data={"csrf_token": token})
    assert signed.status_code == 302
    settle()
    db.session.expire_all()
    rows = db.session.scalar(select(func.count()).select_from(Signature).where(Signature.petition_id == petition.id))
    assert rows == 3
