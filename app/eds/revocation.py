"""Whether a certificate is revoked: an OCSP answer from the configured responder (or the
one the certificate names), kept in Redis per certificate for EDS_OCSP_CACHE_SECONDS; when
no OCSP answer can be had, the CRLs (configured, or the certificate's distribution
points). What is found is handed to the path validation (app.eds.verify), which checks
its signature and freshness; the OCSP answer is kept with the signature."""

from __future__ import annotations

import contextlib
import hashlib
import logging
from dataclasses import dataclass, field

import redis
import requests
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from flask import current_app

from app.core import redis_client
from app.eds import trust
from app.eds.errors import EdsError

log = logging.getLogger(__name__)
OCSP_KEY = "dauys:eds-ocsp:"


@dataclass(frozen=True)
class Found:
    ocsp: bytes | None = None
    crls: list[bytes] = field(default_factory=list)


def _post(url: str, body: bytes) -> bytes | None:
    try:
        response = requests.post(url, data=body, headers={"Content-Type": "application/ocsp-request"},
                                 timeout=current_app.config["EDS_HTTP_TIMEOUT_SECONDS"])
    except requests.RequestException as exc:
        log.warning("OCSP responder did not answer: %s", type(exc).__name__)
        return None
    return response.content if response.status_code == 200 else None


def _get(url: str) -> bytes | None:
    try:
        response = requests.get(url, timeout=current_app.config["EDS_HTTP_TIMEOUT_SECONDS"])
    except requests.RequestException as exc:
        log.warning("CRL not fetched: %s", type(exc).__name__)
        return None
    return response.content if response.status_code == 200 else None


def _cached(key: str) -> bytes | None:
    try:
        return redis_client.connection().get(key)
    except redis.RedisError:
        return None


def _keep(key: str, value: bytes) -> None:
    with contextlib.suppress(redis.RedisError):
        redis_client.connection().set(key, value, ex=max(1, current_app.config["EDS_OCSP_CACHE_SECONDS"]))


def _ocsp(cert: asn1_x509.Certificate, issuer: asn1_x509.Certificate) -> bytes | None:
    key = OCSP_KEY + hashlib.sha256(cert.dump()).hexdigest()
    kept = _cached(key)
    if kept:
        return kept
    url = current_app.config["EDS_OCSP_URL"] or next(iter(cert.ocsp_urls), None)
    if not url:
        return None
    request = ocsp.OCSPRequestBuilder().add_certificate(
        x509.load_der_x509_certificate(cert.dump()), x509.load_der_x509_certificate(issuer.dump()), hashes.SHA1(),  # noqa: S303 (CertID's usual hash, RFC 6960)
    ).build()
    answer = _post(url, request.public_bytes(serialization.Encoding.DER))
    if not answer:
        return None
    try:
        parsed = ocsp.load_der_ocsp_response(answer)
    except ValueError:
        return None
    if parsed.response_status is not ocsp.OCSPResponseStatus.SUCCESSFUL:
        return None
    if parsed.certificate_status is ocsp.OCSPCertStatus.UNKNOWN:
        return None
    _keep(key, answer)
    return answer


def _crls(cert: asn1_x509.Certificate) -> list[bytes]:
    configured = [u.strip() for u in current_app.config["EDS_CRL_URLS"].split(",") if u.strip()]
    urls = configured or list(cert.crl_distribution_points and [
        name.native for point in cert.crl_distribution_points for name in point["distribution_point"].chosen
        if name.name == "uniform_resource_identifier"] or [])
    found = []
    for url in urls:
        body = _get(url)
        if body:
            found.append(body)
    return found


def find(cert: asn1_x509.Certificate) -> Found:
    """The revocation information for `cert`: an OCSP answer, or else the CRLs that could be
    fetched (none: the validation refuses with "revocation_unknown"). Raises
    EdsError("unknown_root") when no configured certificate issued it."""
    issuer = trust.issuer_of(cert)
    if issuer is None:
        raise EdsError("unknown_root")
    answer = _ocsp(cert, issuer)
    if answer:
        return Found(ocsp=answer)
    return Found(crls=_crls(cert))
