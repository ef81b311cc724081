"""What the benchmarks share: the platform's processes on this machine (gunicorn, one
RQ worker, one scheduler), a fresh database, and signed-in identities made without
argon2 (a benchmark measures signing, not password hashing)."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def environment(db_name: str, redis_url: str, **settings: str) -> dict:
    """The processes' environment: this machine's PostgreSQL database `db_name` and Redis,
    development configuration with fixed bench secrets, no request limits, quiet logs;
    `settings` adds or overrides variables. Returns it after putting it into os.environ
    too (the benchmark's own process builds the app with it)."""
    env = dict(
        os.environ,
        DAUYS_CONFIG="development",
        DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:5432/{db_name}",
        REDIS_URL=redis_url,
        SECRET_KEY="bench-secret-key-bench-secret-key-0123456789",
        IIN_HMAC_KEY="bench-iin-key",
        FINGERPRINT_HMAC_KEY="bench-fingerprint-key",
        RATELIMIT_ENABLED="false",
        LOG_LEVEL="WARNING",
        MAIL_DIR=str(ROOT / "instance" / "bench-mail"),
        FLASK_APP="wsgi",
        **settings,
    )
    os.environ.update(env)
    return env


def sh(env: dict, *args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, check=True, cwd=ROOT, env=env, **kwargs)


def fresh_database(env: dict, name: str, redis_url: str) -> None:
    """Drop and create database `name`, empty `redis_url`'s database, migrate and seed."""
    import redis

    sh(env, "psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    sh(env, "psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {name}")
    redis.Redis.from_url(redis_url).flushdb()
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    sh(env, *flask, "db", "upgrade", capture_output=True)
    sh(env, *flask, "seed", capture_output=True)


# The RQ workers: "one" forks per job for every queue; "split" is README's production
# layout: the every-second count aggregator on a worker that does not fork, the rest forked.
WORKER_LAYOUTS = {
    "one": [[]],
    "split": [["--queue", "counts", "--no-fork"], ["--queue", "default", "--queue", "mail"]],
}


def start(env: dict, port: int, workers: int, threads: int, layout: str = "split") -> list[subprocess.Popen]:
    """gunicorn (gthread) on `port`, the RQ workers of `layout` and a scheduler; returns
    once /health answers. Raises RuntimeError if gunicorn does not come up."""
    bin_dir = Path(sys.executable).parent
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    procs = [
        subprocess.Popen([str(bin_dir / "gunicorn"), "--workers", str(workers), "--worker-class", "gthread",
                          "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
                          "wsgi:app"], cwd=ROOT, env=env, start_new_session=True),
        *(subprocess.Popen([*flask, "worker", *args], cwd=ROOT, env=env, start_new_session=True,
                           stdout=subprocess.DEVNULL) for args in WORKER_LAYOUTS[layout]),
        subprocess.Popen([*flask, "scheduler"], cwd=ROOT, env=env, start_new_session=True,
                         stdout=subprocess.DEVNULL),
    ]
    for _ in range(150):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/health")
            if c.getresponse().status == 200:
                return procs
        except OSError:
            pass
        time.sleep(0.2)
    stop(procs)
    raise RuntimeError("gunicorn did not come up")


def stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)


def identities(app, users, user_agent: str) -> list[tuple[str, str]]:
    """(session cookie, CSRF token) for each user, as a browser holds them after logging
    in from 127.0.0.1 with `user_agent` (Flask-Login's strong protection binds both)."""
    from flask import session
    from flask_login import login_user
    from flask_wtf.csrf import generate_csrf

    from app.accounts import sessions
    from app.extensions import db

    serializer = app.session_interface.get_signing_serializer(app)
    out = []
    for user in users:
        # A fresh app context each time: `g` caches the CSRF token per context.
        with app.app_context(), app.test_request_context(headers={"User-Agent": user_agent},
                                                          environ_base={"REMOTE_ADDR": "127.0.0.1"}):
            sessions.start(user, remember=False, second_factor=False)  # the server-side session row
            login_user(user)
            token = generate_csrf()  # first: it puts its secret into the session
            out.append((serializer.dumps(dict(session)), token))
            db.session.commit()
    return out
