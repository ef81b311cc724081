"""Log records never carry the rows a database error was about (app.core.logredact)."""

from app.extensions import db
from app.models import User
from tests.support import make_user, postgres_only


def test_database_error_details_never_reach_the_log(caplog):
    """What PostgreSQL says about a failed row (DETAIL, CONTEXT) is blanked in every log
    record, in the message and in the traceback."""
    import logging

    from app.core.logredact import install

    install()
    caplog.set_level(logging.INFO)
    detail = ('duplicate key value violates unique constraint "uq_users_email"\n'
              "DETAIL:  Key (email)=(secret.person@example.kz) already exists.")
    try:
        raise RuntimeError(detail)
    except RuntimeError as exc:
        logging.getLogger("app.web.errors").exception("unhandled error on POST /kk/register")
        logging.getLogger("rq.worker").error("job failed: %s", exc)
    assert "secret.person@example.kz" not in caplog.text
    assert 'uq_users_email' in caplog.text  # the constraint's name stays: it says what went wrong


def test_a_real_postgresql_unique_violation_is_logged_without_the_row(app, caplog):
    postgres_only(app)
    import logging

    from sqlalchemy.exc import IntegrityError

    make_user("dup@example.kz")
    caplog.set_level(logging.INFO)
    try:
        db.session.add(User(email="dup@example.kz", given_name="Copy", surname="Cat", password_hash="x", language="kk"))
        db.session.flush()
    except IntegrityError:
        logging.getLogger("app.web.errors").exception("unhandled error")
        db.session.rollback()
    assert "uq_users_email" in caplog.text and "dup@example.kz" not in caplog.text


def test_log_redaction_covers_exceptions_as_messages_and_multi_line_rows(caplog):
    import logging

    from app.core.logredact import install

    install()
    caplog.set_level(logging.INFO)
    error = RuntimeError("new row violates check constraint\nDETAIL:  Failing row contains (7, Aigerim\n"
                         "Serikova, hidden.person@example.kz).\n[SQL: INSERT INTO users ...]")
    logging.getLogger("rq.worker").error(error)
    assert "hidden.person@example.kz" not in caplog.text and "Serikova" not in caplog.text
    assert "[SQL: INSERT INTO users" in caplog.text

