"""GOST R 34.10-2015 with Streebog: signatures made with keys of 256 and 512 bits, named by
the TC26 or the NCA RK's identifiers, verified against a GOST root of the tests' own whose
OCSP answers and CRLs are GOST-signed too; every refusal as with RSA; and OpenSSL's GOST
engine agreeing with us both ways, so that our conventions (byte orders) are the standard's."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from asn1crypto import pem

from app.core import clock
from app.eds import verify
from tests.eds.test_verify import STATEMENT, refused
from tests.eds_ca import Authority, GostKey, Person, sign_cms
from tests.support import valid_iin


def gost_person(ca: Authority, bits: int = 256, names: str = "tc26", **kwargs) -> Person:
    return ca.issue(Person(valid_iin(), key=GostKey(bits, names)), **kwargs)


@pytest.mark.parametrize(("bits", "names"), [(512, "nca"), (256, "tc26")])
def test_a_gost_signature_attached_or_detached(app, gost_eds, bits, names):
    person = gost_person(gost_eds, bits, names)
    found = verify.verify(sign_cms(person, STATEMENT), STATEMENT)
    assert (found.iin, found.algorithm, found.crl_checked) == (person.iin, f"gost2015-{bits}", False)
    assert found.ocsp_response and found.certificate == person.cert_der
    assert verify.verify(sign_cms(person, STATEMENT, detached=True), STATEMENT).algorithm == f"gost2015-{bits}"
    assert gost_eds.ocsp_requests == 1


def test_rsa_signatures_still_verify_beside_the_gost_root(app, eds, gost_eds):
    person = eds.issue(Person(valid_iin()))
    assert verify.verify(sign_cms(person, STATEMENT), STATEMENT).algorithm == "rsa-sha256"


def test_gost_refusals(app, gost_eds):
    person = gost_person(gost_eds)
    assert refused(sign_cms(person, STATEMENT), b"Petition 8: I sign it.") == "content"
    assert refused(sign_cms(person, STATEMENT, signed_content=b"something else")) == "content"
    impostor = Person(person.iin, key=GostKey(256), cert=person.cert)
    assert refused(sign_cms(impostor, STATEMENT)) == "bad_signature"
    # A key of another size than the certificate's is no signature of it either.
    assert refused(sign_cms(Person(person.iin, key=GostKey(512), cert=person.cert), STATEMENT)) == "bad_signature"
    now = clock.now()
    old = gost_person(gost_eds, not_before=now - timedelta(days=400), not_after=now - timedelta(days=1))
    assert refused(sign_cms(old, STATEMENT)) == "expired"
    assert refused(sign_cms(gost_person(gost_eds, signing=False), STATEMENT)) == "not_for_signing"


def test_a_gost_root_we_do_not_trust_or_one_that_only_looks_like_ours(app, gost_eds):
    stranger = Authority("Somebody's GOST Root", key=GostKey(256))
    assert refused(sign_cms(gost_person(stranger), STATEMENT)) == "unknown_root"
    lookalike = Authority("Dauys Test Root CA (GOST)", key=GostKey(512, "nca"))
    lookalike.url = gost_eds.url
    assert refused(sign_cms(gost_person(lookalike), STATEMENT)) == "unknown_root"
    assert gost_eds.ocsp_requests == 0  # a made-up certificate makes us ask nobody anything


def test_revoked_by_a_gost_ocsp_answer_or_a_gost_crl(app, gost_eds):
    person = gost_person(gost_eds)
    gost_eds.revoke(person)
    assert refused(sign_cms(person, STATEMENT)) == "revoked"
    gost_eds.knobs.ocsp_down = True
    other = gost_person(gost_eds)
    gost_eds.revoke(other)
    assert refused(sign_cms(other, STATEMENT)) == "revoked"  # from the CRL
    good = gost_person(gost_eds)
    assert verify.verify(sign_cms(good, STATEMENT), STATEMENT).crl_checked
    gost_eds.knobs.crl_down = True
    assert refused(sign_cms(gost_person(gost_eds), STATEMENT)) == "revocation_unknown"


# --- OpenSSL's GOST engine (Debian: libengine-gost-openssl; .ci/run installs it) ------------

def openssl(*args: str, cwd: Path, data: bytes | None = None) -> subprocess.CompletedProcess:
    if not shutil.which("openssl") or subprocess.run(["openssl", "engine", "gost"], capture_output=True).returncode:
        pytest.fail("OpenSSL's GOST engine is missing: apt-get install -y libengine-gost-openssl (.ci/run does)")
    return subprocess.run(["openssl", *args], cwd=cwd, input=data, capture_output=True, check=False)


def test_openssl_accepts_our_gost_signatures(app, tmp_path):
    """Our test CA's GOST certificates and CMS are what OpenSSL's GOST engine reads and
    verifies: the encodings (and so our verifier's conventions) are the standard's."""
    root = Authority("Dauys Test Root CA (GOST, TC26)", key=GostKey(512))
    person = gost_person(root, 512)
    (tmp_path / "root.pem").write_bytes(root.pem)
    (tmp_path / "signature.p7s").write_bytes(sign_cms(person, STATEMENT))
    done = openssl("cms", "-verify", "-engine", "gost", "-inform", "DER", "-in", "signature.p7s",
                   "-CAfile", "root.pem", "-purpose", "any", "-attime", str(int(clock.now().timestamp())),
                   cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == STATEMENT
    (tmp_path / "signature.p7s").write_bytes(sign_cms(person, STATEMENT, signed_content=b"other"))
    assert openssl("cms", "-verify", "-engine", "gost", "-inform", "DER", "-in", "signature.p7s", "-CAfile",
                   "root.pem", "-purpose", "any", cwd=tmp_path).returncode != 0


def test_we_accept_gost_signatures_openssl_makes(app, tmp_path):
    """A root, a person's certificate (IIN in SERIALNUMBER) and a CMS signature all made by
    OpenSSL's GOST engine verify here; altered, they do not."""
    iin = valid_iin()
    steps = [
        ("genpkey", "-engine", "gost", "-algorithm", "gost2012_512", "-pkeyopt", "paramset:A", "-out", "ca.key"),
        ("req", "-engine", "gost", "-new", "-x509", "-key", "ca.key", "-subj", "/C=KZ/CN=OpenSSL GOST Root",
         "-days", "3650", "-out", "ca.pem", "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign"),
        ("genpkey", "-engine", "gost", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:A", "-out", "me.key"),
        ("req", "-engine", "gost", "-new", "-key", "me.key", "-out", "me.csr",
         "-subj", f"/C=KZ/CN=SAPAROVA AIGERIM/SN=SAPAROVA/serialNumber=IIN{iin}"),
        ("x509", "-engine", "gost", "-req", "-in", "me.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
         "-set_serial", "7", "-days", "300", "-out", "me.pem", "-extfile", "ext.cnf"),
        ("cms", "-sign", "-engine", "gost", "-signer", "me.pem", "-inkey", "me.key", "-in", "statement.txt",
         "-binary", "-nodetach", "-outform", "DER", "-out", "signature.p7s"),
    ]
    (tmp_path / "ext.cnf").write_text("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,nonRepudiation\n")
    (tmp_path / "statement.txt").write_bytes(STATEMENT)
    for step in steps:
        done = openssl(*step, cwd=tmp_path)
        assert done.returncode == 0, (step, done.stderr)
    anchors = [cert for _, _, cert in pem.unarmor((tmp_path / "ca.pem").read_bytes(), multiple=True)]
    from asn1crypto import x509 as asn1_x509

    roots = [asn1_x509.Certificate.load(der) for der in anchors]
    cms_der = (tmp_path / "signature.p7s").read_bytes()
    # OpenSSL 3.0 dates its certificates by the wall clock (no -not_before before 3.4), whatever
    # time the run has chosen: they are checked at a moment inside their own validity.
    leaf = asn1_x509.Certificate.load(next(der for _, _, der in pem.unarmor((tmp_path / "me.pem").read_bytes(),
                                                                           multiple=True)))
    moment = leaf.not_valid_before + timedelta(minutes=1)
    found = verify.verify_offline(cms_der, STATEMENT, anchors=roots, ocsp=None, signed_at=moment)
    assert (found.iin, found.algorithm, found.surname) == (iin, "gost2015-256", "SAPAROVA")
    damaged = bytearray(cms_der)
    damaged[-5] ^= 0x01  # inside the signature value, the last field of the CMS
    with pytest.raises(verify.EdsError) as caught:
        verify.verify_offline(bytes(damaged), STATEMENT, anchors=roots, ocsp=None, signed_at=moment)
    assert caught.value.code == "bad_signature"


def test_signing_a_petition_with_a_gost_key_and_its_receipt(app, client, auth, eds, tmp_path, monkeypatch):
    """Through the real request path: a GOST signature is written with its evidence, and the
    receipt's own OpenSSL command (with the GOST engine) accepts it."""
    import io
    import zipfile

    from sqlalchemy import select

    from app.extensions import db
    from app.models import Signature, SignatureEvidence
    from tests.eds.test_eds_signing import open_page, send
    from tests.support import make_petition, make_user

    root = Authority("Dauys Test Root CA (GOST, TC26)", key=GostKey(512))
    root.start()
    try:
        (tmp_path / "anchors.pem").write_bytes(eds.pem + root.pem)
        monkeypatch.setitem(app.config, "EDS_TRUST_ANCHORS", str(tmp_path / "anchors.pem"))
        iin = valid_iin()
        user = make_user("gost@example.kz", iin=iin)
        person = root.issue(Person(iin, key=GostKey(256)))
        petition = make_petition()
        client.language = "en"
        auth.login("gost@example.kz")
        statement = open_page(client, petition)
        assert send(client, petition, statement, sign_cms(person, statement.encode())).status_code == 302
        signature = db.session.scalar(select(Signature).where(Signature.user_id == user.id))
        assert db.session.get(SignatureEvidence, signature.id).algorithm == "gost2015-256"
        receipt = client.get(f"/petitions/{petition.id}/signed/receipt.zip")
        assert receipt.status_code == 200
    finally:
        root.stop()
    out = tmp_path / "receipt"
    zipfile.ZipFile(io.BytesIO(receipt.data)).extractall(out)
    how = (out / "HOW-TO-CHECK.txt").read_text()
    assert "GOST R 34.10-2015 (gost2015-256)" in how
    command = next(line.strip() for line in how.splitlines() if line.strip().startswith("openssl cms -verify"))
    assert "-engine gost" in command
    (out / "trust-anchors.pem").write_bytes(root.pem)  # the tests' own root, not the receipt's copy
    done = openssl(*command.split()[1:], cwd=out)
    assert done.returncode == 0 and b"Verification successful" in done.stderr, done.stderr
    assert (out / "checked.txt").read_text() == statement
