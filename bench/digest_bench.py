"""Composing officials' digests at scale: time and SQL queries.

Builds a database of N petitions (10,000 by default) spread over every state body,
with review cases, and M officials (1,000), then composes and renders every digest
(what the 09:00 run does before writing the outbox), twice: at full size and at half
size, to show that the number of queries does not grow with petitions or officials.

Usage: .venv/bin/python bench/digest_bench.py [--petitions 10000] [--officials 1000]
Writes its section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DB_NAME = "dauys_bench_digest"
os.environ.update(
    DAUYS_CONFIG="development",
    DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:5432/{DB_NAME}",
    REDIS_URL="redis://127.0.0.1:6379/12",
    SECRET_KEY="bench-secret-key-bench-secret-key-0123456789",
    IIN_HMAC_KEY="bench-iin-key",
    FINGERPRINT_HMAC_KEY="bench-fingerprint-key",
    LOG_LEVEL="WARNING",
)


def build(petitions: int, officials: int):
    for sql in (f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)", f"CREATE DATABASE {DB_NAME}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, check=True, capture_output=True)
    subprocess.run([*flask, "seed"], cwd=ROOT, check=True, capture_output=True)
    from sqlalchemy import insert, select

    from app import create_app
    from app.accounts.passwords import hash_password
    from app.core import clock
    from app.extensions import db
    from app.models import (
        Category,
        Petition,
        PetitionState,
        Region,
        ReviewCase,
        Role,
        StateBody,
        User,
        UserRole,
    )

    app = create_app("development")
    with app.app_context():
        now = clock.now()
        bodies = db.session.scalars(select(StateBody).order_by(StateBody.id)).all()
        region = db.session.scalar(select(Region.id))
        pw = hash_password(secrets.token_urlsafe(12))
        db.session.execute(insert(User), [
            {"email": f"u{i}@digest.kz", "mailbox": f"u{i}@digest.kz", "given_name": "Digest", "surname": f"User{i}", "password_hash": pw,
             "region_id": region, "iin_hmac": secrets.token_bytes(32), "birth_date": date(1980, 1, 1),
             "email_verified_at": now, "language": ("kk", "ru", "en")[i % 3], "session_version": 1,
             "active": True, "created_at": now} for i in range(officials + 1)])
        ids = db.session.scalars(select(User.id).order_by(User.id)).all()
        author, staff = ids[0], ids[1:]
        db.session.execute(insert(UserRole), [
            {"user_id": uid, "role": Role.OFFICIAL, "body_id": bodies[i % len(bodies)].id, "granted_at": now}
            for i, uid in enumerate(staff)])
        rows = []
        for i in range(petitions):
            body = bodies[i % len(bodies)]
            opened = now - timedelta(hours=i % 200)
            rows.append({"author_id": author, "body_id": body.id, "category": Category.OTHER, "language": "kk",
                         "title": f"Benchmark petition number {i:05d}", "summary": "Summary", "details": "Details",
                         "state": PetitionState.OPEN, "signature_count": (i * 37) % 16000, "sponsor_count": 0,
                         "created_at": opened, "updated_at": opened, "submitted_at": opened,
                         "moderation_started_at": opened, "opened_at": opened, "closes_at": opened + timedelta(days=90)})
        db.session.execute(insert(Petition), rows)
        crossed = db.session.scalars(select(Petition).where(Petition.signature_count >= 15000)).all()
        for p in crossed:
            p.threshold_reached_at = now - timedelta(days=p.id % 60)
            p.threshold_at_crossing = 15000
        db.session.flush()
        db.session.execute(insert(ReviewCase), [
            {"petition_id": p.id, "body_id": p.body_id, "state": "queued", "queued_at": p.threshold_reached_at,
             "due_on": (p.threshold_reached_at + timedelta(days=40)).date(), "threshold_fanout_cursor": 0,
             "response_fanout_cursor": 0} for p in crossed])
        db.session.commit()
    return app


def measure(app):
    from sqlalchemy import event

    from app.core import clock
    from app.digests.compose import compose, default_since, recipients
    from app.extensions import db
    from app.mail.outbox import render_email

    with app.app_context():
        statements = []

        def count(*_args):
            statements.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        start = time.perf_counter()
        now = clock.now()
        people = recipients()
        digests = compose([(r, default_since(r.frequency, now)) for r in people], now.date())
        composed = time.perf_counter()
        event.remove(db.engine, "before_cursor_execute", count)
        with app.test_request_context():
            for d in digests:
                if not d.is_empty:
                    render_email("digest", d.language, digest=d, user=d.official, body_name=d.body.name(d.language),
                                 preferences_link="http://localhost/digest/preferences/x", subject="s")
        rendered = time.perf_counter()
        items = sum(d.items for d in digests)
        return {"officials": len(people), "digests": len(digests), "items": items,
                "queries": len(statements), "compose_s": composed - start, "total_s": rendered - start}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--petitions", type=int, default=10_000)
    parser.add_argument("--officials", type=int, default=1_000)
    args = parser.parse_args()
    runs = []
    for scale in (0.5, 1.0):
        p, o = int(args.petitions * scale), int(args.officials * scale)
        print(f"building {p} petitions, {o} officials ...", flush=True)
        app = build(p, o)
        result = measure(app)
        result.update(petitions=p)
        runs.append(result)
        print(result, flush=True)
    from bench.results import write_section

    lines = [
        "## Officials' digests: composing at scale",
        "",
        "```sh",
        f".venv/bin/python bench/digest_bench.py --petitions {args.petitions} --officials {args.officials}",
        "```",
        "",
        "Petitions spread over all 42 state bodies (the ones past 15,000 signatures with a queued review case), "
        "officials spread over the same bodies, PostgreSQL on this 2-core machine. \"Compose\" is the queries and "
        "the digests' contents; \"total\" adds rendering every non-empty digest in HTML and text.",
        "",
        "| petitions | officials | digests | items | SQL queries | compose | total |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in runs:
        lines.append(f"| {r['petitions']:,} | {r['officials']:,} | {r['digests']:,} | {r['items']:,} | {r['queries']} | "
                     f"{r['compose_s']:.2f} s | {r['total_s']:.2f} s |")
    same = runs[0]["queries"] == runs[1]["queries"]
    lines += ["", f"Queries at half and full size: {runs[0]['queries']} and {runs[1]['queries']} "
              f"({'the same: they grow with the number of bodies, not with petitions or officials' if same else 'DIFFERENT'}). "
              f"Target: 1,000 digests over 10,000 petitions in under 60 s: "
              f"{'meets' if runs[1]['total_s'] < 60 else 'misses'} ({runs[1]['total_s']:.1f} s)."]
    write_section("digests", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
