"""Turning an outbox row into a message and handing it to SMTP or a file."""

from __future__ import annotations

import email.policy
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from flask import current_app

from app.models import OutboxEmail

log = logging.getLogger(__name__)


def build_message(row: OutboxEmail) -> EmailMessage:
    # Lines up to 998 characters (RFC 5322), so a long List-Unsubscribe URL stays one
    # plain "<https://...>" value instead of being folded into encoded words.
    msg = EmailMessage(policy=email.policy.default.clone(max_line_length=998))
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = row.to_address
    msg["Subject"] = row.subject
    msg["Message-ID"] = row.message_id
    msg["Date"] = formatdate(row.created_at.timestamp(), localtime=False)
    msg.set_content(row.text_body)
    msg.add_alternative(row.html_body, subtype="html")
    # After the body: set_content() drops any Content-* header set before it.
    msg["Content-Language"] = row.language
    for name, value in sorted((row.headers or {}).items()):
        msg[name] = value
    return msg


def tls_context(cfg) -> ssl.SSLContext:
    """Verify the SMTP server's certificate and host name (the system's CAs, or
    SMTP_CA_FILE), unless SMTP_VERIFY_CERTIFICATE is off for a local relay."""
    context = ssl.create_default_context(cafile=cfg.get("SMTP_CA_FILE") or None)
    if not cfg.get("SMTP_VERIFY_CERTIFICATE", True):
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def send(row: OutboxEmail) -> None:
    """Deliver one message. Raises OSError / smtplib.SMTPException on failure."""
    msg = build_message(row)
    cfg = current_app.config
    if not cfg.get("SMTP_HOST"):
        _write_file(msg, row)
        return
    with smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=cfg["SMTP_TIMEOUT"]) as smtp:
        if cfg["SMTP_STARTTLS"]:
            smtp.starttls(context=tls_context(cfg))
        if cfg.get("SMTP_USERNAME"):
            smtp.login(cfg["SMTP_USERNAME"], cfg["SMTP_PASSWORD"] or "")
        smtp.send_message(msg)


def _write_file(msg: EmailMessage, row: OutboxEmail) -> None:
    directory = Path(current_app.config["MAIL_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{row.id:08d}-{row.template}.eml"
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(bytes(msg))
    tmp.replace(path)  # atomic: a reader never sees half a file
    log.info("email %s to %s written to %s", row.id, row.to_address, path)
