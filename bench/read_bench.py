"""The read path on the day a petition goes national (issue: a national surge).

    .venv/bin/python bench/read_bench.py --signatures 1000000 --others 1000 --seconds 10 --rounds 3

On PostgreSQL and the Redis server of this machine, with one petition at
`--signatures` signatures among `--others` others:

(a) anonymous GETs (wrk, keep-alive, `--connections`) of the hot petition's page, the
    home page and the list, each against a static file served by the same server, in
    alternated rounds: first gunicorn alone (2 workers x 8 threads), then through nginx
    (deploy/nginx.conf, a local copy), where nginx serves the static file itself;
(b) a surge mix through nginx for `--surge-seconds`: page views as fast as they come
    while signatures arrive at `--sign-rate` a second, with p99 latencies of both;
(d) afterwards: count = valid signature rows = sum of the regional counts.

Writes its section of bench/RESULTS.md. Needs wrk and nginx (apt-get install wrk nginx).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DB_NAME = "dauys_readbench"
DB_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = "redis://127.0.0.1:6379/12"
# The page cache's Redis: production runs a server of its own (README); on this machine,
# another database of the one server (the development configuration allows it).
PAGE_CACHE_REDIS_URL = "redis://127.0.0.1:6379/11"
PORT = 8766
NGINX_PORT = 8090
SIGNERS = 20_000  # accounts that have not signed the hot petition yet
UA = "dauys-read-bench/1"
from bench import stack  # noqa: E402 (after the path is set)

# The development configuration's session cookie (config.py is read only once the
# bench has put its settings in the environment).
SESSION_COOKIE = "dauys_session"

ENV = stack.environment(DB_NAME, REDIS_URL, PAGE_CACHE="true", PAGE_CACHE_REDIS_URL=PAGE_CACHE_REDIS_URL)


def prepare(signatures: int, others: int) -> int:
    """A fresh database: `signatures` citizens who all signed the hot petition, SIGNERS
    more who have not, `others` other open petitions with a few signatures each.
    Returns the hot petition's id."""
    import redis
    from sqlalchemy import create_engine, text

    stack.fresh_database(ENV, DB_NAME, REDIS_URL)
    redis.Redis.from_url(PAGE_CACHE_REDIS_URL).flushdb()

    from app.core import clock

    now = clock.now()
    engine = create_engine(DB_URL)
    with engine.begin() as conn:
        regions = [row[0] for row in conn.execute(text("SELECT id FROM regions ORDER BY id"))]
        params = {"n": signatures + SIGNERS, "now": now, "regions": regions}
        conn.execute(text("""
            INSERT INTO users (email, mailbox, given_name, surname, password_hash, region_id, iin_hmac, birth_date,
                               email_verified_at, language, session_version, active, created_at)
            SELECT 'citizen' || g || '@bench.kz', 'citizen' || g || '@bench.kz', 'Citizen' || g, 'Bench', 'x',
                   (:regions)[1 + g % cardinality(:regions)],
                   sha256(('iin' || g)::bytea), DATE '1985-01-01', :now, 'kk', 1, true, :now
            FROM generate_series(1, :n) AS g"""), params)
        body_ids = [row[0] for row in conn.execute(text(
            "SELECT id FROM state_bodies WHERE level = 'national' ORDER BY sort_order"))]
        conn.execute(text("""
            INSERT INTO petitions (author_id, body_id, category, language, title, summary, details, state,
                                   signature_count, sponsor_count, created_at, updated_at, submitted_at,
                                   moderation_started_at, opened_at, closes_at, link_key)
            SELECT 1, (:bodies)[1 + g % cardinality(:bodies)], 'other', 'kk',
                   CASE WHEN g = 0 THEN 'Мемлекеттік тілде барлық қызметтер: елдің бәрі қол қойған петиция'
                        ELSE 'Петиция нөмірі ' || g || ': ауылдағы жолды жөндеу керек' END,
                   'Қысқаша мазмұны', 'Толығырақ мәтін.', 'open', 0, 0, :now, :now, :now, :now,
                   :now - (g || ' minutes')::interval, :now + interval '60 days',
                   substr(md5(random()::text || g), 1, 22)
            FROM generate_series(0, :others) AS g"""), {"bodies": body_ids, "others": others, "now": now})
        hot = conn.execute(text("SELECT min(id) FROM petitions")).scalar_one()
        conn.execute(text("""
            INSERT INTO signatures (petition_id, user_id, region_id, created_at, sponsor, show_name, notify, valid)
            SELECT :hot, u.id, u.region_id, :now - ((u.id % 43200) || ' seconds')::interval, false,
                   u.id % 50 = 0, false, true
            FROM users u WHERE u.email LIKE 'citizen%' AND u.id <= (SELECT min(id) FROM users) + :n - 1"""),
                     {"hot": hot, "now": now, "n": signatures})
        conn.execute(text("""
            INSERT INTO signatures (petition_id, user_id, region_id, created_at, sponsor, show_name, notify, valid)
            SELECT p.id, u.id, u.region_id, :now, false, false, false, true
            FROM petitions p JOIN users u ON u.id <= (SELECT min(id) FROM users) + p.id % 97
            WHERE p.id <> :hot"""), {"hot": hot, "now": now})
        conn.execute(text("""
            UPDATE petitions p SET signature_count = s.n
            FROM (SELECT petition_id, count(*) AS n FROM signatures GROUP BY petition_id) s
            WHERE s.petition_id = p.id"""))
        conn.execute(text("""
            INSERT INTO petition_region_counts (petition_id, region_id, count)
            SELECT petition_id, region_id, count(*) FROM signatures GROUP BY petition_id, region_id"""))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return hot


def reuse() -> int:
    """The previous run's database, its deltas folded and its page cache emptied."""
    import redis
    from sqlalchemy import create_engine, text

    redis.Redis.from_url(REDIS_URL).flushdb()
    redis.Redis.from_url(PAGE_CACHE_REDIS_URL).flushdb()
    stack.sh(ENV, sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade", capture_output=True)
    engine = create_engine(DB_URL)
    with engine.connect() as conn:
        hot = conn.execute(text("SELECT min(id) FROM petitions")).scalar_one()
    engine.dispose()
    return hot


def signer_identities(count: int, hot: int) -> list[tuple[str, str]]:
    """(session cookie, CSRF token) for citizens who have not signed the hot petition."""
    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from app.models import Signature, User

    app = create_app("development")
    with app.app_context():
        signed = select(Signature.id).where(Signature.petition_id == hot, Signature.user_id == User.id).exists()
        users = db.session.scalars(select(User).where(~signed).order_by(User.id.desc()).limit(count)).all()
        db.session.expunge_all()
    return stack.identities(app, users, UA)


def start_nginx(directory: Path) -> Path:
    from bench.nginx_local import local_config

    config = local_config(directory, NGINX_PORT, PORT)
    stack.sh(ENV, "nginx", "-c", str(config))
    return config


def stop(procs, nginx_config: Path | None) -> None:
    if nginx_config is not None:
        subprocess.run(["nginx", "-s", "stop", "-c", str(nginx_config)], check=False)
    stack.stop(procs)


WRK_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_P99 = re.compile(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", re.M)
WRK_BAD = re.compile(r"Non-2xx or 3xx responses: (\d+)")


def wrk(url: str, seconds: float, connections: int, script: str | None = None) -> tuple[float, float, int]:
    """Requests a second, p99 latency in ms, non-2xx/3xx answers."""
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds:g}s", "--latency"]
    if script:
        args += ["-s", script]
    out = subprocess.run([*args, url], check=True, capture_output=True, text=True).stdout
    rate = float(WRK_RATE.search(out).group(1))
    value, unit = WRK_P99.search(out).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    bad = int(WRK_BAD.search(out).group(1)) if WRK_BAD.search(out) else 0
    return rate, p99, bad


def alternated(base: str, static: str, pages: dict[str, str], seconds: float, rounds: int,
               connections: int) -> dict[str, list[tuple[float, float]]]:
    """For each page, `rounds` pairs of (static req/s, page req/s), run back to back."""
    for path in [static, *pages.values()]:  # warm: caches filled, connections open
        wrk(base + path, 2, connections)
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in pages}
    for _ in range(rounds):
        for name, path in pages.items():
            s, _, _ = wrk(base + static, seconds, connections)
            p, _, bad = wrk(base + path, seconds, connections)
            if bad:
                raise RuntimeError(f"{bad} bad answers on {path}")
            results[name].append((s, p))
    return results


class Signers:
    """Signatures at a steady rate, each from another citizen, timed one by one."""

    def __init__(self, identities, path: str, rate: float, port: int):
        self.identities, self.path, self.rate, self.port = identities, path, rate, port
        self.latencies: list[float] = []
        self.failed = 0
        self.lock = threading.Lock()

    def _one(self, identity) -> None:
        cookie, token = identity
        start = time.monotonic()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            conn.request("POST", self.path, body=urlencode({"csrf_token": token}), headers={
                "Cookie": f"{SESSION_COOKIE}={cookie}", "User-Agent": UA, "Content-Type": "application/x-www-form-urlencoded"})
            ok = conn.getresponse().status in (302, 303)
            conn.close()
        except (OSError, http.client.HTTPException):
            ok = False
        with self.lock:
            if ok:
                self.latencies.append(time.monotonic() - start)
            else:
                self.failed += 1

    def run(self, seconds: float) -> None:
        threads = []
        start = time.monotonic()
        for n, identity in enumerate(self.identities[: int(seconds * self.rate)]):
            delay = start + n / self.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            t = threading.Thread(target=self._one, args=(identity,))
            t.start()
            threads.append(t)
        for t in threads:
            t.join()


def surge(hot: int, others: int, seconds: float, rate: float, connections: int, identities) -> dict:
    """Page views through nginx (the hot petition most, home, the list, other petitions)
    while signatures arrive at `rate` a second."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(f"""
local paths = {{}}
for i = 1, 60 do paths[#paths + 1] = "/kk/petitions/{hot}" end
for i = 1, 10 do paths[#paths + 1] = "/ru/petitions/{hot}" end
for i = 1, 10 do paths[#paths + 1] = "/kk/" end
for i = 1, 5 do paths[#paths + 1] = "/kk/petitions" end
for i = 1, 15 do paths[#paths + 1] = "/kk/petitions/" .. ({hot} + math.random(1, {others})) end
request = function() return wrk.format("GET", paths[math.random(#paths)]) end
""")
    signers = Signers(identities, f"/kk/petitions/{hot}/sign", rate, NGINX_PORT)
    thread = threading.Thread(target=signers.run, args=(seconds,))
    thread.start()
    views, p99, bad = wrk(f"http://127.0.0.1:{NGINX_PORT}", seconds, connections, script.name)
    thread.join()
    os.unlink(script.name)
    lat = sorted(signers.latencies)
    return {"views": views, "p99_page_ms": p99, "bad_pages": bad, "signed": len(lat), "failed": signers.failed,
            "p99_sign_ms": 1000 * lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else float("nan"),
            "sign_rate": len(lat) / seconds}


def counts_after(hot: int) -> dict:
    from sqlalchemy import create_engine, text

    engine = create_engine(DB_URL)
    deadline = time.monotonic() + 60
    with engine.connect() as conn:
        while conn.execute(text("SELECT count(*) FROM signature_deltas")).scalar_one() and time.monotonic() < deadline:
            conn.rollback()
            time.sleep(0.5)
        row = conn.execute(text("""
            SELECT p.signature_count,
                   (SELECT count(*) FROM signatures s WHERE s.petition_id = p.id AND s.valid),
                   (SELECT coalesce(sum(c.count), 0) FROM petition_region_counts c WHERE c.petition_id = p.id),
                   (SELECT count(*) FROM signature_deltas)
            FROM petitions p WHERE p.id = :hot"""), {"hot": hot}).one()
        drifted = conn.execute(text("""
            SELECT count(*) FROM petitions p
            WHERE p.signature_count <> (SELECT count(*) FROM signatures s WHERE s.petition_id = p.id AND s.valid)
        """)).scalar_one()
    engine.dispose()
    return {"count": row[0], "rows": row[1], "regional": row[2], "pending": row[3], "drifted": drifted}


def ratio_lines(results) -> tuple[list[str], dict[str, float]]:
    lines, medians = [], {}
    for name, pairs in results.items():
        ratios = [p / s for s, p in pairs]
        medians[name] = statistics.median(ratios)
        for n, ((s, p), r) in enumerate(zip(pairs, ratios, strict=True), 1):
            lines.append(f"| {name} | {n} | {s:,.0f} | {p:,.0f} | {r:.2f} |")
    return lines, medians


NOTES = (
    "Reading the figures: without nginx, gunicorn's gthread workers keep each keep-alive connection with the "
    "worker that accepted it, and in about half of the wrk runs all connections landed on one of the two "
    "workers (about 1,100 requests/s, one process's share of the GIL) instead of both (2,500-3,000/s); a "
    "round's ratio is fair only when its static and page runs had the same luck, hence the spread. Served from "
    "the shared page cache a page costs about what the static file does (ratios 0.85-1.0 when both runs were "
    "balanced). Through nginx, pages (6.5-13 KB) and the stylesheet (9.4 KB) are alike in size; the gap is "
    "nginx's cache lookup (key, shared zone, cache file with its stored headers) against a plain file with "
    "sendfile, on two cores shared with wrk. Next: the microcache on tmpfs, fewer bytes per page (gzip for "
    "clients that ask), and more gunicorn workers than cores or `--worker-connections` to balance keep-alive "
    "connections."
)


def render(args, hot, direct, proxied, mix, after) -> str:
    from app.core import clock

    direct_lines, direct_median = ratio_lines(direct)
    proxied_lines, proxied_median = ratio_lines(proxied)

    def verdict(value, target):
        return "meets" if value >= target else f"misses by {target - value:.2f}"

    out = [
        "## The read path in a national surge (`bench/read_bench.py`)",
        "",
        "```sh",
        f".venv/bin/python bench/read_bench.py --signatures {args.signatures} --others {args.others} "
        f"--seconds {args.seconds:g} --rounds {args.rounds} --connections {args.connections} "
        f"--surge-seconds {args.surge_seconds:g} --sign-rate {args.sign_rate:g}",
        "```",
        "",
        f"Machine: {os.cpu_count()} cores, everything on it: gunicorn {args.workers} workers x {args.threads} threads "
        "(gthread), one RQ worker, one scheduler, PostgreSQL, Redis, nginx (2 workers) and wrk (2 threads, "
        f"{args.connections} keep-alive connections). Hot petition {hot} at {args.signatures:,} signatures among "
        f"{args.others:,} others. Pages for readers not signed in, shared page cache on (CACHE_MAX_AGE=10). "
        f"Run on {clock.now():%Y-%m-%d %H:%M} UTC.",
        "",
        "### (a) anonymous pages against a static file of the same server, alternated",
        "",
        f"`count` is the API's count document of the hot petition (`/api/v1/petitions/{hot}/count`, what pollers "
        "read); the others are the Kazakh HTML pages.",
        "",
        "Without nginx (gunicorn serves both the page and `/static/dauys.css`):",
        "",
        "| page | round | static req/s | page req/s | ratio |",
        "| --- | --- | --- | --- | --- |",
        *direct_lines,
        "",
        "Medians: " + ", ".join(f"{k} **{v:.2f}** ({verdict(v, 0.5)} 0.5)" for k, v in direct_median.items()) + ".",
        "",
        "Through nginx (`deploy/nginx.conf`; nginx serves the static file from disk, pages from its microcache):",
        "",
        "| page | round | static req/s | page req/s | ratio |",
        "| --- | --- | --- | --- | --- |",
        *proxied_lines,
        "",
        "Medians: " + ", ".join(f"{k} **{v:.2f}** ({verdict(v, 0.9)} 0.9)" for k, v in proxied_median.items()) + ".",
        "",
        NOTES,
        "",
        "### (b) a surge mix through nginx",
        "",
        f"{args.surge_seconds:g} s of page views (60 % the hot petition in Kazakh, 10 % in Russian, 10 % home, 5 % the "
        f"list, 15 % other petitions) from {args.connections} connections, while signatures arrived at "
        f"{args.sign_rate:g} a second, each from another citizen.",
        "",
        f"**{mix['views']:,.0f} page views/s** (target >= 1,700: {'meets' if mix['views'] >= 1700 else 'misses'}), "
        f"p99 page latency **{mix['p99_page_ms']:.0f} ms** (target < 500), bad page answers {mix['bad_pages']}; "
        f"{mix['signed']} signatures recorded ({mix['sign_rate']:.1f}/s), {mix['failed']} failed, p99 signing "
        f"**{mix['p99_sign_ms']:.0f} ms** (target < 1,000). What limits it: the two cores, taken by nginx's workers "
        "and wrk itself; behind the microcache gunicorn sees only a refresh per page every few seconds and the "
        "signatures.",
        "",
        "### (d) after the run",
        "",
        f"Hot petition: count = {after['count']:,}, valid signature rows = {after['rows']:,}, sum of regional counts = "
        f"{after['regional']:,}, deltas not yet folded = {after['pending']}. Petitions whose count differs from "
        f"their rows: {after['drifted']}.",
        "",
        "**count = rows = sum of regional counts**" if after["count"] == after["rows"] == after["regional"]
        and not after["drifted"] else "**counts differ: see above**",
    ]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--signatures", type=int, default=1_000_000)
    parser.add_argument("--others", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--surge-seconds", type=float, default=60)
    parser.add_argument("--sign-rate", type=float, default=35)
    parser.add_argument("--no-write", action="store_true", help="print the section instead of writing RESULTS.md")
    parser.add_argument("--reuse-database", action="store_true", help="keep the database of the previous run")
    parser.add_argument("--surge-only", action="store_true", help="skip (a); print (b) and (d) only")
    args = parser.parse_args()

    if args.reuse_database:
        hot = reuse()
    else:
        print(f"preparing {args.signatures:,} signatures ...", flush=True)
        hot = prepare(args.signatures, args.others)
    identities = signer_identities(int(args.surge_seconds * args.sign_rate) + 100, hot)
    procs = stack.start(ENV, PORT, args.workers, args.threads)
    nginx_config = None
    try:
        pages = {"petition": f"/kk/petitions/{hot}", "home": "/kk/", "list": "/kk/petitions",
                 "count": f"/api/v1/petitions/{hot}/count"}
        direct = proxied = {}
        if not args.surge_only:
            print("(a) without nginx ...", flush=True)
            direct = alternated(f"http://127.0.0.1:{PORT}", "/static/dauys.css", pages, args.seconds, args.rounds,
                                args.connections)
        nginx_config = start_nginx(Path(tempfile.mkdtemp(prefix="dauys-nginx-")))
        if not args.surge_only:
            print("(a) through nginx ...", flush=True)
            proxied = alternated(f"http://127.0.0.1:{NGINX_PORT}", "/static/dauys.css", pages, args.seconds,
                                 args.rounds, args.connections)
        print("(b) surge ...", flush=True)
        mix = surge(hot, args.others, args.surge_seconds, args.sign_rate, args.connections, identities)
        after = counts_after(hot)
    finally:
        stop(procs, nginx_config)
    if args.surge_only:
        print(mix, after)
        return
    text = render(args, hot, direct, proxied, mix, after)
    print(text)
    if not args.no_write:
        from bench.results import write_section

        write_section("reads", text)


if __name__ == "__main__":
    main()
