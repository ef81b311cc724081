"""The addressee's evidence bundle: an official of the body downloads it once the petition
has reached its threshold, and `flask evidence verify` recounts and checks it offline (no
database), reports the same count as the petition page, and reports a tampered file."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ReviewCase, Role, Signature
from tests.eds.test_eds_signing import open_page, send
from tests.eds_ca import GostKey, Person, sign_cms
from tests.support import (
    login,
    make_petition,
    make_user,
    page_text,
    restore_threshold,
    set_fixed_threshold,
    settle,
    valid_iin,
)


@pytest.fixture
def crossed(app, client, eds, gost_eds):
    """A petition to the Government with three EDS signatures (the second made with a GOST
    key), past a threshold of 3."""
    body, saved = set_fixed_threshold("GOV", 3)
    petition = make_petition(body="GOV")
    for n in range(3):
        iin = valid_iin()
        make_user(f"eds{n}@example.kz", iin=iin)
        person = gost_eds.issue(Person(iin, key=GostKey(512, "nca"))) if n == 1 else eds.issue(Person(iin))
        signer = app.test_client()
        signer.language = "en"
        login(signer, f"eds{n}@example.kz")
        statement = open_page(signer, petition)
        assert send(signer, petition, statement, sign_cms(person, statement.encode())).status_code == 302
    settle()
    yield petition
    restore_threshold(body, saved)


def download(client, petition) -> bytes:
    make_user("official@gov.kz", roles=(Role.OFFICIAL,), body="GOV")
    login(client, "official@gov.kz")
    case = db.session.scalar(select(ReviewCase).where(ReviewCase.petition_id == petition.id))
    assert case is not None, "the petition reached its threshold"
    response = client.get(f"/review/cases/{case.id}/evidence.zip")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/zip"
    return response.data


def test_the_bundle_recounts_to_the_petition_page_and_catches_tampering(app, client, crossed, gost_eds, runner, tmp_path):
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(download(client, crossed))
    anchors = tmp_path / "nca.pem"
    anchors.write_bytes(gost_eds.bundle.read_bytes())

    result = runner.invoke(args=["evidence", "verify", str(bundle), "--anchors", str(anchors)])
    assert result.exit_code == 0, result.output
    client.language = "en"
    page = page_text(client.get(f"/petitions/{crossed.id}"))
    assert "3 valid EDS signature(s) counted" in result.output
    assert "of which 3 signed with an EDS" in page and 'data-testid="signature-count">3<' in client.get(
        f"/petitions/{crossed.id}").get_data(as_text=True)

    # One statement altered in the bundle: that signature fails, the count drops, exit 1.
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(tampered, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "signatures/000002/statement.txt":
                data = data.replace(b"Petition number", b"Petition numbr")
            target.writestr(item, data)
    result = runner.invoke(args=["evidence", "verify", str(tampered), "--anchors", str(anchors)])
    assert result.exit_code == 1
    assert "FAILED signatures/000002: content" in result.output and "2 valid EDS signature(s)" in result.output

    # Against roots that are not the NCA's, nothing checks.
    from tests.eds_ca import Authority

    stranger = tmp_path / "other.pem"
    stranger.write_bytes(Authority("Other").pem)
    result = runner.invoke(args=["evidence", "verify", str(bundle), "--anchors", str(stranger)])
    assert result.exit_code == 1 and result.output.count("unknown_root") == 3


def test_an_invalidated_signature_is_listed_with_its_run(app, client, crossed, gost_eds, runner, tmp_path):
    import json

    from app.core import clock
    from app.models import RemovalCategory, SignatureInvalidation
    from app.models.integrity import InvalidationKind

    admin = make_user("mod@example.kz", roles=(Role.MODERATOR,))
    run = SignatureInvalidation(kind=InvalidationKind.INVALIDATE, created_by_id=admin.id, criteria={},
                                category=RemovalCategory.IDENTITY_MISUSE, note="test", created_at=clock.now())
    db.session.add(run)
    db.session.flush()
    victim = db.session.scalars(select(Signature).where(Signature.petition_id == crossed.id)
                                .order_by(Signature.id)).first()
    victim.valid, victim.invalidation_id = False, run.id
    db.session.commit()
    data = download(client, crossed)
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("manifest.json"))
    first = manifest["signatures"][0]
    assert first["counts"] is False and first["invalidated"]["run"] == run.id
    assert first["invalidated"]["reason"] == "identity_misuse"
    bundle = tmp_path / "b.zip"
    bundle.write_bytes(data)
    anchors = tmp_path / "nca.pem"
    anchors.write_bytes(gost_eds.bundle.read_bytes())
    result = runner.invoke(args=["evidence", "verify", str(bundle), "--anchors", str(anchors)])
    assert "2 valid EDS signature(s) counted, 1 more valid but removed by the moderators" in result.output


def test_only_the_addressee_s_officials(app, client, crossed):
    make_user("official@health.kz", roles=(Role.OFFICIAL,), body="MIN-HEALTH")
    login(client, "official@health.kz")
    case = db.session.scalar(select(ReviewCase).where(ReviewCase.petition_id == crossed.id))
    assert client.get(f"/review/cases/{case.id}/evidence.zip").status_code == 403
    make_user("citizen@example.kz")
    stranger = app.test_client()
    login(stranger, "citizen@example.kz")
    assert stranger.get(f"/review/cases/{case.id}/evidence.zip").status_code in (403, 404)


def test_a_signature_listed_twice_counts_once(app, client, crossed, gost_eds, runner, tmp_path):
    """Even by the operator itself, signing the doubled manifest."""
    import json

    from app.eds import operator

    data = download(client, crossed)
    doubled = tmp_path / "doubled.zip"
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(doubled, "w") as target:
        for item in source.infolist():
            body = source.read(item)
            if item.filename == "manifest.json":
                manifest = json.loads(body)
                manifest["signatures"].append(manifest["signatures"][0])
                manifest["eds_signatures_counted"] += 1
                body = json.dumps(manifest).encode()
                target.writestr("manifest.p7s", operator.sign(body))
            if item.filename == "manifest.p7s":
                continue
            target.writestr(item, body)
    anchors = tmp_path / "nca.pem"
    anchors.write_bytes(gost_eds.bundle.read_bytes())
    result = runner.invoke(args=["evidence", "verify", str(doubled), "--anchors", str(anchors)])
    assert result.exit_code == 1 and "listed twice" in result.output and "3 valid EDS signature(s)" in result.output
    assert result.output.count("FAILED") == 1  # the manifest's signature itself holds


def operator_files(tmp_path, name: str):
    """An operator's RSA key and certificate, as PEM files."""
    from cryptography.hazmat.primitives import serialization

    from tests.eds_ca import Authority

    authority = Authority(name)
    key = tmp_path / f"{name}.key"
    key.write_bytes(authority.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                serialization.NoEncryption()))
    cert = tmp_path / f"{name}.pem"
    cert.write_bytes(authority.pem)
    return key, cert


def test_the_manifest_is_the_operator_s_word(app, client, crossed, gost_eds, runner, tmp_path, monkeypatch):
    import shutil
    import subprocess

    key, cert = operator_files(tmp_path, "Dauys Operator")
    monkeypatch.setitem(app.config, "EDS_BUNDLE_KEY", str(key))
    monkeypatch.setitem(app.config, "EDS_BUNDLE_CERT", str(cert))
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(download(client, crossed))
    anchors = tmp_path / "nca.pem"
    anchors.write_bytes(gost_eds.bundle.read_bytes())

    def verify(path, operator_pem):
        return runner.invoke(args=["evidence", "verify", str(path), "--anchors", str(anchors),
                                   "--operator", str(operator_pem)])

    result = verify(bundle, cert)
    assert result.exit_code == 0, result.output
    assert "manifest signed by Common Name: Dauys Operator" in result.output

    # Another operator's certificate: the manifest is not its word.
    _other_key, other_cert = operator_files(tmp_path, "Somebody Else")
    result = verify(bundle, other_cert)
    assert result.exit_code == 1 and "not by the operator given" in result.output

    # A count changed in the manifest, or its signature taken out: refused.
    def rewritten(name: str, change) -> Path:
        out = tmp_path / name
        with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(out, "w") as target:
            for item in source.infolist():
                body = change(item.filename, source.read(item))
                if body is not None:
                    target.writestr(item, body)
        return out

    inflated = rewritten("inflated.zip", lambda name, body: body.replace(b'"eds_signatures_counted": 3',
                                                                          b'"eds_signatures_counted": 4')
                         if name == "manifest.json" else body)
    result = verify(inflated, cert)
    assert result.exit_code == 1 and "manifest.json: its signature fails (content)" in result.output
    unsigned = rewritten("unsigned.zip", lambda name, body: None if name == "manifest.p7s" else body)
    result = verify(unsigned, cert)
    assert result.exit_code == 1 and "manifest.json: not signed" in result.output

    # The README's OpenSSL command checks the manifest too.
    if not shutil.which("openssl"):
        pytest.fail("openssl is not installed")
    unpacked = tmp_path / "unpacked"
    zipfile.ZipFile(bundle).extractall(unpacked)
    command = ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", "manifest.p7s", "-content",
               "manifest.json", "-CAfile", str(cert), "-purpose", "any", "-out", "/dev/null"]
    assert "-content manifest.json" in (unpacked / "README.txt").read_text()
    done = subprocess.run(command, cwd=unpacked, capture_output=True, text=True)
    assert done.returncode == 0 and "Verification successful" in done.stderr, done.stderr


def test_the_command_line_writes_the_same_bundle(app, client, crossed, gost_eds, runner, tmp_path):
    out = tmp_path / "from-cli.zip"
    result = runner.invoke(args=["evidence", "bundle", str(crossed.id), "-o", str(out)])
    assert result.exit_code == 0, result.output
    anchors = tmp_path / "nca.pem"
    anchors.write_bytes(gost_eds.bundle.read_bytes())
    result = runner.invoke(args=["evidence", "verify", str(out), "--anchors", str(anchors)])
    assert result.exit_code == 0 and "3 valid EDS signature(s) counted" in result.output
    downloaded = download(client, crossed)
    assert sorted(zipfile.ZipFile(out).namelist()) == sorted(zipfile.ZipFile(io.BytesIO(downloaded)).namelist())
    result = runner.invoke(args=["evidence", "bundle", "999999", "-o", str(tmp_path / "none.zip")])
    assert result.exit_code != 0 and "no petition 999999" in result.output


def test_the_download_is_streamed_from_a_file_with_its_length(app, client, crossed):
    make_user("official@gov.kz", roles=(Role.OFFICIAL,), body="GOV")
    login(client, "official@gov.kz")
    case = db.session.scalar(select(ReviewCase).where(ReviewCase.petition_id == crossed.id))
    response = client.get(f"/review/cases/{case.id}/evidence.zip")
    assert response.status_code == 200 and response.is_streamed
    assert int(response.headers["Content-Length"]) == len(response.data)
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="dauys-petition-{crossed.id}-eds-evidence.zip"')
    assert "no-store" in response.headers["Cache-Control"]
