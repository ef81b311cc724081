"""The evidence of an EDS signature sealed at rest: AES-256-GCM with a key of its own
(EDS_EVIDENCE_KEY, not SECRET_KEY), so a database dump holds no CMS, and so no
certificate with its raw IIN, in clear. A sealed value names its key by a short
fingerprint: keys listed in EDS_EVIDENCE_OLD_KEYS still open what they sealed."""

from __future__ import annotations

import base64
import hashlib
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

VERSION = b"E1"


class EvidenceKeyError(Exception):
    """No configured key opens this value (or it was altered)."""


def _key(text: str) -> bytes:
    raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    if len(raw) != 32:
        raise ValueError("an evidence key is 32 bytes in URL-safe base64")
    return raw


def _keys() -> dict[bytes, bytes]:
    texts = [current_app.config["EDS_EVIDENCE_KEY"], *current_app.config["EDS_EVIDENCE_OLD_KEYS"].split(",")]
    keys = [_key(t) for t in texts if t.strip()]
    return {hashlib.sha256(k).digest()[:4]: k for k in keys}


def seal(evidence: dict[str, bytes | str | None]) -> bytes:
    """Values are bytes (kept as base64) or text."""
    key = _key(current_app.config["EDS_EVIDENCE_KEY"])
    plain = json.dumps({name: ({"b64": base64.b64encode(v).decode()} if isinstance(v, bytes) else v)
                        for name, v in evidence.items()}).encode()
    nonce = os.urandom(12)
    key_id = hashlib.sha256(key).digest()[:4]
    return VERSION + key_id + nonce + AESGCM(key).encrypt(nonce, plain, VERSION + key_id)


def open_sealed(sealed: bytes) -> dict[str, bytes | str | None]:
    """Raises EvidenceKeyError."""
    version, key_id, nonce, body = sealed[:2], sealed[2:6], sealed[6:18], sealed[18:]
    key = _keys().get(key_id)
    if version != VERSION or key is None:
        raise EvidenceKeyError("no configured evidence key opens this value")
    try:
        plain = AESGCM(key).decrypt(nonce, body, version + key_id)
    except InvalidTag:
        raise EvidenceKeyError("the sealed evidence was altered") from None
    return {name: (base64.b64decode(v["b64"]) if isinstance(v, dict) else v) for name, v in json.loads(plain).items()}
