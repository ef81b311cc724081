"""SQL functions SQLite lacks, registered on every SQLite connection.

`dauys_fold(text)`: Unicode case folding (SQLite's lower() folds ASCII only), so the
embedded default can search Cyrillic text case-insensitively.
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
