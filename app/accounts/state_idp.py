"""Signing in with the state's identity provider (OpenID Connect).

Authorization code with PKCE, `state` and `nonce` (Authlib's client, with the provider's
discovery document); the ID token's signature (the provider's published keys), issuer,
audience, expiry and nonce are checked before any claim is read, against app.core.clock.
Which claims carry the IIN and the names is configuration (OIDC_*_CLAIM). The IIN leaves
this module only as the identity seam's keyed hash (app.accounts.identity): it is never
stored, logged, or put in the session.

What a sign-in leads to (`outcome`): the account already vouched for by the provider (or
an EDS) is logged in; an account registered with the same IIN typed by hand is linked
only after its owner gives its password (and second factor); a new person finishes an
account (an email address, a region, the privacy notice) from the claims, which are
kept in the session meanwhile without the IIN.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import date

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import OAuth
from authlib.oidc.core import CodeIDToken
from flask import current_app, session
from joserfc.errors import JoseError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts import names
from app.accounts.identity import provider
from app.accounts.iin import InvalidIIN, is_adult
from app.accounts.services import AccountError, email_taken, send_verification
from app.core import clock
from app.core.mailboxes import normalize_email
from app.extensions import db
from app.models import IdentityLevel, Region, User
from app.models.user import NO_PASSWORD

log = logging.getLogger(__name__)

CLIENT = "state_idp"
NEW = "state_idp_new"  # the session's key for a new person's claims (no IIN)
LINK = "state_idp_link"  # the session's key for an account to link after its password


class StateIdError(AccountError):
    """The sign-in through the state's identity provider was refused (messages:
    app.accounts.messages, field "state_idp")."""

    def __init__(self, code: str, *, status: int = 400, **details):
        super().__init__(code, "state_idp", status=status, **details)


@dataclass(frozen=True)
class StateIdentity:
    """What the provider vouched for, without the IIN itself."""

    person_key: bytes
    birth_date: date
    given_name: str
    surname: str
    patronymic: str | None
    email: str | None
    email_verified: bool = False  # the provider says it confirmed this address

    def to_session(self) -> dict:
        data = asdict(self)
        return {**data, "person_key": self.person_key.hex(), "birth_date": self.birth_date.isoformat(),
                "at": clock.timestamp()}

    @classmethod
    def from_session(cls, data) -> StateIdentity | None:
        """The identity kept for finishing an account, or None when there is none or it is
        older than OIDC_FINISH_SECONDS."""
        if not isinstance(data, dict):
            return None
        age = clock.timestamp() - float(data.get("at", 0))
        if not 0 <= age <= current_app.config["OIDC_FINISH_SECONDS"]:
            return None
        try:
            return cls(person_key=bytes.fromhex(data["person_key"]), birth_date=date.fromisoformat(data["birth_date"]),
                       given_name=data["given_name"], surname=data["surname"], patronymic=data.get("patronymic"),
                       email=data.get("email"), email_verified=data.get("email_verified") is True)
        except (KeyError, TypeError, ValueError):
            return None


def enabled() -> bool:
    return bool(current_app.config["OIDC_DISCOVERY_URL"])


def provider_name() -> str:
    return current_app.config["OIDC_PROVIDER_NAME"]


class _ClockedIDToken(CodeIDToken):
    """The ID token's times (exp, iat) checked against app.core.clock."""

    def validate(self, now=None, leeway=0):
        super().validate(now=int(clock.timestamp()) if now is None else now, leeway=leeway)


def _client():
    """This app's OpenID Connect client, made on first use from the configuration."""
    config = current_app.config
    key = (config["OIDC_DISCOVERY_URL"], config["OIDC_CLIENT_ID"])
    made = current_app.extensions.get("dauys.state_idp")
    if made is None or made[0] != key:
        oauth = OAuth()
        oauth.init_app(current_app)
        client = oauth.register(
            CLIENT,
            client_id=config["OIDC_CLIENT_ID"],
            client_secret=config["OIDC_CLIENT_SECRET"],
            server_metadata_url=config["OIDC_DISCOVERY_URL"],
            client_kwargs={"scope": config["OIDC_SCOPES"], "code_challenge_method": "S256",
                           "timeout": config["OIDC_HTTP_TIMEOUT_SECONDS"]},
        )
        made = current_app.extensions["dauys.state_idp"] = (key, client)
    return made[1]


def start(redirect_uri: str):
    """The redirect to the provider's sign-in page (with state, nonce and a PKCE
    challenge kept in this browser's session). Raises StateIdError("unavailable", 503)
    when the provider's discovery document cannot be read."""
    try:
        return _client().authorize_redirect(redirect_uri)
    except (requests.RequestException, ValueError, KeyError, OAuthError) as exc:
        log.warning("state identity provider unavailable at start: %s", type(exc).__name__)
        raise StateIdError("unavailable", status=503) from None


def finish_sign_in() -> StateIdentity:
    """Read the provider's answer on the callback: the state must be the one this browser
    was given, the code is exchanged (with the PKCE verifier), and the ID token must
    verify. Raises StateIdError: "cancelled" (the person or the provider said no),
    "state" (no sign-in was started in this browser, or its answer was used already),
    "token" (the exchange or the ID token failed a check), "unavailable" (503),
    "no_iin", "invalid_iin", "under_age"."""
    from flask import request

    if request.args.get("error"):
        raise StateIdError("cancelled")
    client = _client()
    state = request.args.get("state")
    if not state or not client.framework.get_state_data(session, state):
        raise StateIdError("state")
    try:
        issuer = client.load_server_metadata()["issuer"]
        token = client.authorize_access_token(claims_cls=_ClockedIDToken, claims_options={
            "iss": {"essential": True, "values": [issuer]},
            "aud": {"essential": True, "values": [current_app.config["OIDC_CLIENT_ID"]]}})
    except requests.RequestException as exc:
        log.warning("state identity provider unavailable at callback: %s", type(exc).__name__)
        raise StateIdError("unavailable", status=503) from None
    except (OAuthError, JoseError, ValueError, KeyError, TypeError) as exc:
        # A wrong issuer or audience, an expired, replayed or tampered token: the kind is
        # logged, never the token or its claims.
        log.warning("state identity provider answer refused: %s %s", type(exc).__name__,
                    getattr(exc, "error", "") or getattr(exc, "claim", "") or "")
        raise StateIdError("token") from None
    claims = token.get("userinfo")
    if not claims:
        log.warning("state identity provider answer refused: no ID token")
        raise StateIdError("token")
    return _identity(claims)


def _claim(claims, setting: str) -> str:
    value = claims.get(current_app.config[setting])
    return value.strip() if isinstance(value, str) else ""


def _identity(claims) -> StateIdentity:
    iin = _claim(claims, "OIDC_IIN_CLAIM")
    if not iin:
        raise StateIdError("no_iin")
    try:
        claim = provider().claim(iin)
    except InvalidIIN:
        raise StateIdError("invalid_iin") from None
    if not is_adult(claim.birth_date, clock.today()):
        raise StateIdError("under_age", status=403)
    given, surname = names.clean(_claim(claims, "OIDC_GIVEN_NAME_CLAIM")), names.clean(_claim(claims, "OIDC_FAMILY_NAME_CLAIM"))
    if not given or not surname:
        raise StateIdError("no_name")
    email = _claim(claims, "OIDC_EMAIL_CLAIM")
    return StateIdentity(person_key=claim.person_key, birth_date=claim.birth_date, given_name=given[:100],
                         surname=surname[:100], patronymic=(names.clean(_claim(claims, "OIDC_PATRONYMIC_CLAIM"))
                                                            or None),
                         email=email[:254] or None, email_verified=claims.get("email_verified") is True)


def account_for(identity: StateIdentity) -> User | None:
    """The account registered with this person's IIN, or None. Raises StateIdError for
    an account its owner deleted ("deleted", 403) or a moderator suspended ("suspended",
    403)."""
    user = db.session.scalar(select(User).where(User.iin_hmac == identity.person_key))
    if user is None:
        return None
    if user.deleted_at is not None:
        raise StateIdError("deleted", status=403)
    if user.suspended_at is not None:
        raise StateIdError("suspended", status=403, reason=user.suspension_reason)
    return user


def vouch(user: User, identity: StateIdentity) -> None:
    """Record that the provider vouched for this account's identity: its name is the
    provider's, and it is no longer self-declared (an EDS level is kept)."""
    if user.iin_hmac != identity.person_key:
        raise StateIdError("link_other", status=403)
    if user.identity_level is IdentityLevel.SELF_DECLARED:
        user.identity_level = IdentityLevel.STATE_IDP
    user.identity_verified_at = clock.now()
    user.birth_date = identity.birth_date
    user.given_name, user.surname, user.patronymic = identity.given_name, identity.surname, identity.patronymic
    user.name_unconfirmed = False


def create_account(identity: StateIdentity, email: str, region_code: str, language: str,
                   consent_version: str | None) -> User:
    """A new account from what the provider vouched for: no password (one can be set by
    a reset link); the address is confirmed already when it is the one the provider
    says it confirmed (`email_verified`), else by a link as at registration. Raises AccountError:
    ("email", "taken"), ("region", "unknown"), or StateIdError("exists") when an account
    with this IIN was made meanwhile."""
    region = db.session.scalar(select(Region).where(Region.code == region_code))
    if region is None:
        raise AccountError("unknown", "region")
    if email_taken(email):
        raise AccountError("taken", "email")
    if account_for(identity) is not None:
        raise StateIdError("exists", status=409)
    user = User(email=normalize_email(email), given_name=identity.given_name, surname=identity.surname,
                patronymic=identity.patronymic, password_hash=NO_PASSWORD, region=region,
                iin_hmac=identity.person_key, birth_date=identity.birth_date, language=language,
                identity_level=IdentityLevel.STATE_IDP, identity_verified_at=clock.now(),
                consent_version=consent_version, consent_at=clock.now() if consent_version else None)
    vouched = identity.email_verified and identity.email and normalize_email(identity.email) == user.email
    if vouched:
        # The provider confirmed this address: no link to follow.
        user.email_verified_at = clock.now()
    try:
        # A second tab finishing the same sign-in, or the address taken meanwhile, loses here.
        with db.session.begin_nested():
            db.session.add(user)
            db.session.flush()
    except IntegrityError:
        raise StateIdError("exists", status=409) from None
    if not vouched:
        send_verification(user)
    return user
