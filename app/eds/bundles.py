"""A petition's evidence bundle, for the officials of its addressee: every EDS signature
with its evidence, in a ZIP that a program checks without us or our database.

Container (version 1):

    manifest.json                   the petition (number, title, SHA-256 of its text as
                                    published, addressee), when the bundle was made, the
                                    counts, and a row per signature: its folder, when it
                                    was signed, the algorithm, how revocation was checked,
                                    whether it counts, and for one invalidated by the
                                    moderators the run that removed it (number, reason,
                                    when); with the SHA-256 of each of its files
    manifest.p7s                    the operator's signature of manifest.json (CMS,
                                    detached, DER): the list and the counts are its word
    operator.pem                    the operator's certificate (and its chain) that signed
                                    it (compare with the one the operator publishes)
    signatures/NNNNNN/statement.txt the statement the signer signed
    signatures/NNNNNN/signature.p7s their CMS (DER)
    signatures/NNNNNN/ocsp-response.der   the OCSP answer at signing (absent when a CRL
                                    was used)
    trust-anchors.pem               the roots the site checked against (compare with the
                                    NCA RK's own)
    README.txt                      this description, and how to check by hand

`flask evidence verify BUNDLE` (app.cli.evidence) checks the manifest's signature, every
file against the manifest, every signature offline (app.eds.verify.verify_offline), the
statement against the petition named in the manifest, and recounts.

By hand, with OpenSSL (OPERATOR.pem: the operator's certificate as it publishes it):

    openssl cms -verify -binary -inform DER -in manifest.p7s -content manifest.json \
        -CAfile OPERATOR.pem -purpose any -out /dev/null
    openssl cms -verify -inform DER -in signatures/000001/signature.p7s \
        -CAfile NCA-ROOTS.pem -purpose any -out /dev/null
    sha256sum signatures/000001/*   (each as the manifest lists it)

(a GOST signature: add -engine gost after -verify; Debian: libengine-gost-openssl).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import typing
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography.exceptions import InvalidSignature
from sqlalchemy import select

from app.core import clock
from app.eds import algorithms, evidence, operator, statements, trust, verify
from app.eds.errors import EdsError
from app.extensions import db
from app.models import Petition, Signature, SignatureEvidence
from app.models.integrity import SignatureInvalidation

FORMAT = "dauys-evidence-bundle/1"
BATCH = 500


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _anchors_pem() -> bytes:
    return b"".join(pem.armor("CERTIFICATE", c.dump()) for c in trust.anchors() + trust.intermediates())


def build(petition: Petition) -> typing.BinaryIO:
    """The bundle of `petition`'s EDS signatures, in signing order: a temporary file (on
    disk, gone once closed) at its start; the rows are read in batches, so a petition of
    any size takes no more memory than a batch. Raises app.eds.evidence.EvidenceKeyError
    when no configured key opens some evidence."""
    rows = db.session.execute(
        select(Signature, SignatureEvidence, SignatureInvalidation)
        .join(SignatureEvidence, SignatureEvidence.signature_id == Signature.id)
        .outerjoin(SignatureInvalidation, SignatureInvalidation.id == Signature.invalidation_id)
        .where(Signature.petition_id == petition.id).order_by(Signature.id)
        .execution_options(yield_per=BATCH))
    out = tempfile.TemporaryFile()  # noqa: SIM115 (the caller sends and closes it)
    entries = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, (signature, kept, run) in enumerate(rows, start=1):
            opened = evidence.open_sealed(kept.sealed)
            folder = f"signatures/{number:06d}"
            files = {"statement.txt": opened["statement"].encode(), "signature.p7s": opened["cms"]}
            if opened.get("ocsp"):
                files["ocsp-response.der"] = opened["ocsp"]
            for name, data in files.items():
                archive.writestr(f"{folder}/{name}", data)
            entries.append({
                "folder": folder, "signed_at": kept.signed_at.isoformat(), "algorithm": kept.algorithm,
                "revocation": kept.revocation, "counts": signature.valid,
                "invalidated": None if signature.valid or run is None else {
                    "run": run.id, "reason": run.category.value, "at": run.created_at.isoformat()},
                "files": {name: _sha(data) for name, data in files.items()},
            })
        manifest = {
            "format": FORMAT,
            "made_at": clock.now().isoformat(timespec="seconds"),
            "petition": {"number": petition.id, "title": petition.title,
                         "text_sha256": statements.text_digest(petition), "addressee": petition.body.code},
            "eds_signatures": len(entries),
            "eds_signatures_counted": sum(1 for e in entries if e["counts"]),
            "signature_count_all_levels": petition.signature_count,
            "signatures": entries,
        }
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
        archive.writestr("manifest.json", manifest_bytes)
        archive.writestr("manifest.p7s", operator.sign(manifest_bytes))
        archive.writestr("operator.pem", operator.certificates_pem())
        archive.writestr("trust-anchors.pem", _anchors_pem())
        archive.writestr("README.txt", (__doc__ or "").encode())
    out.seek(0)
    return out


@dataclass
class Report:
    counted: int = 0  # valid signatures that count
    invalidated: int = 0  # valid signatures the moderators removed (listed, not counted)
    claimed: int | None = None  # what the manifest says counts
    signed_by: str = ""  # the manifest signer's name
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures and self.claimed == self.counted


def _statement_names(text: str, petition: dict) -> bool:
    return (f"Petition number: {petition['number']}\n" in text
            and f"Text SHA-256: {petition['text_sha256']}\n" in text)


def _certificates(pem_bytes: bytes) -> list[asn1_x509.Certificate]:
    return [asn1_x509.Certificate.load(der) for _t, _h, der in pem.unarmor(pem_bytes, multiple=True)]


def _operator_failure(signer: asn1_x509.Certificate, trusted: list[asn1_x509.Certificate]) -> str | None:
    """Why the manifest's signer is not one of the `trusted` operator certificates (nor
    issued by one), or None."""
    for cert in trusted:
        if cert.dump() == signer.dump():
            return None
        if cert.subject == signer.issuer:
            try:
                algorithms.verify(cert.public_key, signer["signature_algorithm"], signer["signature_value"].native,
                                  signer["tbs_certificate"].dump())
            except (InvalidSignature, algorithms.Unsupported, ValueError, TypeError, KeyError):
                continue
            return None
    return f"manifest.json: signed by {signer.subject.human_friendly}, not by the operator given"


def _check_manifest(archive: zipfile.ZipFile, manifest_bytes: bytes, operator_pem: bytes | None,
                    report: Report) -> None:
    try:
        signer = verify.signed_by(archive.read("manifest.p7s"), manifest_bytes)
    except KeyError:
        report.failures.append("manifest.json: not signed (no manifest.p7s)")
        return
    except EdsError as exc:
        report.failures.append(f"manifest.json: its signature fails ({exc.code})")
        return
    report.signed_by = signer.subject.human_friendly
    trusted = _certificates(operator_pem if operator_pem is not None else archive.read("operator.pem"))
    failure = _operator_failure(signer, trusted)
    if failure:
        report.failures.append(failure)


def check(path: Path, anchors_pem: bytes | None = None, operator_pem: bytes | None = None) -> Report:
    """Verify a bundle offline: the operator's signature of the manifest, each file against
    the manifest's SHA-256, each signature (the CMS over its statement, the certificate path
    to the anchors, the kept OCSP answer), each statement naming the manifest's petition;
    recount. `anchors_pem`: the roots to trust, `operator_pem` the operator's certificate
    (default: the bundle's own copies, which only show the bundle is consistent)."""
    report = Report()
    try:
        archive = zipfile.ZipFile(path)
        manifest_bytes = archive.read("manifest.json")
        manifest = json.loads(manifest_bytes)
        if not isinstance(manifest, dict):
            raise ValueError("the manifest is not an object")
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        report.failures.append(f"not a bundle: {exc}")
        return report
    if manifest.get("format") != FORMAT:
        report.failures.append(f"unknown format {manifest.get('format')!r}")
        return report
    try:
        _check_manifest(archive, manifest_bytes, operator_pem, report)
        anchors = _certificates(anchors_pem or archive.read("trust-anchors.pem"))
    except (KeyError, ValueError, TypeError) as exc:
        report.failures.append(f"not a bundle: {type(exc).__name__}")
        return report
    report.claimed = manifest.get("eds_signatures_counted")
    names = set(archive.namelist())
    listed = {"manifest.json", "manifest.p7s", "operator.pem", "trust-anchors.pem", "README.txt"}
    signers: set[str] = set()
    for entry in manifest.get("signatures", []):
        folder = entry["folder"]
        if f"{folder}/statement.txt" in listed:
            report.failures.append(f"{folder}: listed twice")
            continue
        try:
            files = {}
            for name, digest in entry["files"].items():
                listed.add(f"{folder}/{name}")
                data = archive.read(f"{folder}/{name}")
                if _sha(data) != digest:
                    raise EdsError("content")
                files[name] = data
            statement = files["statement.txt"]
            if not _statement_names(statement.decode(), manifest["petition"]):
                raise EdsError("statement_invalid")
            found = verify.verify_offline(files["signature.p7s"], statement, anchors=anchors,
                                          ocsp=files.get("ocsp-response.der"),
                                          signed_at=datetime.fromisoformat(entry["signed_at"]))
        except (EdsError, KeyError, ValueError, TypeError) as exc:
            code = exc.code if isinstance(exc, EdsError) else type(exc).__name__
            report.failures.append(f"{folder}: {code}")
            continue
        # One person signs a petition once: a second signature by the same IIN counts nothing.
        signer = hashlib.sha256(found.iin.encode()).hexdigest()
        if signer in signers:
            report.failures.append(f"{folder}: a second signature by the same person")
            continue
        signers.add(signer)
        if entry.get("counts"):
            report.counted += 1
        else:
            report.invalidated += 1
    for extra in sorted(names - listed):
        report.failures.append(f"{extra}: not in the manifest")
    return report
