"""Fixtures in the style of Flask's tutorial: app, client, runner, auth, plus the real
services the code uses: a database migrated from empty (SQLite file by default,
PostgreSQL when TEST_DATABASE_URL is set), Redis (embedded unless TEST_REDIS_URL is
set), an SMTP server (aiosmtpd) and a mail directory.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient

from app import create_app, queue
from app.extensions import db
from app.models import Base
from tests.support import AuthActions, Mailbox, RecordingHandler, free_port

KEEP_TABLES = {"regions", "state_bodies", "alembic_version"}


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
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


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
    with application.app_context():
        from flask_migrate import upgrade

        upgrade()
        from app.reference.seed import seed_reference

        seed_reference()
        db.session.commit()
    yield application
    with application.app_context():
        db.engine.dispose()
    queue.shutdown_embedded()


@pytest.fixture(autouse=True)
def _clean_state(request, app):
    """Every test starts with the reference data only, an empty Redis, no mail."""
    if "app" not in request.fixturenames and "client" not in request.fixturenames:
        # Pure unit tests never touch the services.
        yield
        return
    ctx = app.app_context()
    ctx.push()
    queue.connection(app).flushdb()
    mail_dir = Path(app.config["MAIL_DIR"])
    mail_dir.mkdir(parents=True, exist_ok=True)
    for f in mail_dir.glob("*"):
        f.unlink()
    yield
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in KEEP_TABLES:
                conn.execute(table.delete())
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
