"""Signing a petition with an EDS through the real request path: the page issues a
statement, the signature of it (made here as NCALayer makes it, with a key of the tests'
certification authority) comes back in the form, and the server verifies it before
writing the signature and its sealed evidence. Every refusal is a 4xx with its own
message, and writes nothing."""

from __future__ import annotations

import base64
import html
import re
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func, select

from app.eds import evidence
from app.eds.errors import MESSAGES
from app.extensions import db
from app.models import IdentityLevel, Signature, SignatureEvidence, User
from tests.eds_ca import Authority, Person, sign_cms
from tests.support import make_petition, make_user, page_text, post, translated, valid_iin


@pytest.fixture(autouse=True)
def _in_english(client):
    client.language = "en"


@pytest.fixture
def signer(eds):
    iin = valid_iin()
    user = make_user("signer@example.kz", iin=iin)
    return user, eds.issue(Person(iin))


def statement_of(page) -> str:
    match = re.search(r'name="statement" type="hidden" value="([^"]*)"', page.get_data(as_text=True))
    assert match, "the form carries the statement"
    return html.unescape(match.group(1))


def open_page(client, petition):
    page = client.get(f"/petitions/{petition.id}/sign/eds")
    assert page.status_code == 200, page.status_code
    return statement_of(page)


def send(client, petition, statement: str, cms: bytes | str, **extra):
    cms_text = cms if isinstance(cms, str) else base64.b64encode(cms).decode()
    return post(client, f"/petitions/{petition.id}/sign/eds", {"statement": statement, "cms": cms_text, **extra},
                token_from="/account")


def written() -> tuple[int, int]:
    db.session.rollback()
    return (db.session.scalar(select(func.count()).select_from(Signature)),
            db.session.scalar(select(func.count()).select_from(SignatureEvidence)))


def test_signing_with_an_eds(client, auth, signer, eds):
    user, person = signer
    petition = make_petition()
    auth.login("signer@example.kz")
    statement = open_page(client, petition)
    assert f"Petition number: {petition.id}" in statement and "Nonce: " in statement
    assert user.full_name in statement and person.iin not in statement

    response = send(client, petition, statement, sign_cms(person, statement.encode()), show_name="y")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/petitions/{petition.id}/signed")
    signature = db.session.scalar(select(Signature).where(Signature.user_id == user.id))
    assert signature.assurance is IdentityLevel.EDS and signature.petition_id == petition.id
    kept = db.session.get(SignatureEvidence, signature.id)
    assert kept.algorithm == "rsa-sha256" and kept.revocation == "ocsp"
    assert person.iin.encode() not in kept.sealed
    opened = evidence.open_sealed(kept.sealed)
    assert opened["statement"] == statement and opened["ocsp"] and opened["cms"]
    db.session.refresh(user)
    assert user.identity_level is IdentityLevel.EDS


def test_the_petition_page_offers_it(client, auth, signer):
    petition = make_petition()
    auth.login("signer@example.kz")
    page = page_text(client.get(f"/petitions/{petition.id}"))
    assert "Sign with an EDS" in page
    eds_page = client.get(f"/petitions/{petition.id}/sign/eds")
    assert "wss://127.0.0.1:13579/" in eds_page.headers["Content-Security-Policy"]
    assert eds_page.headers["Cache-Control"].startswith("private") or "no-store" in eds_page.headers["Cache-Control"]


def test_off_without_trust_anchors(client, auth):
    make_user("plain@example.kz")
    petition = make_petition()
    auth.login("plain@example.kz")
    assert "Sign with an EDS" not in page_text(client.get(f"/petitions/{petition.id}"))
    response = client.get(f"/petitions/{petition.id}/sign/eds")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/petitions/{petition.id}")
    assert str(translated(MESSAGES["unavailable"], "en")) in page_text(client.get(response.headers["Location"]))
    before = written()
    sent = post(client, f"/petitions/{petition.id}/sign/eds", {"statement": "x", "cms": "eA=="},
                token_from=f"/petitions/{petition.id}")
    assert sent.status_code == 404 and written() == before


def refusal(client, petition, statement, cms, code: str, status: int):
    before = written()
    response = send(client, petition, statement, cms)
    assert response.status_code == status, (code, response.status_code)
    message = MESSAGES[code]
    if not callable(message):  # (a message that states a setting is checked by its caller)
        assert str(translated(message, "en")) in page_text(response), code
    assert written() == before, "a refusal writes nothing"
    return response


def test_each_refusal_is_a_clear_page_and_writes_nothing(client, auth, signer, eds, clock):
    from app.core import clock as app_clock

    now = clock.set(app_clock.now())
    user, person = signer
    petition = make_petition()
    auth.login("signer@example.kz")
    statement = open_page(client, petition)
    data = statement.encode()

    impostor = Person(person.iin, key=rsa.generate_private_key(65537, 2048), cert=person.cert)
    refusal(client, petition, statement, sign_cms(impostor, data), "bad_signature", 422)
    refusal(client, petition, statement, sign_cms(Authority("Stranger").issue(Person(person.iin)), data),
            "unknown_root", 422)
    old = eds.issue(Person(person.iin), not_before=now - timedelta(days=400), not_after=now - timedelta(days=1))
    refusal(client, petition, statement, sign_cms(old, data), "expired", 422)
    refusal(client, petition, statement, sign_cms(eds.issue(Person(person.iin), signing=False), data),
            "not_for_signing", 422)
    other = eds.issue(Person(valid_iin()))
    refusal(client, petition, statement, sign_cms(other, data), "iin_mismatch", 403)
    altered = statement.replace("Petition number", "Petition numbr")
    refusal(client, petition, altered, sign_cms(person, altered.encode()), "content", 422)
    refusal(client, petition, statement, sign_cms(person, b"something else"), "content", 422)
    refusal(client, petition, statement, "this is not base64!", "malformed", 422)
    refusal(client, petition, statement, base64.b64encode(b"not a cms"), "malformed", 422)
    revoked = eds.issue(Person(person.iin))
    eds.revoke(revoked)
    refusal(client, petition, statement, sign_cms(revoked, data), "revoked", 422)
    eds.knobs.ocsp_down = eds.knobs.crl_down = True
    refusal(client, petition, statement, sign_cms(eds.issue(Person(person.iin)), data), "revocation_unknown", 422)
    eds.knobs.ocsp_down = eds.knobs.crl_down = False

    clock.advance(seconds=601)
    response = refusal(client, petition, statement, sign_cms(person, data), "statement_expired", 422)
    assert "minutes ago" in page_text(response)
    db.session.refresh(user)
    assert user.identity_level is IdentityLevel.SELF_DECLARED


def test_a_statement_for_another_petition_or_account(client, auth, signer, eds):
    _user, person = signer
    first, second = make_petition(), make_petition()
    auth.login("signer@example.kz")
    statement = open_page(client, first)
    refusal(client, second, statement, sign_cms(person, statement.encode()), "statement_invalid", 422)
    forged = statement.replace(statement.split("Nonce: ")[1].split("\n")[0], "made-up")
    refusal(client, first, forged, sign_cms(person, forged.encode()), "statement_invalid", 422)


def test_a_replayed_signature(client, auth, signer, eds):
    _user, person = signer
    petition = make_petition()
    auth.login("signer@example.kz")
    statement = open_page(client, petition)
    cms = sign_cms(person, statement.encode())
    assert send(client, petition, statement, cms).status_code == 302
    refusal(client, petition, statement, cms, "nonce_used", 409)
    assert written()[0] >= 1


def test_crl_when_the_ocsp_responder_is_down(client, auth, signer, eds):
    user, person = signer
    eds.knobs.ocsp_down = True
    petition = make_petition()
    auth.login("signer@example.kz")
    statement = open_page(client, petition)
    assert send(client, petition, statement, sign_cms(person, statement.encode(), detached=True)).status_code == 302
    signature = db.session.scalar(select(Signature).where(Signature.user_id == user.id))
    assert db.session.get(SignatureEvidence, signature.id).revocation == "crl"


def test_anonymous_readers_are_sent_to_log_in(client, eds):
    petition = make_petition()
    response = client.get(f"/petitions/{petition.id}/sign/eds")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_nothing_about_the_iin_leaks(app, client, auth, signer, eds, caplog):
    import logging

    from app.core import redis_client
    from tests.accounts.test_no_raw_iin import database_dump
    from tests.support import redis_dump

    _user, person = signer
    petition = make_petition()
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
    try:
        auth.login("signer@example.kz")
        statement = open_page(client, petition)
        assert send(client, petition, statement, sign_cms(person, statement.encode())).status_code == 302
        receipt_page = client.get(f"/petitions/{petition.id}/signed")
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    db.session.commit()
    assert db.session.scalar(select(User).where(User.email == "signer@example.kz"))
    for where, text in (("database", database_dump(app)), ("redis", redis_dump(redis_client.connection(app))),
                        ("logs", caplog.text), ("page", receipt_page.get_data(as_text=True))):
        assert person.iin not in text, where


@pytest.mark.parametrize("detached", [False, True])
def test_the_receipt_checks_with_openssl_against_the_ca(client, auth, signer, eds, tmp_path, detached):
    import io
    import shutil
    import subprocess
    import zipfile

    from app.core import clock as app_clock

    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    _user, person = signer
    petition = make_petition()
    auth.login("signer@example.kz")
    statement = open_page(client, petition)
    send(client, petition, statement, sign_cms(person, statement.encode(), detached=detached))
    assert "Download the receipt" in page_text(client.get(f"/petitions/{petition.id}/signed"))
    response = client.get(f"/petitions/{petition.id}/signed/receipt.zip")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/zip"
    assert "no-store" in response.headers["Cache-Control"]
    zipfile.ZipFile(io.BytesIO(response.data)).extractall(tmp_path)
    assert (tmp_path / "statement.txt").read_text() == statement
    ca = tmp_path / "tests-ca.pem"
    ca.write_bytes(eds.pem)  # the tests' own CA, not the copy in the receipt
    command = ["openssl", "cms", "-verify", "-inform", "DER", "-in", "signature.p7s", "-CAfile", str(ca),
               "-purpose", "any", "-attime", str(int(app_clock.now().timestamp())), "-out", "checked.txt"]
    if detached:
        command[7:7] = ["-content", "statement.txt", "-binary"]
    checked = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert checked.returncode == 0 and "Verification successful" in checked.stderr, checked.stderr
    assert (tmp_path / "checked.txt").read_text() == statement
    how = (tmp_path / "HOW-TO-CHECK.txt").read_text()
    assert ("-content statement.txt" in how) is detached
    ocsp = subprocess.run(["openssl", "ocsp", "-respin", "ocsp-response.der", "-resp_text", "-noverify"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert "Cert Status: good" in ocsp.stdout

    # Tampered with, the statement no longer checks.
    (tmp_path / "statement.txt").write_text(statement.replace("Petition", "Petitiom"))
    if detached:
        assert subprocess.run(command, cwd=tmp_path, capture_output=True).returncode != 0


def test_only_my_own_receipt(client, auth, signer, eds):
    _user, person = signer
    petition = make_petition()
    auth.login("signer@example.kz")
    statement = open_page(client, petition)
    send(client, petition, statement, sign_cms(person, statement.encode()))
    post(client, "/logout")
    make_user("someone@example.kz")
    auth.login("someone@example.kz")
    assert client.get(f"/petitions/{petition.id}/signed/receipt.zip").status_code == 404


def test_the_count_by_level_on_the_page_the_api_and_the_csv(client, auth, signer, eds):
    import csv
    import io

    from tests.support import settle

    _user, person = signer
    petition = make_petition(signatures=2)
    auth.login("signer@example.kz")
    statement = open_page(client, petition)
    send(client, petition, statement, sign_cms(person, statement.encode()))
    settle()
    post(client, "/logout")
    page = page_text(client.get(f"/petitions/{petition.id}"))
    assert "of which 1 signed with an EDS" in page and "2 by accounts whose IIN was typed" in page
    api = client.get(f"/api/v1/petitions/{petition.id}").get_json()
    assert api["signature_count"] == 3
    assert api["signatures_by_assurance"] == {"self_declared": 2, "state_idp": 0, "eds": 1}
    rows = list(csv.reader(io.StringIO(client.get("/petitions/export.csv").get_data(as_text=True).lstrip("\ufeff"))))
    header, row = rows[0], next(r for r in rows[1:] if r[0] == str(petition.id))
    assert row[header.index("Signatures")] == "3" and row[header.index("Of which signed with an EDS")] == "1"


def test_a_typed_name_gives_way_to_the_certificate_s(client, auth, signer, eds):
    user, person = signer
    petition = make_petition()
    auth.login("signer@example.kz")
    statement = open_page(client, petition)
    assert send(client, petition, statement, sign_cms(person, statement.encode())).status_code == 302
    db.session.refresh(user)
    assert (user.surname, user.given_name, user.patronymic) == ("Сапарова", "Айгерім", "Қайратқызы")


def test_a_signature_pasted_as_pem(client, auth, signer, eds):
    _user, person = signer
    petition = make_petition()
    auth.login("signer@example.kz")
    statement = open_page(client, petition)
    body = base64.encodebytes(sign_cms(person, statement.encode())).decode()
    pem = f"-----BEGIN CMS-----\n{body}-----END CMS-----\n"
    assert send(client, petition, statement, pem).status_code == 302
