"""The signature algorithms an NCA RK certificate may carry, and checking one signature:
RSA (PKCS #1 v1.5 with SHA-2, by `cryptography`) and GOST R 34.10-2015 with GOST R 34.11-2015
"Streebog" (256 and 512 bits, by `gostcrypto`), under both the TC26 object identifiers
(RFC 9215) and those the NCA RK gives the same algorithms (1.2.398.3.10...).

GOST's conventions (RFC 4491 2.2.2 and 2.3.2, kept by RFC 9215), which OpenSSL's GOST engine
shares (tests/eds/test_gost.py checks it both ways):
- the public key is an OCTET STRING inside the BIT STRING: X then Y, each little-endian;
- the signature value is s then r, each big-endian;
- the digest is read as a little-endian number.

The same check serves the CMS signature (app.eds.verify), the issuer's signature on a
certificate (app.eds.revocation) and, through SignatureValidator, pyhanko-certvalidator's
path, OCSP and CRL checks. A signature once found valid is remembered (by the SHA-256 of
key, algorithm, signature and data) so that the one certificate, OCSP answer or CRL is not
checked twice: pure-Python GOST is the costly part of a signature (bench/RESULTS.md).
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from asn1crypto import algos, core, keys
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from gostcrypto import gosthash, gostsignature
from gostcrypto.gostsignature.gost_34_10_2012 import GOST34102012
from pyhanko_certvalidator.errors import AlgorithmNotSupported
from pyhanko_certvalidator.sig_validate import (
    DEFAULT_VALIDATION_CONTEXT,
    SignatureValidationContext,
    SignatureValidator,
)


@dataclass(frozen=True)
class Digest:
    name: str  # "sha256", "streebog512", ...
    size: int

    def of(self, data: bytes) -> bytes:
        if self.name.startswith("streebog"):
            return bytes(gosthash.new(self.name, data=data).digest())
        return hashlib.new(self.name, data).digest()


SHA256, SHA384, SHA512 = Digest("sha256", 32), Digest("sha384", 48), Digest("sha512", 64)
STREEBOG256, STREEBOG512 = Digest("streebog256", 32), Digest("streebog512", 64)

# Digest algorithms by the name asn1crypto gives them (the dotted OID when it has none).
DIGESTS = {
    "sha256": SHA256, "sha384": SHA384, "sha512": SHA512,
    "1.2.643.7.1.1.2.2": STREEBOG256, "1.2.643.7.1.1.2.3": STREEBOG512,  # TC26 (RFC 6986, RFC 9215)
    "1.2.398.3.10.1.3.2": STREEBOG256, "1.2.398.3.10.1.3.3": STREEBOG512,  # NCA RK
}

# GOST signature algorithms (the digest is part of the name), and GOST key algorithms (CMS
# names the key's algorithm in SignerInfo.signatureAlgorithm, the digest apart).
GOST_SIGNATURES = {
    "1.2.643.7.1.1.3.2": STREEBOG256, "1.2.643.7.1.1.3.3": STREEBOG512,
    "1.2.398.3.10.1.1.2.3.1": STREEBOG256, "1.2.398.3.10.1.1.2.3.2": STREEBOG512,
}
GOST_KEYS = {"1.2.643.7.1.1.1.1", "1.2.643.7.1.1.1.2", "1.2.398.3.10.1.1.2.1", "1.2.398.3.10.1.1.2.2"}

# The elliptic curves (R 1323565.1.024-2019, in gostcrypto) by their parameter-set OIDs,
# with the size of the key in bytes. The CryptoPro sets are TC26 sets B-D under older names.
_TC26_256 = "id-tc26-gost-3410-2012-256-paramSet"
CURVES = {
    "1.2.643.7.1.2.1.1.1": (_TC26_256 + "A", 32),
    "1.2.643.7.1.2.1.1.2": (_TC26_256 + "B", 32), "1.2.643.2.2.35.1": (_TC26_256 + "B", 32),
    "1.2.643.2.2.36.0": (_TC26_256 + "B", 32),
    "1.2.643.7.1.2.1.1.3": (_TC26_256 + "C", 32), "1.2.643.2.2.35.2": (_TC26_256 + "C", 32),
    "1.2.643.7.1.2.1.1.4": (_TC26_256 + "D", 32), "1.2.643.2.2.35.3": (_TC26_256 + "D", 32),
    "1.2.643.2.2.36.1": (_TC26_256 + "D", 32),
    "1.2.643.7.1.2.1.2.1": ("id-tc26-gost-3410-12-512-paramSetA", 64),
    "1.2.643.7.1.2.1.2.2": ("id-tc26-gost-3410-12-512-paramSetB", 64),
    "1.2.643.7.1.2.1.2.3": ("id-tc26-gost-3410-2012-512-paramSetC", 64),
    # The NCA RK's own names of TC26 set A (256 and 512 bits).
    "1.2.398.3.10.1.1.2.1.1": (_TC26_256 + "A", 32),
    "1.2.398.3.10.1.1.2.2.1": ("id-tc26-gost-3410-12-512-paramSetA", 64),
}


class GostKeyParameters(core.Sequence):
    """GostR3410-2012-PublicKeyParameters (RFC 9215): the curve, and the digest it was
    once paired with."""

    _fields = [
        ("public_key_param_set", core.ObjectIdentifier),
        ("digest_param_set", core.ObjectIdentifier, {"optional": True}),
        ("encryption_param_set", core.ObjectIdentifier, {"optional": True}),
    ]


class _Curve(GOST34102012):
    """gostcrypto's GOST R 34.10-2015, its modular inverse (a recursive extended Euclid in
    Python) replaced by Python's own pow(x, -1, n): the same number, two to three times
    faster verification (tests/eds/test_gost.py checks the result against OpenSSL)."""

    @staticmethod
    def _invert(value: int, n_mod: int) -> int:
        return pow(value, -1, n_mod)


@functools.cache
def _curve(name: str, size: int) -> _Curve:
    """One object per curve: making one checks the curve's parameters (~20 ms at 512 bits);
    verifying does not change it."""
    mode = gostsignature.MODE_256 if size == 32 else gostsignature.MODE_512
    return _Curve(mode, gostsignature.CURVES_R_1323565_1_024_2019[name])


class Unsupported(Exception):
    """An algorithm, curve or key this module does not check signatures of."""


def _name(algorithm: algos.SignedDigestAlgorithm | algos.DigestAlgorithm) -> str:
    return algorithm["algorithm"].native


def digest_of(algorithm: algos.DigestAlgorithm) -> Digest:
    try:
        return DIGESTS[_name(algorithm)]
    except KeyError:
        raise Unsupported(_name(algorithm)) from None


def _gost_point(public_key: keys.PublicKeyInfo) -> tuple[_Curve, int, bytes]:
    """The curve, the size in bytes and the point (X then Y, big-endian: gostcrypto's order)
    of a GOST public key."""
    try:
        parameters = GostKeyParameters.load(public_key["algorithm"]["parameters"].dump())
        curve_name, size = CURVES[parameters["public_key_param_set"].dotted]
        point = core.OctetString.load(bytes(public_key["public_key"])).native
    except (KeyError, ValueError, TypeError):
        raise Unsupported("GOST key") from None
    if len(point) != 2 * size:
        raise Unsupported("GOST key size")
    return _curve(curve_name, size), size, point[:size][::-1] + point[size:][::-1]


def _verify_gost(public_key: keys.PublicKeyInfo, digest: Digest, signature: bytes, data: bytes) -> str:
    curve, size, point = _gost_point(public_key)
    if digest.size != size or len(signature) != 2 * size:
        raise InvalidSignature
    s, r = signature[:size], signature[size:]
    if not curve.verify(bytearray(point), bytearray(digest.of(data)[::-1]), bytearray(r + s)):
        raise InvalidSignature
    return f"gost2015-{size * 8}"


def _verify_rsa(public_key: keys.PublicKeyInfo, digest: Digest, signature: bytes, data: bytes) -> str:
    try:
        key = serialization.load_der_public_key(public_key.dump())
    except (ValueError, UnsupportedAlgorithm):
        raise Unsupported("RSA key") from None
    if not isinstance(key, rsa.RSAPublicKey) or digest.name not in ("sha256", "sha384", "sha512"):
        raise Unsupported("RSA")
    key.verify(signature, data, padding.PKCS1v15(), getattr(hashes, digest.name.upper())())
    return f"rsa-{digest.name}"


_RSA_SIGNATURES = {"sha256_rsa": SHA256, "sha384_rsa": SHA384, "sha512_rsa": SHA512}


def _check(public_key: keys.PublicKeyInfo, algorithm: str, signature: bytes, data: bytes,
           digest: Digest | None) -> str:
    if algorithm in GOST_SIGNATURES or algorithm in GOST_KEYS:
        chosen = GOST_SIGNATURES.get(algorithm, digest)
        if chosen is None or public_key["algorithm"]["algorithm"].native not in GOST_KEYS:
            raise Unsupported(algorithm)
        return _verify_gost(public_key, chosen, signature, data)
    if algorithm in _RSA_SIGNATURES or algorithm == "rsassa_pkcs1v15":
        chosen = _RSA_SIGNATURES.get(algorithm, digest)
        if chosen is None or public_key.algorithm != "rsa":
            raise Unsupported(algorithm)
        return _verify_rsa(public_key, chosen, signature, data)
    raise Unsupported(algorithm)


_REMEMBERED: OrderedDict[bytes, str] = OrderedDict()
_REMEMBERED_MAX = 4096
_LOCK = threading.Lock()


def verify(public_key: keys.PublicKeyInfo, algorithm: algos.SignedDigestAlgorithm, signature: bytes,
           data: bytes, digest: Digest | None = None) -> str:
    """Check `signature` over `data` by `public_key`; returns the algorithm as we name it
    ("rsa-sha256", "gost2015-512"). `digest` is the digest algorithm when `algorithm` names
    only the key's (as CMS does). Raises InvalidSignature, or Unsupported."""
    name = _name(algorithm)
    memo = hashlib.sha256(b"\0".join([public_key.dump(), name.encode(), (digest.name if digest else "").encode(),
                                      hashlib.sha256(signature).digest(), hashlib.sha256(data).digest()])).digest()
    with _LOCK:
        if memo in _REMEMBERED:
            _REMEMBERED.move_to_end(memo)
            return _REMEMBERED[memo]
    checked = _check(public_key, name, signature, data, digest)
    with _LOCK:
        _REMEMBERED[memo] = checked
        while len(_REMEMBERED) > _REMEMBERED_MAX:
            _REMEMBERED.popitem(last=False)
    return checked


class Validator(SignatureValidator):
    """pyhanko-certvalidator's signature check (certificates, OCSP answers, CRLs) by the
    algorithms above."""

    def validate_signature(self, signature: bytes, signed_data: bytes, public_key_info: keys.PublicKeyInfo,
                           signature_algorithm: algos.SignedDigestAlgorithm,
                           context: SignatureValidationContext = DEFAULT_VALIDATION_CONTEXT) -> None:
        contextual = DIGESTS.get(context.contextual_md_algorithm or "")
        if context.prehashed:
            raise AlgorithmNotSupported("prehashed signatures")
        try:
            verify(public_key_info, signature_algorithm, signature, signed_data, contextual)
        except Unsupported as exc:
            raise AlgorithmNotSupported(f"signature mechanism {exc} is not supported") from None
