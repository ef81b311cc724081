"""The trust anchors (the NCA RK's RSA and GOST roots) and intermediate certificates, read
from the PEM bundles that the configuration names (EDS_TRUST_ANCHORS, EDS_INTERMEDIATES)."""

from __future__ import annotations

from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from flask import current_app


def _read(path: str) -> list[asn1_x509.Certificate]:
    """The certificates of a PEM bundle, read again only when the file changes."""
    if not path:
        return []
    file = Path(path)
    stamp = (str(file), file.stat().st_mtime_ns)
    cache = current_app.extensions.setdefault("dauys.eds_bundles", {})
    if cache.get(path, (None,))[0] != stamp:
        certs = [asn1_x509.Certificate.load(der) for _kind, _headers, der in pem.unarmor(file.read_bytes(),
                                                                                          multiple=True)]
        cache[path] = (stamp, certs)
    return list(cache[path][1])


def enabled() -> bool:
    return bool(current_app.config["EDS_TRUST_ANCHORS"])


def anchors() -> list[asn1_x509.Certificate]:
    return _read(current_app.config["EDS_TRUST_ANCHORS"])


def intermediates() -> list[asn1_x509.Certificate]:
    return _read(current_app.config["EDS_INTERMEDIATES"])


def issuer_of(cert: asn1_x509.Certificate) -> asn1_x509.Certificate | None:
    """The anchor or intermediate whose subject issued `cert` (by name and, when both say
    it, key identifier)."""
    for candidate in intermediates() + anchors():
        if candidate.subject != cert.issuer:
            continue
        if cert.authority_key_identifier and candidate.key_identifier and (
                cert.authority_key_identifier != candidate.key_identifier):
            continue
        return candidate
    return None
