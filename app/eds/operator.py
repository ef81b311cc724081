"""The operator's own signature on the evidence it hands out: an evidence bundle's manifest
is signed (CMS, detached, RSA with SHA-256) with the operator's key (EDS_BUNDLE_KEY, a PEM
RSA private key) and certificate (EDS_BUNDLE_CERT, a PEM file: the certificate, then its
chain), so that the list of signatures and the counts in a bundle are the operator's word,
which anyone holding the operator's certificate checks (`flask evidence verify --operator`,
or `openssl cms -verify`). Outside production, when neither is configured, a key and a
self-signed certificate are made once per process and say that they are for development."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID
from flask import current_app

from app.core import clock

DEVELOPMENT_NAME = "Dauys development operator (not a production key)"


def _development() -> tuple[rsa.RSAPrivateKey, list[x509.Certificate]]:
    key = rsa.generate_private_key(65537, 2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, DEVELOPMENT_NAME)])
    now = clock.now()
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    return key, [cert]


def _configured(key_path: str, cert_path: str) -> tuple[rsa.RSAPrivateKey, list[x509.Certificate]]:
    key = serialization.load_pem_private_key(Path(key_path).read_bytes(), password=None)
    chain = x509.load_pem_x509_certificates(Path(cert_path).read_bytes())
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("EDS_BUNDLE_KEY must be an RSA private key")
    if chain[0].public_key() != key.public_key():
        raise ValueError("EDS_BUNDLE_CERT's first certificate is not EDS_BUNDLE_KEY's")
    return key, chain


def _loaded() -> tuple[rsa.RSAPrivateKey, list[x509.Certificate]]:
    config = current_app.config
    stamp = (config["EDS_BUNDLE_KEY"], config["EDS_BUNDLE_CERT"])
    kept = current_app.extensions.get("dauys.eds_operator")
    if kept is None or kept[0] != stamp:
        if any(stamp) and not all(stamp):
            raise ValueError("set both EDS_BUNDLE_KEY and EDS_BUNDLE_CERT, or neither")
        loaded = _configured(*stamp) if all(stamp) else _development()
        kept = (stamp, loaded)
        current_app.extensions["dauys.eds_operator"] = kept
    return kept[1]


def sign(data: bytes) -> bytes:
    """A detached CMS signature (DER) of `data` by the operator, its certificates inside."""
    key, chain = _loaded()
    builder = pkcs7.PKCS7SignatureBuilder().set_data(data).add_signer(chain[0], key, hashes.SHA256())
    for cert in chain[1:]:
        builder = builder.add_certificate(cert)
    return builder.sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature,
                                                     pkcs7.PKCS7Options.Binary])


def certificates_pem() -> bytes:
    return b"".join(cert.public_bytes(serialization.Encoding.PEM) for cert in _loaded()[1])
