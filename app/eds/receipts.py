"""A signer's receipt of their EDS signature: a ZIP with the statement exactly as signed,
their CMS, the OCSP answer that was the time-mark, the trust anchors this site checked it
against, and how to check all of it with OpenSSL, without this site."""

from __future__ import annotations

import io
import zipfile

from asn1crypto import cms as asn1_cms
from asn1crypto import pem

from app.eds import evidence, trust
from app.models import SignatureEvidence

HOW_TO_CHECK = """How to check this signature without Dauys
=========================================

statement.txt        the statement you signed, byte for byte
signature.p7s        your signature: CMS (CAdES) in DER, made with your NCA RK key{detached}
ocsp-response.der    the NCA RK's OCSP answer when the signature was checked (the time-mark){no_ocsp}
trust-anchors.pem    the roots this site checked it against (compare them with those
                     published at pki.gov.kz: trust those, not these)

1. The signature is over this statement, by this certificate, chained to the roots:

   {command}

   "CMS Verification successful" means the signature is valid and unchanged; -attime is
   the moment it was checked here (seconds since 1970, UTC).{compare}{gost}

2. Who signed (the certificate's subject, with the IIN as SERIALNUMBER=IIN...):

   openssl pkcs7 -inform DER -in signature.p7s -print_certs -noout

3. That the certificate was not revoked when the signature was checked:

   openssl ocsp -respin ocsp-response.der -resp_text -noverify

4. That the statement names the petition as published: its "Text SHA-256" is the SHA-256
   of the petition's title, summary and details, each followed by a blank line (UTF-8),
   as on the petition's page.
"""

# -attime: the certificates as they were when the signature was made (one may have expired
# since, which does not undo a signature made while it was valid).
ATTACHED = ("openssl cms -verify -inform DER -in signature.p7s -CAfile trust-anchors.pem "
            "-purpose any -attime {at} -out checked.txt")
DETACHED = ("openssl cms -verify -inform DER -in signature.p7s -content statement.txt -binary "
            "-CAfile trust-anchors.pem -purpose any -attime {at} -out checked.txt")


GOST_NOTE = """

   Your signature is GOST R 34.10-2015 ({algorithm}): OpenSSL checks it with its GOST
   engine (Debian and Ubuntu: apt-get install libengine-gost-openssl), hence -engine gost.
   OpenSSL knows GOST by the TC26 identifiers (1.2.643.7.1...); a certificate that names
   it by the NCA RK's own (1.2.398.3.10...) is checked with the NCA RK's own tools
   instead (pki.gov.kz)."""


def _anchors_pem() -> bytes:
    return b"".join(pem.armor("CERTIFICATE", cert.dump()) for cert in trust.anchors() + trust.intermediates())


def receipt(kept: SignatureEvidence) -> bytes:
    """The receipt ZIP. Raises app.eds.evidence.EvidenceKeyError when no configured key
    opens the evidence."""
    opened = evidence.open_sealed(kept.sealed)
    cms_der = opened["cms"]
    detached = asn1_cms.ContentInfo.load(cms_der)["content"]["encap_content_info"]["content"].native is None
    gost = kept.algorithm.startswith("gost")
    command = (DETACHED if detached else ATTACHED).format(at=int(kept.signed_at.timestamp()))
    if gost:
        command = command.replace("cms -verify", "cms -verify -engine gost")
    text = HOW_TO_CHECK.format(
        detached=" (the statement is kept apart: detached)" if detached else " (the statement inside it)",
        no_ocsp="" if opened.get("ocsp") else " (none: the responder did not answer and a CRL was used)",
        command=command, gost=GOST_NOTE.format(algorithm=kept.algorithm) if gost else "",
        compare="" if detached else "\n   checked.txt then holds the statement taken from inside the signature: it is\n"
                                     "   the same as statement.txt (cmp checked.txt statement.txt).")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("statement.txt", opened["statement"].encode())
        archive.writestr("signature.p7s", cms_der)
        if opened.get("ocsp"):
            archive.writestr("ocsp-response.der", opened["ocsp"])
        archive.writestr("trust-anchors.pem", _anchors_pem())
        archive.writestr("HOW-TO-CHECK.txt", text.encode())
    return out.getvalue()
