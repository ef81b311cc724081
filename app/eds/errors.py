"""The refusal of an EDS signature: each reason its own code and message."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.core.refusals import Refusal


def _expired_statement(_refusal) -> str:
    minutes = max(1, current_app.config["EDS_STATEMENT_SECONDS"] // 60)
    return ngettext("The statement to sign was issued more than %(num)d minute ago. Sign again: a new one is issued.",
                    "The statement to sign was issued more than %(num)d minutes ago. Sign again: a new one is issued.",
                    minutes)


MESSAGES = {
    "malformed": _l("What your signing program sent is not a signature we can read (CMS). Sign again; if it "
                    "happens again, update NCALayer."),
    "content": _l("The signature is not over the statement we issued: the text was changed. Nothing was saved. "
                  "Sign again."),
    "algorithm": _l("This signature uses an algorithm we do not accept. Sign with your NCA RK signing key "
                    "(RSA or GOST)."),
    "bad_signature": _l("The signature does not match its certificate: it was damaged or made with another key. "
                        "Nothing was saved."),
    "no_iin": _l("The certificate has no IIN in it: sign with the signing key of a person's certificate."),
    "unknown_root": _l("The certificate was not issued by the National Certification Authority of Kazakhstan "
                       "(NCA RK), so we cannot accept it."),
    "expired": _l("Your certificate is not valid now (it has expired or is not yet valid). Get a new one at "
                  "pki.gov.kz or in eGov mobile."),
    "not_for_signing": _l("This certificate is for logging in, not for signing (its key usage). Choose your "
                          "signing key (RSA or GOST, its name starts with RSA or GOSTKNCA)."),
    "revoked": _l("Your certificate has been revoked by the NCA RK, so it cannot sign. Get a new one."),
    "revocation_unknown": _l("We could not check whether your certificate is revoked: the NCA RK's services did "
                             "not answer. Nothing was saved; try again in a few minutes."),
    "iin_mismatch": _l("The certificate belongs to someone else: its IIN is not the one of your account. Sign "
                       "with your own key."),
    "statement_expired": _expired_statement,
    "statement_invalid": _l("This statement was not issued to you for this petition. Open the petition and sign "
                            "again."),
    "nonce_used": _l("This statement has already been signed once: a signature cannot be sent twice."),
    "unavailable": _l("Signing with an EDS is not available on this site."),
}


class EdsError(Refusal):
    """An EDS signature refused: `code` the reason (MESSAGES), never a field."""

    status = 422
    messages = MESSAGES
