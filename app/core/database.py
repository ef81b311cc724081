"""Who owns a transaction, and the one way out of it.

- A web request owns its transaction (app.web.transaction): it commits once when the
  answer is below 400 and rolls back otherwise.
- A job or a CLI command owns its transaction through `unit_of_work()`: commit when
  the block ends, roll back when it raises.
- A write that must survive the rollback of the transaction around it (a second-factor
  code spent, a wrong code counted, a session that timed out) goes through
  `write_now()`, in a transaction of its own.

Services never commit or roll back; they flush.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from app.extensions import db


def write_now(statement):
    """Run `statement` in a transaction of its own, committed at once: it stays written
    whatever happens to the caller's transaction. Returns its row count, or, for a
    statement with a RETURNING clause, the first value it returned (None for no row)."""
    with db.engine.begin() as connection:
        result = connection.execute(statement)
        return result.scalar() if result.returns_rows else result.rowcount


@contextmanager
def unit_of_work() -> Iterator[None]:
    """A job's or a command's transaction: commits when the block ends, rolls back (and
    re-raises) when it or the commit raises."""
    try:
        yield
        db.session.commit()
    except BaseException:
        # The block's failure, or the COMMIT's own (the database went away): either way
        # the session starts clean for the next unit (a job's retry, the loop's next item).
        db.session.rollback()
        raise
