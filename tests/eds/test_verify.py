"""Verifying EDS signatures against the tests' own certification authority, its OCSP
responder and CRL (real servers on 127.0.0.1): each way a signature can be wrong is
refused with its own code."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from app.core import clock
from app.eds import verify
from app.eds.errors import MESSAGES, EdsError
from tests.eds_ca import Authority, Person, sign_cms
from tests.support import valid_iin

STATEMENT = b"Petition 7: I sign it.\nNonce: abc\n"


def refused(cms_der: bytes, statement: bytes = STATEMENT) -> str:
    with pytest.raises(EdsError) as caught:
        verify.verify(cms_der, statement)
    assert caught.value.message()  # every code has its message
    return caught.value.code


def test_a_good_signature_attached_or_detached(app, eds):
    person = eds.issue(Person(valid_iin()))
    found = verify.verify(sign_cms(person, STATEMENT), STATEMENT)
    assert (found.iin, found.algorithm, found.crl_checked) == (person.iin, "rsa-sha256", False)
    assert found.surname == "САПАРОВА" and found.ocsp_response and found.certificate == person.cert_der
    assert verify.verify(sign_cms(person, STATEMENT, detached=True), STATEMENT).iin == person.iin
    assert eds.ocsp_requests == 1  # the second asked nobody: the answer is kept per certificate


def test_another_statement_or_a_swapped_content(app, eds):
    person = eds.issue(Person(valid_iin()))
    assert refused(sign_cms(person, STATEMENT), b"Petition 8: I sign it.") == "content"
    assert refused(sign_cms(person, STATEMENT, signed_content=b"something else")) == "content"
    assert refused(sign_cms(person, STATEMENT, detached=True), b"altered") == "content"


def test_made_with_another_key(app, eds):
    person = eds.issue(Person(valid_iin()))
    impostor = Person(person.iin, key=rsa.generate_private_key(65537, 2048), cert=person.cert)
    assert refused(sign_cms(impostor, STATEMENT)) == "bad_signature"


@pytest.mark.parametrize("junk", [b"", b"not a cms at all", b"\x30\x03\x02\x01\x01", b"\x30" * 70_000])
def test_junk(app, eds, junk):
    assert refused(junk) == "malformed"


def test_an_unknown_root(app, eds):
    other = Authority("Somebody's Root")
    assert refused(sign_cms(other.issue(Person(valid_iin())), STATEMENT)) == "unknown_root"


def test_expired_and_not_yet_valid(app, eds):
    now = clock.now()
    old = eds.issue(Person(valid_iin()), not_before=now - timedelta(days=400), not_after=now - timedelta(days=1))
    assert refused(sign_cms(old, STATEMENT)) == "expired"
    early = eds.issue(Person(valid_iin()), not_before=now + timedelta(days=1), not_after=now + timedelta(days=30))
    assert refused(sign_cms(early, STATEMENT)) == "expired"


def test_a_key_for_logging_in_does_not_sign(app, eds):
    assert refused(sign_cms(eds.issue(Person(valid_iin()), signing=False), STATEMENT)) == "not_for_signing"


def test_revoked_by_ocsp_and_by_crl(app, eds):
    person = eds.issue(Person(valid_iin()))
    eds.revoke(person)
    assert refused(sign_cms(person, STATEMENT)) == "revoked"
    eds.knobs.ocsp_down = True
    other = eds.issue(Person(valid_iin()))
    eds.revoke(other)
    assert refused(sign_cms(other, STATEMENT)) == "revoked"  # from the CRL


def test_ocsp_down_falls_back_to_the_crl(app, eds):
    eds.knobs.ocsp_down = True
    found = verify.verify(sign_cms(eds.issue(Person(valid_iin())), STATEMENT), STATEMENT)
    assert found.crl_checked and found.ocsp_response is None


def test_an_unknown_ocsp_answer_falls_back_to_the_crl(app, eds):
    eds.knobs.ocsp_unknown = True
    assert verify.verify(sign_cms(eds.issue(Person(valid_iin())), STATEMENT), STATEMENT).crl_checked


def test_ocsp_down_and_no_crl(app, eds):
    eds.knobs.ocsp_down = eds.knobs.crl_down = True
    with pytest.raises(EdsError) as caught:
        verify.verify(sign_cms(eds.issue(Person(valid_iin())), STATEMENT), STATEMENT)
    assert caught.value.code == "revocation_unknown" and caught.value.status == 422


def test_every_code_has_a_message_in_each_language(app):
    from flask_babel import force_locale

    with app.test_request_context():
        for code in MESSAGES:
            with force_locale("en"):
                english = EdsError(code).message()
            for language in ("kk", "ru"):
                with force_locale(language):
                    assert EdsError(code).message() not in ("", english), (code, language)


def test_a_made_up_certificate_makes_us_fetch_nothing(app, eds):
    # Same issuer name as the trusted root, another key: its OCSP and CRL addresses are the
    # impostor's own server, which must never be asked.
    impostor = Authority("Dauys Test Root CA")
    impostor.start()
    try:
        person = impostor.issue(Person(valid_iin()))
        assert refused(sign_cms(person, STATEMENT)) == "unknown_root"
        assert impostor.ocsp_requests == 0 and eds.ocsp_requests == 0
    finally:
        impostor.stop()


def test_an_algorithm_we_do_not_know_is_refused_not_a_crash(app, eds):
    from asn1crypto import cms

    info = cms.ContentInfo.load(sign_cms(eds.issue(Person(valid_iin())), STATEMENT))
    signer = info["content"]["signer_infos"][0]
    signer["signature_algorithm"] = {"algorithm": "1.2.643.7.1.1.3.2"}  # GOST R 34.10-2012 with Streebog-256
    assert refused(info.dump()) in ("algorithm", "malformed")
