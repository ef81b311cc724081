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
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography.exceptions import InvalidSignature
from flask import current_app

from app.core import redis_client
from app.eds import algorithms, trust
from app.eds.errors import EdsError

log = logging.getLogger(__name__)
OCSP_KEY = "dauys:eds-ocsp:"


@dataclass(frozen=True)
class Found:
    ocsp: bytes | None = None
    crls: list[bytes] = field(default_factory=list)


MAX_ANSWER_BYTES = 20 * 1024 * 1024  # a national CRL is a few megabytes
MAX_CRL_URLS = 3


def _fetch(method: str, url: str, **kwargs) -> bytes | None:
    """The body of a 200 answer, read up to MAX_ANSWER_BYTES, or None."""
    if not url.startswith(("http://", "https://")):
        return None
    try:
        with requests.request(method, url, stream=True, timeout=current_app.config["EDS_HTTP_TIMEOUT_SECONDS"],
                              **kwargs) as response:
            if response.status_code != 200:
                return None
            body = response.raw.read(MAX_ANSWER_BYTES + 1, decode_content=True)
    except requests.RequestException as exc:
        log.warning("revocation information not fetched (%s): %s", method, type(exc).__name__)
        return None
    return body if len(body) <= MAX_ANSWER_BYTES else None


def _post(url: str, body: bytes) -> bytes | None:
    return _fetch("POST", url, data=body, headers={"Content-Type": "application/ocsp-request"})


def _get(url: str) -> bytes | None:
    return _fetch("GET", url)


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
    # CertID by SHA-1, its usual hash (RFC 6960 4.1.1; the responder names the certificate
    # by it, nothing is signed with it).
    request = asn1_ocsp.OCSPRequest({"tbs_request": {"request_list": [{"req_cert": {
        "hash_algorithm": {"algorithm": "sha1"},
        "issuer_name_hash": hashlib.sha1(cert.issuer.dump()).digest(),  # noqa: S324
        "issuer_key_hash": issuer.public_key.sha1,
        "serial_number": cert.serial_number,
    }}]}})
    answer = _post(url, request.dump())
    if not answer:
        return None
    try:
        parsed = asn1_ocsp.OCSPResponse.load(answer)
        if parsed["response_status"].native != "successful":
            return None
        responses = parsed.basic_ocsp_response["tbs_response_data"]["responses"]
        if not responses or any(one["cert_status"].name == "unknown" for one in responses):
            return None
    except (ValueError, TypeError, KeyError):
        return None
    _keep(key, answer)
    return answer


def _distribution_points(cert: asn1_x509.Certificate) -> list[str]:
    urls = []
    for point in cert.crl_distribution_points or []:
        names = point["distribution_point"]
        if names.native is None or names.name != "full_name":
            continue
        urls += [name.native for name in names.chosen if name.name == "uniform_resource_identifier"]
    return urls


def _crls(cert: asn1_x509.Certificate) -> list[bytes]:
    configured = [u.strip() for u in current_app.config["EDS_CRL_URLS"].split(",") if u.strip()]
    urls = configured or _distribution_points(cert)
    found = []
    for url in urls[:MAX_CRL_URLS]:
        body = _get(url)
        if body:
            found.append(body)
    return found


def _issued_by(cert: asn1_x509.Certificate, issuer: asn1_x509.Certificate) -> bool:
    """Whether `issuer`'s key signed `cert` (its name and signature)."""
    if cert.issuer != issuer.subject:
        return False
    try:
        algorithms.verify(issuer.public_key, cert["signature_algorithm"], cert["signature_value"].native,
                          cert["tbs_certificate"].dump())
    except (ValueError, TypeError, KeyError, InvalidSignature, algorithms.Unsupported):
        return False
    return True


def find(cert: asn1_x509.Certificate) -> Found:
    """The revocation information for `cert`: an OCSP answer, or else the CRLs that could be
    fetched (none: the validation refuses with "revocation_unknown"). Raises
    EdsError("unknown_root") when no configured certificate issued it."""
    issuer = trust.issuer_of(cert)
    if issuer is None or not _issued_by(cert, issuer):
        # Only a certificate a configured CA really issued makes us ask anyone anything: the
        # addresses in a made-up one are never fetched.
        raise EdsError("unknown_root")
    answer = _ocsp(cert, issuer)
    if answer:
        return Found(ocsp=answer)
    return Found(crls=_crls(cert))
