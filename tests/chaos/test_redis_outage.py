"""Redis goes away (#14): pages, log-in and signing keep working (limits and caches fail
open); a threshold crossing whose jobs Redis lost is finished by the scheduler's sweeps
once it is back: one review case, each opted-in signer mailed exactly once, no manual step."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.core.jobs import queue, scheduler, worker
from app.extensions import db
from app.models import Petition, ReviewCase, Signature
from tests.support import (
    CSRF_RE,
    login,
    make_petition,
    make_user,
    restore_threshold,
    set_fixed_threshold,
    settle,
    sign_as,
)

pytestmark = pytest.mark.chaos


def test_pages_log_in_and_signing_work_while_redis_is_down(chaos_app, servers, page_cache_server, caplog):
    """Both Redis servers away: the one of jobs and limits, and the page cache's."""
    _, redis_server = servers
    petition = make_petition(state="open", title="Аялдамаларға шатыр орнату керек", signatures=1)
    make_user("no-redis@example.kz")
    db.session.commit()
    redis_server.stop()
    page_cache_server.stop()
    caplog.set_level(logging.WARNING)
    try:
        reader = chaos_app.test_client()
        for path in ("/kk/", "/ru/petitions", f"/en/petitions/{petition.id}", "/api/v1/petitions"):
            assert reader.get(path).status_code == 200, path
        signer = chaos_app.test_client()
        assert login(signer, "no-redis@example.kz").status_code == 302
        token = CSRF_RE.search(signer.get(f"/kk/petitions/{petition.id}").get_data(as_text=True)).group(1)
        assert signer.post(f"/kk/petitions/{petition.id}/sign", data={"csrf_token": token}).status_code == 302
        assert chaos_app.test_client().get("/health").status_code == 503
    finally:
        redis_server.start()
        page_cache_server.start()
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert any("Redis" in r.getMessage() or "redis" in r.getMessage() for r in caplog.records)
    settle()
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).signature_count == 2


def _due_everything(app) -> float:
    """An instant at which every periodic job's period starts (a day boundary)."""
    return (int(clock.timestamp()) // 86400 + 1) * 86400 + 1


def test_a_threshold_crossing_through_a_redis_restart(chaos_app, servers):
    _, redis_server = servers
    signers = 500
    body, saved = set_fixed_threshold("MIN-HEALTH", signers + 1)
    try:
        petition = make_petition(state="open", body="MIN-HEALTH", title="Ауылдық емханаларға дәрігер керек",
                                 signatures=1)
        for n in range(signers):
            sign_as(petition, make_user(f"opted{n}@example.kz", region=("KZ-75", "KZ-71")[n % 2]), notify=True)
        settle()  # the aggregator crosses the threshold: the case, then the jobs that mail signers
        w = worker.make_worker(chaos_app, simple=True)
        w.work(burst=True, max_jobs=2, logging_level="WARNING")  # some of the work is done...
        waiting = sum(queue.get_queue(q, chaos_app).count for q in chaos_app.config["RQ_QUEUES"])
        mailed_before = len(list(Path(chaos_app.config["MAIL_DIR"]).glob("*.eml")))
        assert waiting > 0 and mailed_before < signers, (waiting, mailed_before)
        redis_server.stop()  # ...and Redis is lost with the rest
        redis_server.start()
        # The scheduler carries on against the new Redis; its sweeps find what was lost.
        s = scheduler.Scheduler(chaos_app, tick=1)
        assert s.run_once(now=_due_everything(chaos_app))
        worker.drain(chaos_app)
        db.session.expire_all()
        cases = db.session.scalar(select(func.count()).select_from(ReviewCase)
                                  .where(ReviewCase.petition_id == petition.id))
        assert cases == 1
        mails = Path(chaos_app.config["MAIL_DIR"]).glob("*.eml")
        recipients = Counter()
        for path in mails:
            head = path.read_bytes().split(b"\n\n", 1)[0].decode()
            to = next(line for line in head.splitlines() if line.lower().startswith("to:"))
            recipients[to.split(":", 1)[1].strip()] += 1
        opted = {f"opted{n}@example.kz" for n in range(signers)}
        assert {address for address in recipients if address in opted} == opted
        assert all(recipients[address] == 1 for address in opted), \
            [a for a in opted if recipients[a] != 1][:5]
        rows = db.session.scalar(select(func.count()).select_from(Signature).where(Signature.petition_id == petition.id))
        assert db.session.get(Petition, petition.id).signature_count == rows == signers + 1
    finally:
        restore_threshold(body, saved)
