"""The statement a signer signs with their EDS: which petition (its number, its address,
its title and a SHA-256 of its text as published), to whom it is addressed, who signs,
the date, and a single-use nonce that binds it to this account and this petition and
expires after EDS_STATEMENT_SECONDS.

The server keeps nothing when it issues one: the nonce is a token signed with the
server's key (its own salt), and the statement is built again from the petition, the
account and the nonce when the signature comes back; any other text is refused. The
nonce is spent when the signature's evidence is written (signature_evidence.nonce_hash).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner

from app.core import clock
from app.eds.errors import EdsError
from app.models import Petition, User
from app.web.requests import share_url

SALT = "dauys.eds-statement"
FORMAT = "Dauys petition signature, version 1"


class _ClockSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(clock.timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT, signer=_ClockSigner)


def text_digest(petition: Petition) -> str:
    """SHA-256 of the petition's text as published: title, summary and details, each
    followed by a blank line, in UTF-8."""
    published = f"{petition.title}\n\n{petition.summary}\n\n{petition.details}"
    return hashlib.sha256(published.encode()).hexdigest()


@dataclass(frozen=True)
class Statement:
    text: str
    nonce: str

    @property
    def nonce_hash(self) -> bytes:
        return hashlib.sha256(self.nonce.encode()).digest()


def _build(petition: Petition, user: User, nonce: str, issued_at: datetime) -> Statement:
    until = issued_at + timedelta(seconds=current_app.config["EDS_STATEMENT_SECONDS"])
    body = petition.body
    lines = [
        FORMAT,
        f"I, {user.full_name}, sign this petition.",
        f"Petition number: {petition.id}",
        f"Petition address: {share_url('petitions.show', petition_id=petition.id)}",
        f"Title: {petition.title}",
        f"Text SHA-256: {text_digest(petition)}",
        f"Addressed to: {body.name('kk')} / {body.name('ru')}",
        f"Signer: {user.full_name}",
        f"Date: {clock.local_date(issued_at).isoformat()}",
        f"Nonce: {nonce}",
        f"Valid until: {until.isoformat(timespec='seconds')}",
    ]
    return Statement(text="\n".join(lines) + "\n", nonce=nonce)


def issue(petition: Petition, user: User) -> Statement:
    serializer = _serializer()
    nonce = serializer.dumps({"u": user.id, "p": petition.id, "r": secrets.token_hex(8)})
    _data, issued_at = serializer.loads(nonce, return_timestamp=True)  # the second the token says
    return _build(petition, user, nonce, issued_at)


def _nonce_of(text: str) -> str:
    for line in text.splitlines():
        if line.startswith("Nonce: "):
            return line.removeprefix("Nonce: ").strip()
    return ""


def nonce_hash_of(text: str) -> bytes:
    """The hash a statement's nonce is spent under (whatever the rest of the text says)."""
    return hashlib.sha256(_nonce_of(text).encode()).digest()


def check(text: str, petition: Petition, user: User) -> Statement:
    """The statement issued to `user` for `petition` whose text this is. Raises EdsError:
    "statement_invalid" (no nonce of ours, or one for another account or petition),
    "statement_expired", "content" (the text is not the one issued)."""
    nonce = _nonce_of(text)
    try:
        data, issued = _serializer().loads(nonce, max_age=current_app.config["EDS_STATEMENT_SECONDS"],
                                           return_timestamp=True)
    except SignatureExpired:
        raise EdsError("statement_expired") from None
    except BadSignature:
        raise EdsError("statement_invalid") from None
    if not isinstance(data, dict) or data.get("u") != user.id or data.get("p") != petition.id:
        raise EdsError("statement_invalid")
    statement = _build(petition, user, nonce, issued)
    if statement.text != text:
        raise EdsError("content")
    return statement
