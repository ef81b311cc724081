"""Helpers for tests: factories as plain functions, a browser-like form POST, mail."""

from __future__ import annotations

import email
import email.policy
import itertools
import re
import socket
import threading
import time
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import pyotp

from app.accounts.iin import make_iin
from app.core.jobs import worker
from app.extensions import db

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path: str | None = None) -> str:
    """The session's CSRF token, read from `path` (by default: the home page when
    signed in, the log-in form otherwise, since anonymous public pages carry none)."""
    for candidate in [path, "/kk/login"] if path else ["/kk/", "/kk/login"]:
        match = CSRF_RE.search(client.get(candidate).get_data(as_text=True))
        if match:
            return match.group(1)
    raise AssertionError(f"no CSRF token on {path or '/ or /login'}")


def post(client, path: str, data: dict | None = None, *, token_from: str | None = None, **kwargs):
    """POST a form the way a browser would: with the CSRF token of this session."""
    payload = {"csrf_token": csrf_token(client, token_from), **(data or {})}
    return client.post(path, data=payload, **kwargs)


_serial = itertools.count(1)
PER_DAY = 3300  # serials of one birth date (four digits, a third of them with a check digit)


def valid_iin(born: date | None = None, male: bool = True) -> str:
    """A new valid IIN. Without `born`, people of 17 May 1990 and the days after, so
    that a run may make more people than one day's serials allow."""
    n = next(_serial)
    if born is None:
        born = date(1990, 5, 17) + timedelta(days=n // PER_DAY)
    return make_iin(born, male=male, serial=(n % PER_DAY) * 3 + 1)


def make_user(
    email_address: str | None = None,
    *,
    password: str = "correct horse battery",
    verified: bool = True,
    region: str = "KZ-75",
    roles: tuple = (),
    body: str | None = None,
    language: str = "kk",
    born: date | None = None,
    commit: bool = True,
    second_factor: bool | None = None,
    iin: str | None = None,
):
    """A citizen (or staff) account made the way registration makes it (with `iin`, or a
    new valid one). Staff have a
    second factor turned on unless `second_factor=False` (tests log in with
    `login`, which enters the code)."""
    from sqlalchemy import select

    from app import legal
    from app.accounts.identity import provider
    from app.admin.services import grant_role
    from app.core import clock
    from app.models import Region, User

    n = next(_serial)
    claim = provider().claim(iin or valid_iin(born))
    user = User(
        email=email_address or f"user{n}@example.kz",
        given_name="Test", surname=f"Person{n}",
        password_hash=_hash(password),
        region=db.session.scalar(select(Region).where(Region.code == region)),
        iin_hmac=claim.person_key,
        birth_date=claim.birth_date,
        email_verified_at=clock.now() if verified else None,
        language=language,
        consent_version=legal.notice_version(),  # agreed to the current privacy notice
        consent_at=clock.now(),
    )
    db.session.add(user)
    db.session.flush()
    for role in roles:
        grant_role(None, user, role, body if role.value == "official" else None, channel="cli")
    if second_factor if second_factor is not None else bool(roles):
        user.totp_secret = pyotp.random_base32()
        user.totp_enabled_at = clock.now()
    if commit:
        db.session.commit()
    return user


_hashes: dict[str, str] = {}


def _hash(password: str) -> str:
    """argon2 is slow on purpose; tests make many users with the same few passwords."""
    from app.accounts.passwords import hash_password

    if password not in _hashes:
        _hashes[password] = hash_password(password)
    return _hashes[password]


def second_factor_code(email_address: str) -> str:
    """The code the user's authenticator app shows now. Forgets the last step used, so
    a test with a frozen clock can log the same person in twice."""
    from sqlalchemy import select, update

    from app.core import clock
    from app.models import User

    # In SQL: this session's copy of the user may be older than the last accepted code.
    db.session.execute(update(User).where(User.email == email_address.strip().lower()).values(totp_last_step=None))
    db.session.commit()
    user = db.session.scalar(select(User).where(User.email == email_address.strip().lower()))
    return pyotp.TOTP(user.totp_secret).at(clock.now())


def login(client, email: str, password: str = "correct horse battery", **extra):
    """Log in as a browser would, entering the second-factor code when one is asked."""
    response = post(client, "/login", {"email": email, "password": password, **extra}, token_from="/login")
    if response.status_code == 302 and "/login/code" in response.headers["Location"]:
        response = post(client, "/login/code", {"code": second_factor_code(email)}, token_from="/login/code")
    return response


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email_address: str, password: str = "correct horse battery", **extra):
        return login(self._client, email_address, password, **extra)

    def logout(self):
        return post(self._client, "/logout")


# --- mail ---------------------------------------------------------------------


class Mailbox:
    """Emails delivered to files (no SMTP_HOST), read back as messages."""

    def __init__(self, app):
        self.app = app

    def deliver(self) -> None:
        worker.drain(self.app)

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        self.deliver()
        files = sorted(Path(self.app.config["MAIL_DIR"]).glob("*.eml"))
        return [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def text_part(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_part(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def link_in(message, contains: str) -> str:
    for url in re.findall(r"https?://\S+", text_part(message)):
        if contains in url:
            return url.replace("http://localhost", "")
    raise AssertionError(f"no link containing {contains!r} in:\n{text_part(message)}")


class RecordingHandler:
    """An SMTP server's behaviour: accept, refuse (4xx) or stall before accepting."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse = False
        self.stall_seconds = 0.0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "451 4.3.0 Try again later"
        if self.stall_seconds:
            import asyncio

            await asyncio.sleep(self.stall_seconds)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(msg)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float = 15.0, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def page_text(response) -> str:
    """The response body with HTML entities decoded, for 'the user reads X' checks."""
    import html

    # Numbers are grouped with no-break spaces in Kazakh and Russian.
    return html.unescape(response.get_data(as_text=True)).replace("\xa0", " ").replace("\u202f", " ")


def translated(message, language: str) -> str:
    """A (lazy) message as a reader of `language` sees it."""
    from flask_babel import force_locale

    with force_locale(language):
        return str(message)


def make_petition(
    author=None,
    *,
    state: str = "open",
    body: str = "GOV",
    title: str = "Жол жөндеу: Алматыдағы жолдарды жөндеу керек",
    summary: str = "Қала көшелеріндегі шұңқырларды жөндеуді сұраймыз.",
    details: str = "Көптеген көшелерде шұңқырлар бар.\n\nОларды биыл жөндеу керек.",
    category: str = "transport_roads",
    language: str = "kk",
    signatures: int = 0,
):
    """A petition put straight into `state`, with `signatures` signers from Almaty
    (the author's own included when the state has signatures at all)."""
    from datetime import timedelta

    from sqlalchemy import select

    from app.core import clock
    from app.models import Category, Petition, PetitionState, Signature, StateBody
    from app.petitions import counting

    author = author or make_user()
    now = clock.now()
    target = PetitionState(state)
    petition = Petition(
        author=author,
        body=db.session.scalar(select(StateBody).where(StateBody.code == body)),
        category=Category(category),
        language=language,
        title=title,
        summary=summary,
        details=details,
        state=target,
        created_at=now - timedelta(days=3),
    )
    if target is not PetitionState.DRAFT:
        petition.submitted_at = now - timedelta(days=2)
    if target in (PetitionState.PENDING_MODERATION, PetitionState.OPEN, PetitionState.CLOSED,
                  PetitionState.REJECTED, PetitionState.RETURNED, PetitionState.HIDDEN):
        from app.core.clock import local_date
        from app.core.workdays import add_working_days

        petition.moderation_started_at = now - timedelta(days=1)
        petition.moderation_due_on = add_working_days(local_date(now - timedelta(days=1)), 10)
    if target in (PetitionState.OPEN, PetitionState.CLOSED, PetitionState.HIDDEN):
        petition.opened_at = now - timedelta(hours=12)
        petition.closes_at = now - timedelta(hours=1) if target is PetitionState.CLOSED else now + timedelta(days=90)
    if target is PetitionState.CLOSED:
        petition.closed_at = now - timedelta(hours=1)
    if target is PetitionState.HIDDEN:
        from app.models import RejectionCode

        petition.rejection_code = RejectionCode.OFFENSIVE
        petition.hidden_from = PetitionState.OPEN
    db.session.add(petition)
    db.session.flush()
    for n in range(signatures):
        signer = author if n == 0 else make_user(region="KZ-75", commit=False)
        db.session.add(Signature(petition_id=petition.id, user_id=signer.id, region_id=signer.region_id))
        counting.add_signature(petition.id, signer.region_id, sponsor=False)
    db.session.flush()
    counting.aggregate()
    db.session.commit()
    db.session.refresh(petition)
    return petition


def settle() -> int:
    """Run the count aggregator now (in production it runs every second)."""
    from app.review.jobs import aggregate_counts

    return aggregate_counts()


def set_fixed_threshold(code: str, n: int):
    """Give a body a fixed threshold (an administrator's override) for a test."""
    from sqlalchemy import select

    from app.models import StateBody, ThresholdRule

    body = db.session.scalar(select(StateBody).where(StateBody.code == code))
    saved = (body.threshold_rule, body.threshold_fixed)
    body.threshold_rule = ThresholdRule.FIXED
    body.threshold_fixed = n
    db.session.commit()
    return body, saved


def restore_threshold(body, saved) -> None:
    body.threshold_rule, body.threshold_fixed = saved
    db.session.commit()


def sign_as(petition, user, notify: bool = True, show_name: bool = False) -> None:
    from app.petitions import services

    # A sponsor comes through the link the author shared (the key is harmless once open).
    services.sign(petition, user, show_name=show_name, notify=notify, link_key=petition.link_key)
    db.session.commit()


def open_link(client, link: str):
    """Follow an emailed link as a browser does: its first answer moves the token into the
    session and redirects to an address without it. Returns (page, that address)."""
    first = client.get(link)
    assert first.status_code == 302, first.status_code
    target = first.headers["Location"]
    assert link.rsplit("/", 1)[1] not in target  # the token is out of the address
    return client.get(target), target


def reauth(email: str, prefix: str = "", password: str = "correct horse battery") -> dict:
    """The password and a current code, asked again on grave staff forms."""
    return {f"{prefix}reauth_password": password, f"{prefix}reauth_code": second_factor_code(email)}


@contextmanager
def scratch_migrations(app, path: Path):
    """A throwaway SQLite database at `path` with this app's migrations: yields (the
    Alembic config to upgrade or downgrade it, its Flask-SQLAlchemy object), inside the
    scratch app's context, so that the shared test database stays intact."""
    from flask import Flask
    from flask_migrate import Migrate
    from flask_sqlalchemy import SQLAlchemy

    from app.models import Base

    scratch = Flask("scratch")
    scratch.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    scratch_db = SQLAlchemy(model_class=Base)
    scratch_db.init_app(scratch)
    Migrate(scratch, scratch_db, directory=app.extensions["migrate"].directory, render_as_batch=True)
    with scratch.app_context():
        try:
            yield scratch.extensions["migrate"].migrate.get_config(), scratch_db
        finally:
            scratch_db.engine.dispose()


def postgres_only(app) -> None:
    """Skip unless the run is on PostgreSQL: a race between two transactions needs it
    (SQLite serialises writers)."""
    import pytest

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("a race between two transactions needs PostgreSQL; SQLite serialises writers")


def at_once(app, *calls) -> list:
    """Run each call in its own thread and app context, released together; their results."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        with app.app_context():
            barrier.wait()
            try:
                results[i] = call()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def redis_dump(connection) -> str:
    """Every key and value of a Redis database, as text (to search it for what must not be there)."""
    out = []
    for key in connection.scan_iter(count=1000):
        kind = connection.type(key)
        if kind == b"string":
            value = connection.get(key)
        elif kind == b"hash":
            value = connection.hgetall(key)
        elif kind == b"list":
            value = connection.lrange(key, 0, -1)
        elif kind == b"set":
            value = connection.smembers(key)
        elif kind == b"zset":
            value = connection.zrange(key, 0, -1, withscores=True)
        else:
            value = connection.xrange(key) if kind == b"stream" else b""
        out.append(f"{key!r} {value!r}")
    return "\n".join(out)


class ThreadedServer:
    """A WSGI app served on 127.0.0.1 (a free port) by a thread, for the services the tests
    stand in for (an identity provider, a certification authority's OCSP and CRL)."""

    def __init__(self, wsgi_app):
        import threading

        from werkzeug.serving import make_server

        self._server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(5)


# The author's confirmation that goes with submitting a petition (app.petitions.forms.SubmitForm).
CONFIRMED = {"no_excluded_subject": "y"}
