"""What counts as "the database is unavailable" (#14): the answer is then 503 with
Retry-After, never 500; a bug stays a 500. The outages themselves are the chaos lane's
(tests/chaos), on servers it stops and starts."""

import sqlite3

import psycopg
import pytest
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.core.outages import database_unavailable


@pytest.mark.parametrize(("error", "unavailable"), [
    (OperationalError("SELECT 1", {}, psycopg.OperationalError("connection refused")), True),
    (OperationalError("SELECT 1", {}, psycopg.errors.AdminShutdown("terminating connection")), True),
    (OperationalError("SELECT 1", {}, psycopg.errors.TooManyConnections("too many clients")), True),
    # Our own failures stay errors (a 500, logged with their traceback).
    (OperationalError("SELECT 1", {}, psycopg.errors.QueryCanceled("statement timeout")), False),
    (OperationalError("SELECT 1", {}, psycopg.errors.ProgramLimitExceeded("index row too large")), False),
    (OperationalError("SELECT 1", {}, psycopg.errors.LockNotAvailable("lock timeout")), False),
    (DBAPIError("SELECT 1", {}, psycopg.InterfaceError("the connection is closed"), connection_invalidated=True),
     True),
    (PoolTimeout("QueuePool limit reached"), True),
    (OperationalError("SELECT 1", {}, sqlite3.OperationalError("database is locked")), True),
    (OperationalError("SELECT 1", {}, sqlite3.OperationalError("no such table: users")), False),
    (ProgrammingError("SELECT 1", {}, psycopg.errors.UndefinedTable("relation does not exist")), False),
    (ValueError("not a database error"), False),
])
def test_which_errors_mean_the_database_is_unavailable(error, unavailable):
    assert database_unavailable(error) is unavailable


def test_a_bad_retry_setting_stops_the_start(tmp_path):
    from app import ConfigError, create_app

    with pytest.raises(ConfigError, match="JOB_RETRY_INTERVALS"):
        create_app("testing", JOB_RETRY_INTERVALS="15,soon", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/x.db",
                   EMBEDDED_REDIS_PATH=str(tmp_path / "r.db"))
