"""Signing with an EDS against signing through the account, on the same stack.

Starts gunicorn, an RQ worker and the scheduler on PostgreSQL + Redis (this machine's
servers), with a certification authority of the tests' own (tests/eds_ca.py: its OCSP
responder and CRL on 127.0.0.1) as the only trust anchor. Each request is a different
signed-in person with a certificate of their own (so every EDS signature asks the OCSP
responder once: no answer kept from another signer). The statements are issued and signed
before the clock starts: what is timed is the server's work on the signing request.

  (a) POST /petitions/<n>/sign      (the account's signature)
  (b) POST /petitions/<n>/sign/eds  (statement check, CMS, path, OCSP, evidence sealed)

in alternated rounds, one client (latency) and then `--clients` clients (throughput).

`--algorithm` chooses the keys (the CA's and the signers'): `rsa` (2048 bits, SHA-256), or
GOST R 34.10-2015 with Streebog, `gost512` (the NCA RK's people's certificates today) or
`gost256`, named by the NCA RK's object identifiers.

Usage (from the project root, with PostgreSQL and Redis running):
    .venv/bin/python bench/eds_bench.py [--algorithm rsa] [--signers 200] [--rounds 3] [--clients 4]

It creates (and drops first) the database `dauys_bench_eds` and uses Redis database 12.
Results are printed and written to bench/RESULTS.md (section "eds" for RSA, "eds-gost"
for GOST).
"""

from __future__ import annotations

import argparse
import base64
import http.client
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import results, stack  # noqa: E402 (after the path is set)

DB_NAME = "dauys_bench_eds"
REDIS_URL = "redis://127.0.0.1:6379/12"
PORT = 8766
UA = "dauys-bench/1"
SESSION_COOKIE = "dauys_session"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--algorithm", choices=("rsa", "gost512", "gost256"), default="rsa")
    parser.add_argument("--signers", type=int, default=200, help="signers per kind and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    # The settings first: config.py reads them when the app package is first imported.
    anchors = Path(tempfile.mkdtemp()) / "anchors.pem"
    env = stack.environment(DB_NAME, REDIS_URL, EDS_TRUST_ANCHORS=str(anchors))
    from tests.eds_ca import Authority, GostKey, Person, sign_cms

    def key():
        return GostKey(int(args.algorithm[4:]), "nca") if args.algorithm != "rsa" else None

    ca = Authority("Dauys Bench Root CA", key=key())
    ca.start()
    anchors.write_bytes(ca.pem)
    stack.fresh_database(env, DB_NAME, REDIS_URL)

    from app import create_app

    app = create_app("development")
    per_round = args.signers * 2
    total = per_round * args.rounds
    people, users, password_petition, eds_petition = prepare(app, ca, Person, total, key())
    procs = stack.start(env, PORT, args.workers, args.threads)
    try:
        identities = stack.identities(app, users, UA)
        stamp = form_stamp(app)
        jobs = prepare_requests(app, users, identities, people, eds_petition, password_petition, stamp, sign_cms)
        time.sleep(3)  # the signing form's minimum time since it was shown (SIGN_MIN_SECONDS)
        rows = []
        for r in range(args.rounds):
            block = jobs[r * per_round:(r + 1) * per_round]
            half = args.signers // 2
            password_jobs = [j["password"] for j in block[:args.signers]]
            eds_jobs = [j["eds"] for j in block[args.signers:]]
            lat_a = latencies(password_jobs[:half])
            lat_b = latencies(eds_jobs[:half])
            tput_a = throughput(password_jobs[half:], args.clients)
            tput_b = throughput(eds_jobs[half:], args.clients)
            rows.append((statistics.median(lat_a), statistics.median(lat_b), tput_a, tput_b,
                         sorted(lat_b)[int(len(lat_b) * 0.95) - 1]))
            print(f"round {r + 1}: latency {rows[-1][0] * 1000:.1f} ms / {rows[-1][1] * 1000:.1f} ms, "
                  f"throughput {tput_a:.0f} / {tput_b:.0f} per s")
        counted = check_counts(app, eds_petition, password_petition)
        expected = args.signers * args.rounds
        if counted != (expected, expected, expected):
            raise SystemExit(f"rows written {counted} differ from the requests answered {expected}: not a result")
    finally:
        stack.stop(procs)
        ca.stop()
    render(args, rows, counted, ca.ocsp_requests, sample_algorithm(app))


def prepare(app, ca, person_cls, total: int, key):
    """`total` verified accounts, each with an IIN and a signing certificate of its own (one
    key for all, `key` or RSA: key generation is not what is measured), and two open
    petitions."""
    from datetime import timedelta

    from sqlalchemy import insert, select

    from app import legal
    from app.accounts.identity import provider
    from app.accounts.iin import make_iin
    from app.core import clock
    from app.extensions import db
    from app.models import Category, Petition, PetitionState, Region, StateBody, User

    with app.app_context():
        region = db.session.scalar(select(Region.id).where(Region.code == "KZ-75"))
        now, notice = clock.now(), legal.notice_version()
        people, rows = [], []
        for i in range(total):
            iin = make_iin(date(1980, 1, 1) + timedelta(days=i // 3000), male=True, serial=(i % 3000) * 3 + 1)
            person = person_cls(iin, key=key) if key else person_cls(iin)
            key = person.key
            people.append(ca.issue(person))
            rows.append({"email": f"eds{i}@bench.kz", "mailbox": f"eds{i}@bench.kz", "given_name": "Bench",
                         "surname": f"Signer{i}", "password_hash": "!no-password", "region_id": region,
                         "iin_hmac": provider().claim(iin).person_key, "birth_date": date(1980, 1, 1),
                         "email_verified_at": now, "language": "kk", "session_version": 1, "active": True,
                         "created_at": now, "consent_version": notice, "consent_at": now})
        db.session.execute(insert(User), rows)
        body = db.session.scalar(select(StateBody).where(StateBody.code == "GOV"))
        author = db.session.scalar(select(User).where(User.email == "eds0@bench.kz"))
        petitions = []
        for title in ("Bench: signing through the account", "Bench: signing with an EDS"):
            p = Petition(author=author, body=body, category=Category.OTHER, language="en", title=title,
                         summary="Benchmark petition", details="Benchmark petition", state=PetitionState.OPEN,
                         submitted_at=now, moderation_started_at=now, opened_at=now,
                         closes_at=now + timedelta(days=90))
            db.session.add(p)
            petitions.append(p)
        db.session.commit()
        users = db.session.scalars(select(User).where(User.email.like("eds%@bench.kz")).order_by(User.id)).all()
        ids = [p.id for p in petitions]
        db.session.expunge_all()
    return people, users, ids[0], ids[1]


def form_stamp(app) -> str:
    from app.fraud.bot_signals import shown_stamp

    with app.app_context():
        return shown_stamp()


def prepare_requests(app, users, identities, people, eds_petition, password_petition, stamp, sign_cms):
    """For each signer: the account's signing request and the EDS one (its statement
    issued by the app, signed with the signer's key), ready to send."""
    from app.eds import statements
    from app.extensions import db
    from app.models import Petition, User

    jobs = []
    with app.app_context(), app.test_request_context(base_url="http://127.0.0.1:5000/kk/"):
        petition = db.session.get(Petition, eds_petition)
        for user, (cookie, token), person in zip(users, identities, people, strict=True):
            account = db.session.get(User, user.id)
            statement = statements.issue(petition, account).text
            cms = base64.b64encode(sign_cms(person, statement.encode())).decode()
            headers = {"Cookie": f"{SESSION_COOKIE}={cookie}", "User-Agent": UA,
                       "Content-Type": "application/x-www-form-urlencoded"}
            jobs.append({
                "password": (f"/kk/petitions/{password_petition}/sign",
                             urlencode({"csrf_token": token, "shown_at": stamp}), headers),
                "eds": (f"/kk/petitions/{eds_petition}/sign/eds",
                        urlencode({"csrf_token": token, "statement": statement, "cms": cms}), headers),
            })
    return jobs


def _send(conn, job) -> int:
    path, body, headers = job
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def latencies(jobs) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    out = []
    for job in jobs:
        t0 = time.perf_counter()
        status = _send(conn, job)
        out.append(time.perf_counter() - t0)
        if status != 302:
            raise RuntimeError(f"{job[0]} answered {status}")
    conn.close()
    return out


def throughput(jobs, clients: int) -> float:
    lock, queue, failures = threading.Lock(), list(jobs), []

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        while True:
            with lock:
                if not queue:
                    break
                job = queue.pop()
            if _send(conn, job) != 302:
                failures.append(job[0])
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed")
    return len(jobs) / (time.perf_counter() - start)


def check_counts(app, eds_petition: int, password_petition: int) -> tuple[int, int, int]:
    """(EDS signature rows, evidence rows, account signature rows): each answered request
    must have written its rows, or the timings measured something else."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import IdentityLevel, Signature, SignatureEvidence

    def rows(petition_id: int) -> int:
        return db.session.scalar(select(func.count()).select_from(Signature)
                                 .where(Signature.petition_id == petition_id))

    with app.app_context():
        eds_rows = db.session.scalar(select(func.count()).select_from(Signature).where(
            Signature.petition_id == eds_petition, Signature.assurance == IdentityLevel.EDS))
        kept = db.session.scalar(select(func.count()).select_from(SignatureEvidence))
        assert rows(eds_petition) == eds_rows
        return eds_rows, kept, rows(password_petition)


def sample_algorithm(app) -> str:
    """The algorithm the server recorded (so the table says what was verified)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import SignatureEvidence

    with app.app_context():
        return db.session.scalars(select(SignatureEvidence.algorithm).distinct()).one()


KEYS = {"rsa": "RSA 2048 with SHA-256", "gost512": "GOST R 34.10-2015 512 bits with Streebog-512 (NCA RK identifiers)",
        "gost256": "GOST R 34.10-2015 256 bits with Streebog-256 (NCA RK identifiers)"}

RSA_LIMITS = """What limits it: the EDS request does the account's request's work plus, before writing, the statement
check (an HMAC), a CMS parse and an RSA verification (well under a millisecond), the certificate path
validation in pure Python (pyhanko-certvalidator, with its own event loop per request), one OCSP request to
the responder and the parse and check of its answer, and the evidence sealed (AES-GCM) and written as a
second row. Against the NCA RK's responder the OCSP round trip adds the network's latency (tens to hundreds
of milliseconds) to each EDS signature unless its answer is kept (`EDS_OCSP_CACHE_SECONDS`, per
certificate: it helps a person who signs several petitions, not a surge of different signers); the worker
threads wait on it without holding the CPU, so throughput falls less than latency grows."""

GOST_LIMITS = """What limits it: GOST arithmetic in pure Python (gostcrypto, its modular inverse replaced by Python's
pow). A GOST EDS request checks three GOST signatures, each ~0.1 s of CPU at 512 bits (~0.03 s at 256):
the signer's over the statement, the CA's over the signer's certificate and the OCSP responder's over its
answer (the issuer's signature, checked before anything is fetched, is remembered and not checked again by
the path validation). The rest is the RSA request's work (statement, CMS parse, path validation, one OCSP
round trip, evidence sealed and written). With 2 cores the CPU is the ceiling: a surge of GOST signers is
served at a few per second per core. What would lift it: a native GOST verifier (OpenSSL's GOST engine,
which the tests show agrees with ours, or the NCA RK's own library) behind app/eds/algorithms.py, the
one place that checks a signature; or more web workers on more cores (each request is independent)."""


def render(args, rows, counted, ocsp_requests, algorithm):
    from app.core import clock

    lat_ratio = statistics.median(b / a for a, b, *_ in rows)
    tput_ratio = statistics.median(tb / ta for _, _, ta, tb, _ in rows)
    table = "\n".join(f"| {i + 1} | {a * 1000:.1f} | {b * 1000:.1f} | {b / a:.2f} | {ta:.0f} | {tb:.0f} | "
                      f"{tb / ta:.2f} | {p95 * 1000:.1f} |" for i, (a, b, ta, tb, p95) in enumerate(rows))
    family = "RSA" if args.algorithm == "rsa" else f"GOST, {args.algorithm[4:]} bits"
    title = "" if args.algorithm == "rsa" else f", GOST {args.algorithm[4:]} bits"
    body = f"""## Signing with an EDS against signing through the account{title} (`bench/eds_bench.py`)

Command (PostgreSQL and Redis running on this machine):

```sh
.venv/bin/python bench/eds_bench.py --algorithm {args.algorithm} --signers {args.signers} --rounds {args.rounds} --clients {args.clients} --workers {args.workers} --threads {args.threads}
```

Machine: 2 cores; gunicorn {args.workers} workers x {args.threads} threads, PostgreSQL and Redis on the same
machine, the tests' certification authority with its OCSP responder on 127.0.0.1 (so an OCSP round trip
costs a local HTTP request, not the NCA RK's network). {KEYS[args.algorithm]} (recorded as `{algorithm}`). Run on
{clock.now():%Y-%m-%d %H:%M} UTC. Each round: {args.signers // 2} requests of each kind one
after the other (latency, median), then {args.signers - args.signers // 2} of each with {args.clients} clients
(throughput); every request a different signer, every EDS signer a certificate of its own.

| round | (a) account, ms | (b) EDS, ms | latency ratio (b)/(a) | (a) per s | (b) per s | throughput ratio (b)/(a) | (b) p95 ms |
| --- | --- | --- | --- | --- | --- | --- | --- |
{table}

**Median latency ratio: {lat_ratio:.1f}; median throughput ratio: {tput_ratio:.2f}** ({family}).

After the run: {counted[0]} EDS signatures on the petition, {counted[1]} evidence rows, {counted[2]} signatures
through the account, each the number of requests answered (the script stops otherwise); {ocsp_requests} OCSP
requests answered (one per signer: no signer's answer served another).

{RSA_LIMITS if args.algorithm == 'rsa' else GOST_LIMITS}
"""
    print(body)
    results.write_section("eds" if args.algorithm == "rsa" else "eds-gost", body)


if __name__ == "__main__":
    main()
