"""Signing a petition with an EDS: the statement issued to the signer, and the signature
that comes back, verified (app.eds.verify) before anything is written. A refusal writes
nothing: the signature row and its evidence are written together, after every check.

What is written: the signature (assurance "eds"), and its evidence (the statement, the CMS
and the OCSP answer) sealed with the evidence key; the account's identity is then proved by
its own certificate (identity level "eds")."""

from __future__ import annotations

import base64
import binascii

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from app.accounts.identity import provider
from app.core import clock
from app.eds import evidence, statements, trust, verify
from app.eds.errors import EdsError
from app.eds.statements import Statement
from app.extensions import db
from app.models import IdentityLevel, Petition, Signature, SignatureEvidence, User
from app.petitions import services
from app.petitions.services import PetitionError


def _petition(petition_id: int) -> Petition:
    if not trust.enabled():
        raise EdsError("unavailable", status=404)
    petition = db.session.get(Petition, petition_id)
    if petition is None:
        raise PetitionError("not_found")
    return petition


def statement_for(petition_id: int, user: User) -> Statement:
    """A new statement for `user` to sign. Raises EdsError("unavailable", 404) while EDS
    signing is off, PetitionError when the account cannot sign this petition."""
    petition = _petition(petition_id)
    problem = services.signing_problem(petition, user)
    if problem:
        raise PetitionError(problem, region=petition.body.region)
    return statements.issue(petition, user)


def evidence_of(petition: Petition, user: User) -> SignatureEvidence | None:
    """The evidence of this account's EDS signature of this petition, if it signed so."""
    return db.session.scalar(select(SignatureEvidence).join(Signature).where(
        Signature.petition_id == petition.id, Signature.user_id == user.id))


def _cms(encoded: str) -> bytes:
    lines = (encoded or "").strip().splitlines()
    text = "".join("".join(line.split()) for line in lines if not line.strip().startswith("-----"))
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise EdsError("malformed") from None


def sign(petition_id: int, user: User, statement_text: str, cms_base64: str, *, show_name: bool, notify: bool,
         meta: dict | None = None, link_key: str | None = None) -> bool:
    """Sign with an EDS: the statement must be the one issued to this account for this
    petition (unexpired, its nonce unspent), the CMS a valid signature of exactly that
    statement by a certificate whose IIN is the account's. Returns whether it was a
    sponsor's signature. Raises EdsError (each reason, app.eds.errors) or PetitionError
    (the petition's own rules, as for any signature)."""
    petition = _petition(petition_id)
    problem = services.identity_problem(user)
    if problem:
        raise PetitionError(problem)
    text = statement_text.replace("\r\n", "\n")
    # A statement signed once says so, even if the account's name has changed since.
    if db.session.scalar(select(exists().where(SignatureEvidence.nonce_hash == statements.nonce_hash_of(text)))):
        raise EdsError("nonce_used", status=409)
    statement = statements.check(text, petition, user)
    if services.has_signed(petition, user):
        raise PetitionError("already_signed")
    cms_der = _cms(cms_base64)
    verified = verify.verify(cms_der, statement.text.encode())
    if user.iin_hmac is None or provider().claim(verified.iin).person_key != user.iin_hmac:
        raise EdsError("iin_mismatch", status=403)
    sponsor = services.sign(petition.id, user, show_name=show_name, notify=notify, meta=meta, link_key=link_key,
                            assurance=IdentityLevel.EDS)
    signature_id = db.session.scalar(select(Signature.id).where(Signature.petition_id == petition.id,
                                                                Signature.user_id == user.id))
    sealed = evidence.seal({"statement": statement.text, "cms": cms_der,
                            "ocsp": verified.ocsp_response, "algorithm": verified.algorithm})
    try:
        with db.session.begin_nested():
            db.session.add(SignatureEvidence(
                signature_id=signature_id, nonce_hash=statement.nonce_hash, algorithm=verified.algorithm,
                revocation="crl" if verified.crl_checked else "ocsp", signed_at=verified.signing_time, sealed=sealed))
            db.session.flush()
    except IntegrityError:
        raise EdsError("nonce_used", status=409) from None
    _vouched_by_certificate(user, verified)
    return sponsor


def _vouched_by_certificate(user: User, verified) -> None:
    """The account's identity is now proved by its own certificate: its level, and, for an
    account whose name was typed, the name the certificate holds (the NCA RK writes the
    surname in SURNAME, "SURNAME GIVEN" in CN and the patronymic in GIVENNAME, in capitals)."""
    if user.identity_level is IdentityLevel.SELF_DECLARED:
        surname = verified.surname.strip()
        common = verified.common_name.strip()
        given = common[len(surname):].strip() if surname and common.upper().startswith(surname.upper()) else ""
        if surname and given:
            user.surname, user.given_name = surname.title()[:100], given.title()[:100]
            user.patronymic = verified.given_name.strip().title()[:100] or None
            user.name_unconfirmed = False
    user.identity_level, user.identity_verified_at = IdentityLevel.EDS, clock.now()
