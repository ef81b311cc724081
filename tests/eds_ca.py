"""A certification authority of the tests' own, standing in for the NCA RK: a root, people's
signing certificates (with the IIN in the subject's SERIALNUMBER, as the NCA issues them),
an OCSP responder and a CRL served on 127.0.0.1 by a thread, and CMS (CAdES-BES) signing
as NCALayer does it with a person's key. Knobs make the responder fail or lie."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from asn1crypto import algos, cms, core, tsp  # noqa: F401 (tsp: the signing-certificate attributes)
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.ocsp import OCSPCertStatus, OCSPResponderEncoding, OCSPResponseBuilder
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from flask import Flask, Response, request

from app.core import clock

# The NCA's policy OID of a natural person's certificate.
INDIVIDUAL = x509.ObjectIdentifier("1.2.398.3.3.4.1.1")


@dataclass
class Person:
    iin: str
    surname: str = "САПАРОВА"
    given_name: str = "АЙГЕРІМ"
    patronymic: str = "ҚАЙРАТҚЫЗЫ"  # the NCA RK writes it in GIVENNAME
    key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))
    cert: x509.Certificate | None = None

    @property
    def cert_der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)


@dataclass
class ResponderKnobs:
    ocsp_down: bool = False
    crl_down: bool = False
    ocsp_unknown: bool = False  # answers "unknown" for every certificate


class Authority:
    def __init__(self, name: str = "Dauys Test Root CA"):
        self.key = rsa.generate_private_key(65537, 2048)
        now = clock.now()
        subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
                             x509.NameAttribute(NameOID.COMMON_NAME, name)])
        self.cert = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=3650)).not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        self.revoked: dict[int, datetime] = {}
        self.knobs = ResponderKnobs()
        self.ocsp_requests = 0
        self.url = ""

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    # --- issuing -------------------------------------------------------------------

    def issue(self, person: Person, *, not_before: datetime | None = None, not_after: datetime | None = None,
              signing: bool = True) -> Person:
        """A signing certificate for `person` (`signing=False`: one for authentication only,
        whose key usage does not allow signing)."""
        now = clock.now()
        subject = x509.Name([
            x509.NameAttribute(NameOID.COMMON_NAME, f"{person.surname} {person.given_name}"),
            x509.NameAttribute(NameOID.SURNAME, person.surname),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IIN{person.iin}"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
            x509.NameAttribute(NameOID.GIVEN_NAME, person.patronymic),
        ])
        person.cert = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(self.cert.subject)
            .public_key(person.key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(not_before or now - timedelta(days=30))
            .not_valid_after(not_after or now + timedelta(days=335))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=not signing, content_commitment=signing,
                                         key_encipherment=not signing, data_encipherment=False, key_agreement=False,
                                         key_cert_sign=False, crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION if signing
                                                  else ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .add_extension(x509.CertificatePolicies([x509.PolicyInformation(INDIVIDUAL, None)]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
            .add_extension(x509.AuthorityInformationAccess([x509.AccessDescription(
                x509.oid.AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(self.url + "/ocsp"))]),
                critical=False)
            .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
                [x509.UniformResourceIdentifier(self.url + "/crl")], None, None, None)]), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        return person

    def revoke(self, person: Person, when: datetime | None = None) -> None:
        self.revoked[person.cert.serial_number] = when or clock.now() - timedelta(hours=1)

    # --- the responder ---------------------------------------------------------------

    def ocsp_answer(self, der: bytes) -> bytes:
        from cryptography.x509 import ocsp

        req = ocsp.load_der_ocsp_request(der)
        now = clock.now()
        revoked_at = self.revoked.get(req.serial_number)
        builder = OCSPResponseBuilder()
        status = (OCSPCertStatus.UNKNOWN if self.knobs.ocsp_unknown
                  else OCSPCertStatus.REVOKED if revoked_at else OCSPCertStatus.GOOD)
        builder = builder.add_response_by_hash(
            issuer_name_hash=req.issuer_name_hash, issuer_key_hash=req.issuer_key_hash,
            serial_number=req.serial_number, algorithm=req.hash_algorithm, cert_status=status,
            this_update=now - timedelta(minutes=1), next_update=now + timedelta(hours=1),
            revocation_time=revoked_at if status is OCSPCertStatus.REVOKED else None,
            revocation_reason=x509.ReasonFlags.key_compromise if status is OCSPCertStatus.REVOKED else None,
        ).responder_id(OCSPResponderEncoding.HASH, self.cert)
        for ext in req.extensions:
            if isinstance(ext.value, x509.OCSPNonce):
                builder = builder.add_extension(ext.value, critical=False)
        return builder.sign(self.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    def crl(self) -> bytes:
        now = clock.now()
        builder = (x509.CertificateRevocationListBuilder().issuer_name(self.cert.subject)
                   .last_update(now - timedelta(minutes=5)).next_update(now + timedelta(days=1))
                   .add_extension(x509.CRLNumber(1), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                                  critical=False))
        for serial, when in self.revoked.items():
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build())
        return builder.sign(self.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    def _app(self) -> Flask:
        app = Flask("test-nca")

        @app.post("/ocsp")
        def ocsp_endpoint():
            self.ocsp_requests += 1
            if self.knobs.ocsp_down:
                return Response("down", status=503)
            return Response(self.ocsp_answer(request.get_data()), mimetype="application/ocsp-response")

        @app.get("/crl")
        def crl_endpoint():
            if self.knobs.crl_down:
                return Response("down", status=503)
            return Response(self.crl(), mimetype="application/pkix-crl")

        return app

    def start(self) -> None:
        from tests.support import ThreadedServer

        self._server = ThreadedServer(self._app())
        self.url = self._server.url

    def stop(self) -> None:
        self._server.stop()


def sign_cms(person: Person, content: bytes, *, detached: bool = False, signed_content: bytes | None = None,
             signing_time: datetime | None = None) -> bytes:
    """CMS SignedData (CAdES-BES: content type, message digest, signing time and the
    signing certificate's hash as signed attributes) over `content` with the person's RSA
    key and SHA-256, as NCALayer makes it. `signed_content` signs other bytes than those
    put inside (an attacker's swap)."""
    import hashlib

    digest = hashlib.sha256(signed_content if signed_content is not None else content).digest()
    cert = asn1_x509.Certificate.load(person.cert_der)
    signed_attrs = cms.CMSAttributes([
        cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
        cms.CMSAttribute({"type": "message_digest", "values": [digest]}),
        cms.CMSAttribute({"type": "signing_time", "values": [cms.Time({"utc_time": signing_time or clock.now()})]}),
        cms.CMSAttribute({"type": "signing_certificate_v2", "values": [{
            "certs": [{"cert_hash": hashlib.sha256(person.cert_der).digest()}]}]}),
    ])
    to_sign = signed_attrs.dump()
    signature = person.key.sign(to_sign, padding.PKCS1v15(), hashes.SHA256())
    signer = cms.SignerInfo({
        "version": "v1",
        "sid": cms.SignerIdentifier({"issuer_and_serial_number": cms.IssuerAndSerialNumber({
            "issuer": cert.issuer, "serial_number": cert.serial_number})}),
        "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
        "signed_attrs": signed_attrs,
        "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"}),
        "signature": signature,
    })
    encap = {"content_type": "data"}
    if not detached:
        encap["content"] = core.OctetString(content)
    signed_data = cms.SignedData({
        "version": "v1",
        "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
        "encap_content_info": encap,
        "certificates": [cert],
        "signer_infos": [signer],
    })
    return cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()
