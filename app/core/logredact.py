"""Log records never carry the rows a database error was about.

PostgreSQL explains a failed statement in DETAIL (and sometimes CONTEXT) lines such as
`Key (email)=(aigerim@example.kz) already exists` or `Failing row contains (...)`; the
driver puts them in the exception's text, and every traceback written to a log would
copy them (names, emails, hashes). SQLAlchemy's `hide_parameters` hides the statement's
parameters but not these lines. A record factory, installed once per process, blanks
them in the message, its arguments and the formatted traceback of every record from
every logger (the web app's, RQ's, Alembic's), whatever handler writes it.
"""

from __future__ import annotations

import logging
import re

# From the label to the next line that starts another part of the message ("[SQL: ...]",
# "(Background on ...", another LABEL:), or the end: a row's text may hold newlines.
_DETAIL = re.compile(r"^(DETAIL|CONTEXT|HINT):.*?(?=\n\[SQL|\n\(Background|\n[A-Z]+:|\Z)",
                     re.MULTILINE | re.DOTALL)
HIDDEN = r"\1: [hidden: it may contain row data]"


def scrub(text: str) -> str:
    return _DETAIL.sub(HIDDEN, text)


def install() -> None:
    factory = logging.getLogRecordFactory()
    if getattr(factory, "dauys_redacts", False):
        return

    def make_record(*args, **kwargs) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        if isinstance(record.msg, BaseException):
            record.msg = scrub(str(record.msg))
        elif isinstance(record.msg, str) and "DETAIL:" in record.msg:
            record.msg = scrub(record.msg)
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(scrub(a) if isinstance(a, str) else
                                scrub(str(a)) if isinstance(a, Exception) else a for a in record.args)
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
        return record

    make_record.dauys_redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make_record)
