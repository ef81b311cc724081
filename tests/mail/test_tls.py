"""STARTTLS verifies the SMTP server's certificate: a self-signed one is refused (the
email stays in the outbox, nothing is sent in the clear), accepted when its CA is named
(SMTP_CA_FILE) or when verification is explicitly off for a local relay."""

import ssl
import subprocess

import pytest
from aiosmtpd.controller import Controller

from app.core.jobs import worker
from app.mail import transport
from app.models import OutboxStatus
from tests.mail.test_delivery import queue_some, statuses
from tests.support import RecordingHandler, free_port


@pytest.fixture
def tls_server(app, monkeypatch, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True)
    controller.start()
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", port)
    monkeypatch.setitem(app.config, "SMTP_STARTTLS", True)
    monkeypatch.setitem(app.config, "SMTP_TIMEOUT", 10)
    handler.cert = str(cert)
    yield handler
    controller.stop()


def test_a_self_signed_certificate_is_refused_and_the_email_waits(app, tls_server):
    queue_some(1)
    worker.drain(app)
    assert tls_server.messages == []
    assert statuses() == {OutboxStatus.PENDING: 1}  # to be tried again, never sent in the clear


def test_the_named_ca_is_trusted(app, tls_server, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_CA_FILE", tls_server.cert)
    queue_some(1, language="ru")
    worker.drain(app)
    [message] = tls_server.messages
    assert message["Subject"] == "Сброс пароля Dauys"
    assert statuses() == {OutboxStatus.SENT: 1}


def test_verification_off_for_a_local_relay(app, tls_server, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_VERIFY_CERTIFICATE", False)
    queue_some(1)
    worker.drain(app)
    assert len(tls_server.messages) == 1


def test_the_context_verifies_by_default(app):
    context = transport.tls_context(app.config)
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
