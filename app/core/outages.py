"""Whether an error means "the database cannot be reached now" (a server down or
restarting, a connection cut, the pool exhausted), as opposed to a bug or a query of
ours that failed. The web answers the first with 503 and Retry-After; a job keeps
trying for a while where giving up would repeat work (app.mail.jobs)."""

from __future__ import annotations

import sqlite3

import psycopg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# SQLSTATEs of a lost or refused connection: class 08 (connection exception), the server
# shutting down or starting (57P01-57P03), too many connections (53300).
_UNREACHABLE_STATES = ("57P01", "57P02", "57P03", "53300")
# SQLite's transient failures (its OperationalError also means "no such table", a bug).
_SQLITE_TRANSIENT = ("database is locked", "unable to open database", "disk i/o error")


def database_unavailable(exc: BaseException) -> bool:
    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    if isinstance(orig, psycopg.InterfaceError):
        return True
    if isinstance(orig, psycopg.OperationalError):
        state = orig.sqlstate
        return state is None or state.startswith("08") or state in _UNREACHABLE_STATES
    return isinstance(orig, sqlite3.OperationalError) and str(orig).lower().startswith(_SQLITE_TRANSIENT)
