"""A certification authority of the tests' own, standing in for the NCA RK: a root, people's
signing certificates (with the IIN in the subject's SERIALNUMBER, as the NCA issues them),
an OCSP responder and a CRL served on 127.0.0.1 by a thread, and CMS (CAdES-BES) signing
as NCALayer does it with a person's key. Knobs make the responder fail or lie.

Keys are RSA (2048 bits, SHA-256) or GOST R 34.10-2015 (GostKey: 256 or 512 bits, Streebog,
TC26 parameter set A, named by the TC26 or by the NCA RK's object identifiers). A GOST
certificate, CRL or OCSP answer is built by `cryptography` around a stand-in RSA key, then
given its GOST key and signed again (asn1crypto): `cryptography` has no GOST."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from asn1crypto import algos, cms, core, crl, keys, ocsp, tsp  # noqa: F401 (tsp: the signing-certificate attributes)
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.ocsp import OCSPCertStatus, OCSPResponderEncoding, OCSPResponseBuilder
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from flask import Flask, Response, request
from gostcrypto import gostsignature

from app.core import clock
from app.eds.algorithms import CURVES, STREEBOG256, STREEBOG512, GostKeyParameters

# The NCA's policy OID of a natural person's certificate.
INDIVIDUAL = x509.ObjectIdentifier("1.2.398.3.3.4.1.1")

# The object identifiers of GOST R 34.10-2015 (key, curve: parameter set A, signature,
# digest) by bits, as TC26 (RFC 9215) and as the NCA RK name them.
GOST_NAMES = {
    ("tc26", 256): ("1.2.643.7.1.1.1.1", "1.2.643.7.1.2.1.1.1", "1.2.643.7.1.1.3.2", "1.2.643.7.1.1.2.2"),
    ("tc26", 512): ("1.2.643.7.1.1.1.2", "1.2.643.7.1.2.1.2.1", "1.2.643.7.1.1.3.3", "1.2.643.7.1.1.2.3"),
    ("nca", 256): ("1.2.398.3.10.1.1.2.1", "1.2.398.3.10.1.1.2.1.1", "1.2.398.3.10.1.1.2.3.1", "1.2.398.3.10.1.3.2"),
    ("nca", 512): ("1.2.398.3.10.1.1.2.2", "1.2.398.3.10.1.1.2.2.1", "1.2.398.3.10.1.1.2.3.2", "1.2.398.3.10.1.3.3"),
}


class GostKey:
    """A GOST R 34.10-2015 key pair (pure Python: a 512-bit signature takes ~0.1 s)."""

    def __init__(self, bits: int = 512, names: str = "tc26"):
        self.bits, self.names = bits, names
        self.key_oid, self.curve_oid, self.signature_oid, self.digest_oid = GOST_NAMES[(names, bits)]
        size = bits // 8
        self._curve = gostsignature.new(gostsignature.MODE_256 if bits == 256 else gostsignature.MODE_512,
                                        gostsignature.CURVES_R_1323565_1_024_2019[CURVES[self.curve_oid][0]])
        private = bytearray(secrets.token_bytes(size))
        private[0] &= 0x1F  # below the curve's order q (> 2^253 for 256 bits, > 2^510 for 512)
        self._private = bytes(private)
        point = bytes(self._curve.public_key_generate(bytearray(self._private)))
        self.point = point[:size][::-1] + point[size:][::-1]  # X, Y little-endian (RFC 4491 2.3.2)
        self.digest = STREEBOG256 if bits == 256 else STREEBOG512

    def public_key_info(self) -> keys.PublicKeyInfo:
        return keys.PublicKeyInfo({
            "algorithm": {"algorithm": self.key_oid, "parameters": core.Any.load(
                GostKeyParameters({"public_key_param_set": self.curve_oid}).dump())},
            "public_key": core.OctetBitString(core.OctetString(self.point).dump()),
        })

    @property
    def key_id(self) -> bytes:
        return hashlib.sha1(core.OctetString(self.point).dump()).digest()  # noqa: S324 (RFC 5280 4.2.1.2)

    def sign(self, data: bytes) -> bytes:
        """s then r, big-endian (RFC 4491 2.2.2), over the digest read little-endian."""
        size = self.bits // 8
        r_s = bytes(self._curve.sign(bytearray(self._private), bytearray(self.digest.of(data)[::-1])))
        return r_s[size:] + r_s[:size]


# Signs what a GOST key then signs again: cryptography's builders need a key they know.
_STAND_IN = rsa.generate_private_key(65537, 2048)


def _builder_key(key):
    return _STAND_IN if isinstance(key, GostKey) else key


def _key_id(key) -> bytes:
    if isinstance(key, GostKey):
        return key.key_id
    return x509.SubjectKeyIdentifier.from_public_key(key.public_key()).digest


def _signature(key, data: bytes) -> tuple[dict, bytes]:
    """The AlgorithmIdentifier and the signature of `data` by `key`."""
    if isinstance(key, GostKey):
        return {"algorithm": key.signature_oid}, key.sign(data)
    return {"algorithm": "sha256_rsa", "parameters": None}, key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def _regostify_cert(der: bytes, subject_key, issuer_key) -> bytes:
    """The certificate `der` with the subject's GOST key and signed by the issuer's key."""
    if not isinstance(subject_key, GostKey) and not isinstance(issuer_key, GostKey):
        return der
    cert = asn1_x509.Certificate.load(der)
    tbs = cert["tbs_certificate"]
    if isinstance(subject_key, GostKey):
        tbs["subject_public_key_info"] = subject_key.public_key_info()
    algorithm, _ = _signature(issuer_key, b"")
    tbs["signature"] = algorithm
    _, value = _signature(issuer_key, tbs.dump(force=True))
    return asn1_x509.Certificate({"tbs_certificate": tbs, "signature_algorithm": algorithm,
                                  "signature_value": value}).dump()


@dataclass
class Person:
    iin: str
    surname: str = "САПАРОВА"
    given_name: str = "АЙГЕРІМ"
    patronymic: str = "ҚАЙРАТҚЫЗЫ"  # the NCA RK writes it in GIVENNAME
    key: rsa.RSAPrivateKey | GostKey = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))
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
    def __init__(self, name: str = "Dauys Test Root CA", key=None):
        """`key`: the root's own (RSA 2048 when none is given, or a GostKey)."""
        self.key = key or rsa.generate_private_key(65537, 2048)
        now = clock.now()
        subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
                             x509.NameAttribute(NameOID.COMMON_NAME, name)])
        der = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(_builder_key(self.key).public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=3650)).not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier(_key_id(self.key)), critical=False)
            .sign(_builder_key(self.key), hashes.SHA256())
        ).public_bytes(serialization.Encoding.DER)
        self.cert = x509.load_der_x509_certificate(_regostify_cert(der, self.key, self.key))
        self._builder_cert = x509.load_der_x509_certificate(der)  # the same name, a key cryptography knows
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
        der = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(self.cert.subject)
            .public_key(_builder_key(person.key).public_key()).serial_number(x509.random_serial_number())
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
            .add_extension(x509.AuthorityKeyIdentifier(_key_id(self.key), None, None), critical=False)
            .add_extension(x509.AuthorityInformationAccess([x509.AccessDescription(
                x509.oid.AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(self.url + "/ocsp"))]),
                critical=False)
            .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
                [x509.UniformResourceIdentifier(self.url + "/crl")], None, None, None)]), critical=False)
            .sign(_builder_key(self.key), hashes.SHA256())
        ).public_bytes(serialization.Encoding.DER)
        person.cert = x509.load_der_x509_certificate(_regostify_cert(der, person.key, self.key))
        return person

    def revoke(self, person: Person, when: datetime | None = None) -> None:
        self.revoked[person.cert.serial_number] = when or clock.now() - timedelta(hours=1)

    # --- the responder ---------------------------------------------------------------

    def ocsp_answer(self, der: bytes) -> bytes:
        from cryptography.x509 import ocsp as x509_ocsp

        req = x509_ocsp.load_der_ocsp_request(der)
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
        ).responder_id(OCSPResponderEncoding.NAME, self._builder_cert)
        for ext in req.extensions:
            if isinstance(ext.value, x509.OCSPNonce):
                builder = builder.add_extension(ext.value, critical=False)
        answer = ocsp.OCSPResponse.load(
            builder.sign(_builder_key(self.key), hashes.SHA256()).public_bytes(serialization.Encoding.DER))
        # The responder named by its key's hash (as the NCA RK's does), and signed by its key.
        basic = answer["response_bytes"]["response"].parsed
        basic["tbs_response_data"]["responder_id"] = ocsp.ResponderId({"by_key": _key_id(self.key)})
        basic["signature_algorithm"], basic["signature"] = _signature(
            self.key, basic["tbs_response_data"].dump(force=True))
        return ocsp.OCSPResponse({"response_status": "successful", "response_bytes": {
            "response_type": "basic_ocsp_response", "response": basic}}).dump()

    def crl(self) -> bytes:
        now = clock.now()
        builder = (x509.CertificateRevocationListBuilder().issuer_name(self.cert.subject)
                   .last_update(now - timedelta(minutes=5)).next_update(now + timedelta(days=1))
                   .add_extension(x509.CRLNumber(1), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier(_key_id(self.key), None, None), critical=False))
        for serial, when in self.revoked.items():
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build())
        der = builder.sign(_builder_key(self.key), hashes.SHA256()).public_bytes(serialization.Encoding.DER)
        if not isinstance(self.key, GostKey):
            return der
        listed = crl.CertificateList.load(der)
        tbs = listed["tbs_cert_list"]
        algorithm, _ = _signature(self.key, b"")
        tbs["signature"] = algorithm
        _, value = _signature(self.key, tbs.dump(force=True))
        return crl.CertificateList({"tbs_cert_list": tbs, "signature_algorithm": algorithm,
                                    "signature": value}).dump()

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
    signing certificate's hash as signed attributes) over `content` with the person's key,
    as NCALayer makes it: RSA with SHA-256, or GOST with Streebog (the signer info naming
    the key's algorithm, as CryptoPro and the NCA RK's tools do). `signed_content` signs
    other bytes than those put inside (an attacker's swap)."""
    gost = isinstance(person.key, GostKey)
    digest_algorithm = {"algorithm": person.key.digest_oid if gost else "sha256"}
    signed_bytes = signed_content if signed_content is not None else content
    digest = person.key.digest.of(signed_bytes) if gost else hashlib.sha256(signed_bytes).digest()
    cert = asn1_x509.Certificate.load(person.cert_der)
    signed_attrs = cms.CMSAttributes([
        cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
        cms.CMSAttribute({"type": "message_digest", "values": [digest]}),
        cms.CMSAttribute({"type": "signing_time", "values": [cms.Time({"utc_time": signing_time or clock.now()})]}),
        cms.CMSAttribute({"type": "signing_certificate_v2", "values": [{
            "certs": [{"cert_hash": hashlib.sha256(person.cert_der).digest()}]}]}),
    ])
    to_sign = signed_attrs.dump()
    if gost:
        signature_algorithm, signature = {"algorithm": person.key.key_oid}, person.key.sign(to_sign)
    else:
        signature_algorithm, signature = _signature(person.key, to_sign)
    signer = cms.SignerInfo({
        "version": "v1",
        "sid": cms.SignerIdentifier({"issuer_and_serial_number": cms.IssuerAndSerialNumber({
            "issuer": cert.issuer, "serial_number": cert.serial_number})}),
        "digest_algorithm": digest_algorithm,
        "signed_attrs": signed_attrs,
        "signature_algorithm": signature_algorithm,
        "signature": signature,
    })
    encap = {"content_type": "data"}
    if not detached:
        encap["content"] = core.OctetString(content)
    signed_data = cms.SignedData({
        "version": "v1",
        "digest_algorithms": [digest_algorithm],
        "encap_content_info": encap,
        "certificates": [cert],
        "signer_infos": [signer],
    })
    return cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()
