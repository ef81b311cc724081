"""The chaos lane (DAUYS_CHAOS=1, run by .ci/run on its own): the application on a
PostgreSQL server and a Redis server of the lane's own, which the tests stop and start."""

from __future__ import annotations

import pytest

from app import create_app
from app.extensions import db
from tests.chaos.services import PrivatePostgres, PrivateRedis
from tests.conftest import FreshContextClient, empty_tables, migrate_and_seed


@pytest.fixture(scope="session")
def servers():
    postgres, redis_server = PrivatePostgres(), PrivateRedis()
    postgres.start()
    redis_server.start()
    yield postgres, redis_server
    postgres.close()
    redis_server.close()


@pytest.fixture(scope="session")
def page_cache_server():
    """The page cache's Redis, apart from the one of jobs and limits (as in production)."""
    server = PrivateRedis("--maxmemory", "32mb", "--maxmemory-policy", "allkeys-lru")
    server.start()
    yield server
    server.close()


@pytest.fixture(scope="session")
def chaos_app(servers, page_cache_server, tmp_path_factory):
    postgres, redis_server = servers
    instance = tmp_path_factory.mktemp("chaos")
    application = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=postgres.url,
        REDIS_URL=redis_server.url,
        PAGE_CACHE_REDIS_URL=page_cache_server.url,
        MAIL_DIR=str(instance / "mail"),
        PUBLIC_BASE_URL="http://localhost",
        PAGE_CACHE=True,
    )
    application.test_client_class = FreshContextClient
    migrate_and_seed(application)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_state(servers, page_cache_server, chaos_app):
    """Both servers running, an empty Redis, the reference data only (replaces the main
    suite's fixture: this lane never touches its database)."""
    postgres, redis_server = servers
    if not postgres.running():
        postgres.start()
    for server in (redis_server, page_cache_server):
        if server.process is None:
            server.start()
    from app.core import redis_client

    ctx = chaos_app.app_context()
    ctx.push()
    redis_client.connection(chaos_app).flushdb()
    redis_client.page_cache(chaos_app).flushdb()
    yield
    db.session.remove()
    if not postgres.running():
        postgres.start()
    db.engine.dispose()
    empty_tables()
    ctx.pop()
