"""Fixtures in the style of Flask's tutorial: app, client, runner, auth, plus the real
services the code uses: a database migrated from empty (SQLite file by default,
PostgreSQL when TEST_DATABASE_URL is set), Redis (embedded unless TEST_REDIS_URL is
set), an SMTP server (aiosmtpd) and a mail directory.

Time: tests choose it. `DAUYS_TEST_NOW=<ISO 8601 instant>` starts the whole run at
that instant (the clock then advances normally), so a test that secretly depends on
today's date fails on some date; the `clock` fixture freezes the time for one test
and moves it on demand; `count_queries` counts SQL statements.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient

from app import create_app
from app.core import clock as app_clock
from app.core import redis_client
from app.extensions import db
from app.models import Base
from tests import timeshift
from tests.support import AuthActions, Mailbox, RecordingHandler, free_port


def pytest_configure(config):
    """DAUYS_TEST_NOW: travel to that instant for the whole run, before any test (or
    the app) reads the time. Subprocesses started through tests.timeshift follow."""
    raw = os.environ.get("DAUYS_TEST_NOW")
    if raw:
        config._dauys_travel = timeshift.start_run(raw)


def pytest_report_header(config):
    raw = os.environ.get("DAUYS_TEST_NOW")
    return f"DAUYS_TEST_NOW={raw} (the clock starts there)" if raw else "DAUYS_TEST_NOW unset: real time"


class FrozenClock:
    """The application's clock, frozen for one test: `set()` it to an instant, or
    `advance()` it; it stands still in between. Set it before logging anyone in: a
    session signed at a later instant is not valid at an earlier one."""

    def __init__(self, traveller: time_machine.Traveller):
        self._traveller = traveller

    def now(self) -> datetime:
        return app_clock.now()

    def set(self, when: datetime | str) -> datetime:
        """Move to an aware instant (or its ISO 8601 text). Raises ValueError if naive."""
        moment = datetime.fromisoformat(when) if isinstance(when, str) else when
        if moment.tzinfo is None:
            raise ValueError("the clock takes aware instants only")
        self._traveller.move_to(moment)
        return self.now()

    def advance(self, delta: timedelta | None = None, **parts) -> datetime:
        self._traveller.shift(delta if delta is not None else timedelta(**parts))
        return self.now()


@pytest.fixture
def clock():
    """Freeze the clock where the run's time is now (DAUYS_TEST_NOW, or the real
    time); the test moves it. Ends with the test."""
    with time_machine.travel(app_clock.now(), tick=False) as traveller:
        yield FrozenClock(traveller)


@pytest.fixture
def count_queries(app):
    """`with count_queries() as counted:` ... `counted.n` is the number of SQL
    statements run inside the block (every connection of the app's engine)."""

    class Counted:
        def __init__(self):
            self.statements: list[str] = []

        @property
        def n(self) -> int:
            return len(self.statements)

    @contextmanager
    def counting():
        counted = Counted()

        def before(conn, cursor, statement, *args):
            counted.statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield counted
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", before)

    return counting

# The chaos lane (tests/chaos) stops and starts servers of its own: collected only when
# asked for (DAUYS_CHAOS=1, as .ci/run does in a lane of its own).
collect_ignore_glob = [] if os.environ.get("DAUYS_CHAOS") else ["chaos/*"]

KEEP_TABLES = {"regions", "districts", "state_bodies", "alembic_version", "rate_rules", "alert_rules"}


def _prepare_database(url: str) -> None:
    """Drop everything so migrations really run from empty."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    _prepare_database(url)
    return url


class FreshContextClient(FlaskClient):
    """Each request runs in its own app context, as in production.

    Tests keep an app context pushed for their own database work; without this, a
    request would reuse it and share `g` (and the database session) with the test
    and with every other request of the test.

    Every page's address starts with its language (/kk/petitions/5). Tests write the
    address without it and mean the page in `language` (Kazakh unless set); with
    `language = None` the address is sent as written (to try old addresses).
    """

    language: str | None = "kk"
    UNPREFIXED = ("/static/", "/health", "/api/")

    def open(self, *args, **kwargs):
        if args and isinstance(args[0], str):
            args = (self.localise(args[0]), *args[1:])
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def localise(self, address: str) -> str:
        local = address.removeprefix("http://localhost")
        if self.language is None or not local.startswith("/") or local.startswith(self.UNPREFIXED):
            return address
        if local.lstrip("/").partition("/")[0].partition("?")[0] in self.application.config["LANGUAGES"]:
            return address
        return f"/{self.language}{local}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    application = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        REDIS_URL=os.environ.get("TEST_REDIS_URL"),
        EMBEDDED_REDIS_PATH=str(instance / "redis" / "redis.db"),
        MAIL_DIR=str(instance / "mail"),
        PUBLIC_BASE_URL="http://localhost",
    )
    application.test_client_class = FreshContextClient
    # The rate limiter is one object for every app a process makes, and tests that build
    # another app (production settings, say) re-point it; each test points it back here.
    from app.extensions import limiter

    application.limiter_state = (limiter.enabled, limiter._storage, limiter._limiter)
    migrate_and_seed(application)
    yield application
    with application.app_context():
        db.engine.dispose()
    redis_client.shutdown_embedded()


def migrate_and_seed(application) -> None:
    """The database migrated from empty, with the reference data."""
    with application.app_context():
        from flask_migrate import upgrade

        upgrade()
        from app.reference.seed import seed_reference

        seed_reference()
        db.session.commit()


def empty_tables() -> None:
    """Every table but the reference data and the rules (who last changed a rule goes)."""
    with db.engine.begin() as conn:
        for kept in ("rate_rules", "alert_rules"):
            conn.execute(Base.metadata.tables[kept].update().values(updated_by_id=None, updated_at=None))
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in KEEP_TABLES:
                conn.execute(table.delete())


@pytest.fixture(autouse=True)
def _clean_state(request, app):
    """Every test starts with the reference data only, an empty Redis, no mail."""
    if "app" not in request.fixturenames and "client" not in request.fixturenames:
        # Pure unit tests never touch the services.
        yield
        return
    ctx = app.app_context()
    ctx.push()
    from app.extensions import limiter

    limiter.enabled, limiter._storage, limiter._limiter = app.limiter_state
    redis_client.connection(app).flushdb()
    if "redis_page_cache" in app.extensions:
        redis_client.page_cache(app).flushdb()
    mail_dir = Path(app.config["MAIL_DIR"])
    mail_dir.mkdir(parents=True, exist_ok=True)
    for f in mail_dir.glob("*"):
        f.unlink()
    yield
    db.session.remove()
    empty_tables()
    ctx.pop()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()




@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def mailbox(app):
    return Mailbox(app)


@pytest.fixture
def smtp_server(app, monkeypatch):
    """A real SMTP server on localhost; the app is pointed at it for this test."""
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", port)
    monkeypatch.setitem(app.config, "SMTP_STARTTLS", False)
    monkeypatch.setitem(app.config, "SMTP_TIMEOUT", 10)
    handler.port = port
    yield handler
    controller.stop()


@pytest.fixture(scope="session")
def _oidc_server():
    from tests.oidc_provider import Provider

    provider = Provider()
    provider.start()
    yield provider
    provider.stop()


@pytest.fixture
def oidc(app, _oidc_server, monkeypatch):
    """The OpenID Connect provider the tests start (tests/oidc_provider.py), behaving
    (its knobs reset) and signing in an adult with a valid IIN; the app is pointed at it."""
    from tests.oidc_provider import Knobs
    from tests.support import valid_iin

    provider = _oidc_server
    provider.knobs, provider.codes_exchanged = Knobs(), 0
    provider.person = {"iin": valid_iin(date(1990, 5, 17)), "given_name": "Айгерім", "family_name": "Сапарова",
                       "middle_name": "Қайратқызы", "email": "aigerim@example.kz", "email_verified": True}
    for key, value in {"OIDC_DISCOVERY_URL": provider.discovery_url, "OIDC_CLIENT_ID": provider.client_id,
                       "OIDC_CLIENT_SECRET": provider.client_secret}.items():
        monkeypatch.setitem(app.config, key, value)
    return provider


@pytest.fixture(scope="session")
def _test_ca(tmp_path_factory):
    from tests.eds_ca import Authority

    ca = Authority()
    ca.start()
    ca.bundle = tmp_path_factory.mktemp("eds") / "anchors.pem"
    ca.bundle.write_bytes(ca.pem)
    yield ca
    ca.stop()


@pytest.fixture
def eds(app, _test_ca, monkeypatch):
    """The tests' own certification authority (tests/eds_ca.py) as the only trust anchor,
    its OCSP responder and CRL answering; no OCSP answer kept from an earlier test."""
    from app.core import redis_client
    from app.eds.revocation import OCSP_KEY
    from tests.eds_ca import ResponderKnobs

    _test_ca.knobs, _test_ca.revoked, _test_ca.ocsp_requests = ResponderKnobs(), {}, 0
    monkeypatch.setitem(app.config, "EDS_TRUST_ANCHORS", str(_test_ca.bundle))
    connection = redis_client.connection(app)
    for key in connection.scan_iter(OCSP_KEY + "*"):
        connection.delete(key)
    return _test_ca


@pytest.fixture(scope="session")
def _test_gost_ca(tmp_path_factory, _test_ca):
    from tests.eds_ca import Authority, GostKey

    ca = Authority("Dauys Test Root CA (GOST)", key=GostKey(512, "nca"))
    ca.start()
    ca.bundle = tmp_path_factory.mktemp("eds-gost") / "anchors.pem"
    ca.bundle.write_bytes(_test_ca.pem + ca.pem)  # both roots, as the NCA RK's are configured
    yield ca
    ca.stop()


@pytest.fixture
def gost_eds(app, eds, _test_gost_ca, monkeypatch):
    """The tests' own GOST certification authority (a GOST R 34.10-2015 512-bit root named
    by the NCA RK's identifiers) trusted beside the RSA one, its responder answering."""
    from tests.eds_ca import ResponderKnobs

    _test_gost_ca.knobs, _test_gost_ca.revoked, _test_gost_ca.ocsp_requests = ResponderKnobs(), {}, 0
    monkeypatch.setitem(app.config, "EDS_TRUST_ANCHORS", str(_test_gost_ca.bundle))
    return _test_gost_ca


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium (.ci/run does)")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield b
        b.close()


@pytest.fixture
def live_server(app):
    """The app on a free local port, served by werkzeug in a thread; yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def answered_petition(app, clock):
    """make(title, regions, response): a petition to the Ministry of Health, whose
    threshold is the author's signature plus one per region in `regions` (signed an
    hour apart, in order), answered `after` the crossing by the ministry's official.
    `shown` names the signer (region index -> full name) who shows their name."""
    from datetime import timedelta

    from sqlalchemy import select

    from app.models import ReviewCase, Role
    from app.review import services as review
    from tests.support import make_petition, make_user, restore_threshold, set_fixed_threshold, settle, sign_as

    saved = []

    def make(title, regions, response, *, after=timedelta(hours=5), shown=None):
        body, rule = set_fixed_threshold("MIN-HEALTH", 1 + len(regions))
        saved.append((body, rule))
        petition = make_petition(body="MIN-HEALTH", signatures=1, title=title)
        for n, region in enumerate(regions):
            clock.advance(timedelta(hours=1))
            signer = make_user(f"signer{n}@example.kz", region=region)
            if shown and n in shown:
                signer.given_name, _, signer.surname = shown[n].partition(" ")
            sign_as(petition, signer, notify=False, show_name=bool(shown and n in shown))
        settle()
        case = db.session.scalar(select(ReviewCase).where(ReviewCase.petition_id == petition.id))
        clock.advance(after)
        official = make_user("official@health.kz", roles=(Role.OFFICIAL,), body="MIN-HEALTH")
        review.publish_response(official, case, response)
        db.session.commit()
        return petition

    yield make
    for body, rule in saved:
        restore_threshold(body, rule)
