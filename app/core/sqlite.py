"""SQLite made to behave as the application expects of its database, on every SQLite
connection:

- `dauys_fold(text)`: Unicode case folding (SQLite's lower() folds ASCII only), so the
  embedded default can search Cyrillic text case-insensitively.
- A savepoint opens the transaction first. Python's sqlite3 driver begins a transaction
  only before an INSERT, UPDATE or DELETE; a SAVEPOINT issued before any of them starts
  a transaction of its own, which its RELEASE commits for good, so a request refused
  after it could not undo the write. PostgreSQL has no such gap.
"""

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

_registered = False


def _fold(value):
    return value.casefold() if isinstance(value, str) else value


def register() -> None:
    global _registered
    if _registered:
        return
    _registered = True

    @event.listens_for(Engine, "connect")
    def _on_connect(dbapi_connection, _record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.create_function("dauys_fold", 1, _fold, deterministic=True)

    @event.listens_for(Engine, "savepoint")
    def _begin_before_savepoint(connection, _name):
        dbapi_connection = connection.connection.dbapi_connection
        if isinstance(dbapi_connection, sqlite3.Connection) and not dbapi_connection.in_transaction:
            dbapi_connection.execute("BEGIN")
