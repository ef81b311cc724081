"""Account rules and state changes. Services flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.accounts import names, sessions, throttle, tokens
from app.accounts.identity import provider
from app.accounts.iin import InvalidIIN, is_adult
from app.accounts.messages import ERRORS
from app.accounts.passwords import hash_password, needs_rehash, verify_password
from app.core import clock
from app.core.mailboxes import mailbox_key, normalize_email
from app.core.refusals import Refusal
from app.extensions import db
from app.fraud import fingerprints, trending
from app.mail.outbox import queue_email
from app.models import Region, User
from app.web.requests import absolute_url, safe_next_url


class AccountError(Refusal):
    """An account rule refused the change: `code` the reason, `field` the form field
    (messages: app.accounts.messages)."""

    messages = ERRORS


@dataclass
class Registration:
    given_name: str
    surname: str
    email: str
    password: str
    region_code: str
    iin: str
    language: str
    consent_version: str | None = None  # the privacy notice's version the person agreed to
    patronymic: str | None = None


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def find_by_mailbox(email: str) -> User | None:
    """The account on the mailbox this address reaches ("name+2@" finds "name@")."""
    return db.session.scalar(select(User).where(User.mailbox == mailbox_key(email)))


def email_taken(email: str, *, except_user: User | None = None) -> bool:
    """Whether an account uses this address's mailbox. An address someone asked to change
    to but has not confirmed reserves nothing: the first to confirm it gets it."""
    q = select(func.count()).select_from(User).where(User.mailbox == mailbox_key(email))
    if except_user is not None:
        q = q.where(User.id != except_user.id)
    return db.session.scalar(q) > 0


OLDEST_BIRTH_YEAR = 1900


def register(data: Registration, today: date | None = None, origin: dict | None = None,
             next_url: str | None = None) -> User | None:
    """Create a citizen account and queue the verification email.

    Raises AccountError (code, field) for what is wrong with the input itself: an IIN
    that is not valid, an under-age person, an unknown region. Whether the email or the
    IIN is registered already is never said to the person at the keyboard: this returns
    None, the address given is told by email (and so is the account's owner), and the
    page answers exactly as for a new account.
    """
    today = today or clock.today()
    try:
        claim = provider().claim(data.iin)
    except InvalidIIN as exc:
        raise AccountError(exc.reason.value, "iin") from None
    if claim.birth_date.year < OLDEST_BIRTH_YEAR:
        # Century digits 1-2 are the 1800s: valid in form, never a living person.
        raise AccountError("born_1800s", "iin")
    if not is_adult(claim.birth_date, today):
        raise AccountError("under_age", "iin")
    region = db.session.scalar(select(Region).where(Region.code == data.region_code))
    if region is None:
        raise AccountError("unknown", "region")
    # Hashed whichever way this goes, so the answer takes as long for a taken address.
    password_hash = hash_password(data.password)
    by_email = find_by_mailbox(data.email)
    by_iin = db.session.scalar(select(User).where(User.iin_hmac == claim.person_key))
    if by_email is not None or by_iin is not None:
        _tell_of_attempt(data, by_email, by_iin)
        return None
    user = User(
        email=normalize_email(data.email),
        given_name=names.clean(data.given_name),
        surname=names.clean(data.surname),
        patronymic=names.clean(data.patronymic) or None,
        password_hash=password_hash,
        region=region,
        iin_hmac=claim.person_key,
        birth_date=claim.birth_date,
        language=data.language,
        consent_version=data.consent_version,
        consent_at=clock.now() if data.consent_version else None,
    )
    try:
        # A concurrent registration with the same email or IIN loses here, cleanly; the
        # winner's verification email is the one that goes out.
        with db.session.begin_nested():
            db.session.add(user)
            db.session.flush()
    except IntegrityError:
        return None
    send_verification(user, next_url)
    if origin:
        # New accounts by network and email domain, for the moderators' dashboard.
        trending.record_account(fingerprints.fingerprints(origin.get("ip"), origin.get("user_agent")), user.email)
    return user


def _tell_of_attempt(data: Registration, by_email: User | None, by_iin: User | None) -> None:
    """The registration's outcome, told by email only: the owner of the address (or of
    the IIN) that someone tried, and the address given when it is free but the IIN is not."""
    if by_email is not None:
        queue_email(by_email.email, "registration_attempt", by_email.language, user=by_email, reason="email")
    if by_iin is not None and by_iin.deleted_at is not None:
        # Its owner deleted that account: the IIN's hash is kept so that nobody signs the
        # same petitions twice, and nobody (who may only know the number) gets it back.
        if by_email is None:
            queue_email(normalize_email(data.email), "registration_iin_deleted", data.language,
                        lang_code=data.language)
        return
    if by_iin is not None and by_iin is not by_email:
        queue_email(by_iin.email, "registration_attempt", by_iin.language, user=by_iin, reason="iin")
        if by_email is None:
            queue_email(normalize_email(data.email), "registration_iin_taken", data.language,
                        lang_code=data.language)


def send_verification(user: User, next_url: str | None = None) -> None:
    """The confirmation link; `next_url` (a local path, such as the petition the person
    came to sign) rides in the token, so the way back survives the email, even opened on
    another device."""
    # A local path of sane length (a long one would make the link too long to keep).
    extra = {"n": next_url} if safe_next_url(next_url) and len(next_url) <= 300 else {}
    token = tokens.make_token(tokens.Purpose.VERIFY_EMAIL, user.id, user.email, **extra)
    queue_email(
        user.email,
        "verify_email",
        user.language,
        user=user,
        link=absolute_url("accounts.verify_email_link", token=token, lang=user.language),
    )


def _user_for_token(purpose: tokens.Purpose, token: str, max_age: int) -> tuple[User, str]:
    user_id, state = tokens.read_token(purpose, token, max_age)
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        raise tokens.TokenError(expired=False)
    return user, state


def check_verification(token: str) -> User:
    """Return the user a verification link is for. Raises TokenError, or AccountError
    ("token", "used") when that address is verified already."""
    user, state = _user_for_token(
        tokens.Purpose.VERIFY_EMAIL, token, current_app.config["VERIFY_EMAIL_MAX_AGE"]
    )
    if state != tokens.fingerprint(user.email):
        raise tokens.TokenError(expired=False)
    if user.is_verified:
        raise AccountError("used", "token", status=400)
    return user


def verification_next(token: str | None) -> str | None:
    """Where the person was going when they registered (a local path), or None."""
    if not token:
        return None
    return safe_next_url(tokens.token_extra(tokens.Purpose.VERIFY_EMAIL, token,
                                            current_app.config["VERIFY_EMAIL_MAX_AGE"], "n"))


def verify_email(token: str) -> User:
    user = check_verification(token)
    user.email_verified_at = clock.now()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None. Costs one argon2
    verification either way. Raises AccountError("suspended", "password", status 403)
    when the password is right but a moderator has suspended the account (only its
    owner, who knows the password, learns that, and why)."""
    user = find_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    if ok and user is not None and user.suspended_at is not None:
        raise AccountError("suspended", "password", status=403, reason=user.suspension_reason)
    if not ok or user is None or not user.active:
        return None
    if needs_rehash(user.password_hash):
        # Hashed with older or weaker argon2 parameters: upgrade while the password is at hand.
        user.password_hash = hash_password(password)
    return user


def password_log_in(email: str, password: str, address: str) -> User:
    """The first step of logging in: the active user with this email and password.
    Wrong passwords are counted per account and device, or account and network
    (app.accounts.throttle; in Redis, so the count survives the request's rollback). Raises AccountError with field "password": "login_blocked"
    (429) while this account is refused from this address, "suspended" (403),
    "login_wrong" (401)."""
    if throttle.is_blocked(email, address):
        raise AccountError("login_blocked", "password", status=429)
    user = authenticate(email, password)
    if user is None:
        throttle.record_failure(email, address)
        raise AccountError("login_wrong", "password", status=401)
    return user


def request_password_reset(email: str) -> None:
    """Queue a reset link if the account exists. Silent otherwise: the page must not
    tell strangers which addresses are registered."""
    user = find_by_email(email)
    if user is None or not user.active:
        return
    if not user.has_password and not user.is_verified:
        # An account made through the state's identity provider, its address not yet
        # confirmed: whoever holds that address must not be the one to give it a password.
        return
    token = tokens.make_token(tokens.Purpose.RESET_PASSWORD, user.id, user.password_hash)
    queue_email(
        user.email,
        "reset_password",
        user.language,
        user=user,
        link=absolute_url("accounts.reset_password_link", token=token, lang=user.language),
    )


def check_reset(token: str) -> User:
    """Raises TokenError; a link is spent once the password has changed."""
    user, state = _user_for_token(
        tokens.Purpose.RESET_PASSWORD, token, current_app.config["RESET_PASSWORD_MAX_AGE"]
    )
    if state != tokens.fingerprint(user.password_hash):
        raise AccountError("used", "token", status=400)
    return user


def set_password(user: User, new_password: str, *, replacing: str | None = None) -> None:
    """Set a new password and end every session of this account (the caller opens a new
    one for this browser). With `replacing`, only if the hash is still that one: of two
    requests racing with one reset link, the second finds it spent.

    Raises AccountError("token", "used")."""
    statement = update(User).where(User.id == user.id)
    if replacing is not None:
        statement = statement.where(User.password_hash == replacing)
    changed = db.session.execute(
        statement.values(password_hash=hash_password(new_password),
                         session_version=User.session_version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    if not changed:
        raise AccountError("used", "token", status=400)
    db.session.refresh(user, ["password_hash", "session_version"])
    sessions.end_all(user)


def reset_password(token: str, new_password: str) -> User:
    user = check_reset(token)
    set_password(user, new_password, replacing=user.password_hash)
    # Following the link proves the mailbox is theirs.
    if user.email_verified_at is None:
        user.email_verified_at = clock.now()
    return user


def change_password(user: User, current: str, new_password: str) -> None:
    """Raises AccountError("current_password", "wrong")."""
    if not verify_password(user.password_hash, current):
        raise AccountError("wrong", "current_password")
    set_password(user, new_password)


def request_email_change(user: User, new_email: str, password: str) -> None:
    """Keep the new address pending and send it a confirmation link. The old address
    stays in use (and is told) until the link is followed. An address another account
    uses gets, instead of a link, a note that nothing changed: the page answers the same
    either way, so it cannot be used to find out who is registered.

    Raises AccountError for a wrong password or the same address."""
    if not verify_password(user.password_hash, password):
        raise AccountError("wrong", "password")
    new_email = normalize_email(new_email)
    if new_email == user.email:
        raise AccountError("same", "email")
    user.pending_email = new_email
    queue_email(user.email, "email_change_requested", user.language, user=user, new_email=new_email)
    if email_taken(new_email, except_user=user):
        queue_email(new_email, "email_change_taken", user.language, lang_code=user.language)
        return
    token = tokens.make_token(tokens.Purpose.CHANGE_EMAIL, user.id, new_email)
    queue_email(
        new_email,
        "confirm_new_email",
        user.language,
        user=user,
        link=absolute_url("accounts.confirm_email_change_link", token=token, lang=user.language),
    )


def check_email_change(token: str) -> User:
    user, state = _user_for_token(
        tokens.Purpose.CHANGE_EMAIL, token, current_app.config["VERIFY_EMAIL_MAX_AGE"]
    )
    if not user.pending_email or state != tokens.fingerprint(user.pending_email):
        raise AccountError("used", "token", status=400)
    return user


def confirm_email_change(token: str) -> User:
    """Raises TokenError / AccountError; also when the address was taken meanwhile."""
    user = check_email_change(token)
    other = find_by_mailbox(user.pending_email)
    if other is not None and other.id != user.id:
        raise AccountError("taken", "email", status=400)
    try:
        # Two accounts confirming the same new address at once: one gets it.
        with db.session.begin_nested():
            user.email = user.pending_email
            user.pending_email = None
            user.email_verified_at = clock.now()
            db.session.flush()
    except IntegrityError:
        raise AccountError("taken", "email", status=400) from None
    return user


def set_language(user: User, language: str) -> None:
    if language in current_app.config["LANGUAGES"]:
        user.language = language
