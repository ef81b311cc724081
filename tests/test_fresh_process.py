"""A fresh gunicorn process answers its very first requests.

Nothing in the test process may have done the app's work for it: the server is a
process of its own, started against the test database, and the pages that read a
petition's review case (a relationship of two models) are its first requests.
"""

from __future__ import annotations

import http.client
import os
import subprocess
from pathlib import Path

import pytest

from tests.support import free_port, make_petition, wait_for

ROOT = Path(__file__).resolve().parents[1]


def _get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _listening(port: int) -> bool:
    import socket

    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.slow
@pytest.mark.parametrize("path", ["/kk/petitions", "/api/v1/petitions", "/kk/petitions/export.csv"])
def test_the_first_request_of_a_fresh_server_answers(app, tmp_path, path):
    make_petition(title="Саябақ салу: ауылда жаңа саябақ керек")
    port = free_port()
    env = dict(os.environ, DAUYS_CONFIG="testing", TEST_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               TEST_REDIS_URL=app.config["REDIS_URL_RESOLVED"], MAIL_DIR=str(tmp_path / "mail"))
    log = tmp_path / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        assert wait_for(lambda: _listening(port) or server.poll() is not None, timeout=60)
        assert server.poll() is None, log.read_text()
        status = _get(port, path)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert status == 200, log.read_text()
