"""The raw IIN is never stored or logged: register people through the site with
every log turned up, then search the whole database and the logs for their IINs."""

import logging
import shutil
import subprocess
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from tests.support import post, valid_iin


def database_dump(app) -> str:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        blobs = [p.read_bytes() for p in path.parent.glob(path.name + "*")]
        return "\n".join(b.decode("latin-1") for b in blobs)
    if shutil.which("pg_dump"):
        plain = sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        return subprocess.run(["pg_dump", "--data-only", plain], capture_output=True, text=True, check=True).stdout
    # Without pg_dump, read every row of every table.
    out = []
    with db.engine.connect() as conn:
        for table in sa.inspect(conn).get_table_names():
            out += [repr(tuple(r)) for r in conn.execute(sa.text(f'SELECT * FROM "{table}"'))]  # noqa: S608
    return "\n".join(out)


def test_no_raw_iin_in_database_or_logs(app, client, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # statements and parameters
    iins = []
    try:
        for n in range(3):
            iin = valid_iin(date(1980 + n, 1 + n, 10 + n))
            iins.append(iin)
            browser = app.test_client()
            response = post(browser, "/register", {
                "given_name": "Person", "surname": "Number", "email": f"person{n}@example.kz",
                "password": "steppe-wind-2026", "confirm": "steppe-wind-2026",
                "region": "KZ-71", "iin": iin, "consent": "y"}, token_from="/register")
            assert response.status_code == 200
        # A duplicate makes no account (and says so only by email), and is not logged either.
        dup = post(app.test_client(), "/register", {
            "given_name": "Copy", "surname": "Cat", "email": "copy@example.kz", "password": "steppe-wind-2026",
            "confirm": "steppe-wind-2026", "region": "KZ-71", "iin": iins[0], "consent": "y"}, token_from="/register")
        assert dup.status_code == 200
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    db.session.commit()
    dump = database_dump(app)
    assert "person0@example.kz" in dump  # the dump really contains the users
    for iin in iins:
        assert iin not in dump
        assert iin not in caplog.text
