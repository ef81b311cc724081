"""Verifying a signature made with an electronic digital signature (EDS): a CMS (CAdES)
SignedData over exactly the statement the server issued, by a certificate that chains to a
configured trust anchor (the NCA RK's roots), valid now, fit for signing, and not revoked.

The signature itself (the signed attributes, the message digest over the content) is
checked here; the certificate path, its validity and key usage by pyhanko-certvalidator,
given the revocation information fetched here (app.eds.revocation: OCSP first, then a
CRL), so that the OCSP answer can be kept with the signature as its time-mark. A refusal
raises EdsError with its own code; nothing here writes anything.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import cms
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from flask import current_app
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    DisallowedAlgorithmError,
    ExpiredError,
    InsufficientRevinfoError,
    InvalidCertificateError,
    NotYetValidError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
)
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy, RevocationCheckingRule

from app.core import clock
from app.eds import algorithms, revocation, trust
from app.eds.errors import EdsError

# The IIN in a certificate subject's SERIALNUMBER, as the NCA RK writes it.
IIN_IN_SUBJECT = re.compile(r"^IIN(\d{12})$")
_MAX_CMS_BYTES = 64 * 1024


@dataclass(frozen=True)
class VerifiedSignature:
    """What a valid EDS signature proves. `iin` is the raw number from the certificate:
    the caller turns it into the identity seam's keyed hash and drops it."""

    iin: str
    surname: str
    given_name: str  # the NCA RK writes the patronymic here
    algorithm: str  # "rsa-sha256", "gost2015-512", ...
    signing_time: datetime
    certificate: bytes  # DER
    ocsp_response: bytes | None  # DER: the time-mark kept with the signature
    crl_checked: bool  # the answer came from a CRL (the OCSP responder did not answer)
    common_name: str = ""  # "SURNAME GIVEN" as the NCA RK writes it


def _load(cms_der: bytes) -> tuple[cms.SignedData, cms.SignerInfo, asn1_x509.Certificate]:
    if not cms_der or len(cms_der) > _MAX_CMS_BYTES:
        raise EdsError("malformed")
    try:
        info = cms.ContentInfo.load(cms_der, strict=True)
        if info["content_type"].native != "signed_data":
            raise EdsError("malformed")
        signed = info["content"]
        signers = list(signed["signer_infos"])
        certificates = [c.chosen for c in (signed["certificates"] or []) if c.name == "certificate"]
        if len(signers) != 1 or not certificates:
            raise EdsError("malformed")
        signer = signers[0]
        sid = signer["sid"]
        for cert in certificates:
            if sid.name == "issuer_and_serial_number" and (
                    cert.issuer == sid.chosen["issuer"] and cert.serial_number == sid.chosen["serial_number"].native):
                return signed, signer, cert
            if sid.name == "subject_key_identifier" and cert.key_identifier == sid.chosen.native:
                return signed, signer, cert
    except (ValueError, TypeError, KeyError):
        raise EdsError("malformed") from None
    raise EdsError("malformed")


def _attribute(signer: cms.SignerInfo, name: str):
    attrs = signer["signed_attrs"]
    values = [a["values"] for a in attrs if a["type"].native == name] if attrs else []
    if len(values) != 1 or len(values[0]) != 1:
        raise EdsError("malformed")
    return values[0][0]


def _check_content(signed: cms.SignedData, signer: cms.SignerInfo, statement: bytes) -> algorithms.Digest:
    """The content is the statement (inside the CMS, or detached and given), and the signed
    message digest is its digest. Returns the digest algorithm."""
    inside = signed["encap_content_info"]["content"]
    if inside.native is not None and inside.native != statement:
        raise EdsError("content")
    try:
        digest = algorithms.digest_of(signer["digest_algorithm"])
    except algorithms.Unsupported:
        raise EdsError("algorithm") from None
    if _attribute(signer, "content_type").native != "data":
        raise EdsError("malformed")
    if _attribute(signer, "message_digest").native != digest.of(statement):
        raise EdsError("content")
    return digest


def _check_signature(signer: cms.SignerInfo, cert: asn1_x509.Certificate, digest: algorithms.Digest) -> str:
    """The signature over the signed attributes (DER as a SET, RFC 5652 5.4). Returns the
    algorithm as we name it ("rsa-sha256", "gost2015-512")."""
    signed_attrs = signer["signed_attrs"].dump()
    to_verify = b"\x31" + signed_attrs[1:]
    try:
        return algorithms.verify(cert.public_key, signer["signature_algorithm"], signer["signature"].native,
                                 to_verify, digest)
    except algorithms.Unsupported:
        raise EdsError("algorithm") from None
    except InvalidSignature:
        raise EdsError("bad_signature") from None


def _subject(cert: asn1_x509.Certificate) -> tuple[str, str, str, str]:
    subject = cert.subject.native
    match = IIN_IN_SUBJECT.match(str(subject.get("serial_number", "")))
    if not match:
        raise EdsError("no_iin")
    return (match.group(1), str(subject.get("surname", "")), str(subject.get("given_name", "")),
            str(subject.get("common_name", "")))


# What the path validation's failures tell the signer, the more particular first.
_PATH_REFUSALS = (
    (RevokedError, "revoked"),
    ((ExpiredError, NotYetValidError), "expired"),
    (InsufficientRevinfoError, "revocation_unknown"),
    (DisallowedAlgorithmError, "algorithm"),
    (InvalidCertificateError, "not_for_signing"),
    ((PathBuildingError, PathValidationError), "unknown_root"),
)


def _run(coroutine):
    """Run the validator's coroutine to its end from synchronous code: here, or on a
    thread of its own where this thread already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _check_path(cert: asn1_x509.Certificate, signed: cms.SignedData, revinfo: revocation.Found, *,
                anchors: list, intermediates: list, moment: datetime, revocation_required: bool = True) -> None:
    others = [c.chosen for c in (signed["certificates"] or []) if c.name == "certificate" and c.chosen != cert]
    policy = CertRevTrustPolicy(RevocationCheckingPolicy(
        ee_certificate_rule=(RevocationCheckingRule.CRL_OR_OCSP_REQUIRED if revocation_required
                             else RevocationCheckingRule.NO_CHECK),
        # An intermediate CA's status is checked when information about it is at hand (the
        # NCA RK revokes people's certificates, rarely its own issuing CAs).
        intermediate_ca_cert_rule=RevocationCheckingRule.CHECK_IF_DECLARED_SOFT,
    ))
    context = ValidationContext(
        trust_roots=anchors, other_certs=intermediates + others, moment=moment,
        allow_fetching=False, ocsps=[revinfo.ocsp] if revinfo.ocsp else [], crls=revinfo.crls,
        revinfo_policy=policy, signature_validator=algorithms.Validator(),
    )
    validator = CertificateValidator(cert, validation_context=context)
    try:
        _run(validator.async_validate_usage({"non_repudiation"}))
    except (PathValidationError, PathBuildingError, InvalidCertificateError) as exc:
        raise EdsError(next(code for kinds, code in _PATH_REFUSALS if isinstance(exc, kinds))) from None


class _Unreadable:
    """Anything a crafted CMS or certificate makes the parsers raise is a refusal."""

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, _tb):
        if kind is not None and issubclass(kind, (ValueError, TypeError, KeyError, IndexError, AttributeError,
                                                  UnsupportedAlgorithm, OverflowError)):
            raise EdsError("malformed") from None
        return False


def verify(cms_der: bytes, statement: bytes) -> VerifiedSignature:
    """Verify an EDS signature of `statement`. Raises EdsError: "malformed", "content"
    (not this statement), "algorithm", "bad_signature", "no_iin", "unknown_root",
    "expired", "not_for_signing", "revoked", "revocation_unknown" (neither the OCSP
    responder nor a CRL answered)."""
    with _Unreadable():
        signed, signer, cert = _load(cms_der)
        digest = _check_content(signed, signer, statement)
        algorithm = _check_signature(signer, cert, digest)
        iin, surname, given_name, common_name = _subject(cert)
    signing_time = clock.now()  # when we checked it: the signer's own signingTime is theirs to set
    revinfo = revocation.find(cert)
    with _Unreadable():
        _check_path(cert, signed, revinfo, anchors=trust.anchors(), intermediates=trust.intermediates(),
                    moment=clock.now())
    current_app.logger.info("EDS signature verified (%s, revocation by %s)", algorithm,
                            "OCSP" if revinfo.ocsp else "CRL")
    return VerifiedSignature(iin=iin, surname=surname, given_name=given_name, algorithm=algorithm,
                             signing_time=signing_time, certificate=cert.dump(), ocsp_response=revinfo.ocsp,
                             crl_checked=revinfo.ocsp is None, common_name=common_name)


def signed_by(cms_der: bytes, content: bytes) -> asn1_x509.Certificate:
    """The certificate whose key signed exactly `content` (a CMS, detached or not): no path,
    no IIN, no revocation: the caller decides whether to trust that certificate. Raises
    EdsError ("malformed", "content", "algorithm", "bad_signature")."""
    with _Unreadable():
        signed, signer, cert = _load(cms_der)
        _check_signature(signer, cert, _check_content(signed, signer, content))
    return cert


def verify_offline(cms_der: bytes, statement: bytes, *, anchors: list, ocsp: bytes | None,
                   signed_at: datetime) -> VerifiedSignature:
    """Verify kept evidence without the network or the database: the CMS over the
    statement, the certificate path to `anchors` as it was when the signature was made
    (the OCSP answer's time when there is one, else the recorded signing time), and the
    kept OCSP answer as its revocation status then. Raises EdsError as `verify` does."""
    with _Unreadable():
        signed, signer, cert = _load(cms_der)
        digest = _check_content(signed, signer, statement)
        algorithm = _check_signature(signer, cert, digest)
        iin, surname, given_name, common_name = _subject(cert)
        moment = signed_at
        if ocsp:
            moment = asn1_ocsp.OCSPResponse.load(ocsp).basic_ocsp_response["tbs_response_data"]["produced_at"].native
        _check_path(cert, signed, revocation.Found(ocsp=ocsp), anchors=anchors, intermediates=[], moment=moment,
                    revocation_required=ocsp is not None)
    return VerifiedSignature(iin=iin, surname=surname, given_name=given_name, algorithm=algorithm,
                             signing_time=signed_at, certificate=cert.dump(), ocsp_response=ocsp,
                             crl_checked=ocsp is None, common_name=common_name)
