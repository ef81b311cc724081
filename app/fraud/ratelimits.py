"""Rate limits held as data (table `rate_rules`), enforced through Flask-Limiter's Redis
storage: at most N of an action (register, sign, create, report) per window from one
address, network (/24 or /48), email domain, email address or account. Rules with a
short window limit bursts, with a long one the sustained rate.

The rules are read from the database at most once per RATE_RULES_CACHE_SECONDS in each
process (an administrator's change takes effect within that time everywhere, at once
in the process that made it). A migration seeds DEFAULT_RULES, the limits the code held
before they became data; with Redis unreachable the limits fail open, as before.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from flask import current_app, request
from flask_login import current_user
from sqlalchemy import select

from app.core.mailboxes import is_public_provider, normalize_email
from app.extensions import db, limiter
from app.fraud.fingerprints import account_key, network_of
from app.models import RateRule
from app.web.requests import client_address

ACTIONS = ("register", "sign", "create", "report")
SCOPES = ("address", "network", "email_domain", "email", "account")

# (action, scope, at most, per seconds): what the code enforced before the rules became
# data, and the registration limits per network and email domain seeded since.
DEFAULT_RULES = (
    ("register", "address", 10, 3600),
    ("register", "email", 5, 86400),
    ("sign", "address", 30, 60),
    ("create", "address", 30, 3600),
    ("create", "account", 10, 3600),
    ("report", "address", 10, 3600),
    # Registrations that were accepted, per network and per private email domain (#22).
    ("register", "network", 30, 3600),
    ("register", "network", 200, 86400),
    ("register", "email_domain", 30, 3600),
    ("register", "email_domain", 200, 86400),
)

_cache: dict = {"at": 0.0, "rules": None}
_lock = threading.Lock()


def forget() -> None:
    """Read the rules again at the next request (after a change)."""
    with _lock:
        _cache["at"], _cache["rules"] = 0.0, None


def _rules() -> dict[tuple[str, str], list[tuple[int, int]]]:
    ttl = current_app.config["RATE_RULES_CACHE_SECONDS"]
    with _lock:
        if _cache["rules"] is not None and time.monotonic() - _cache["at"] < ttl:
            return _cache["rules"]
    found: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for rule in db.session.scalars(select(RateRule).where(RateRule.enabled.is_(True)).order_by(RateRule.id)):
        found.setdefault((rule.action, rule.scope), []).append((rule.max_count, rule.window_seconds))
    with _lock:
        _cache["at"], _cache["rules"] = time.monotonic(), found
    return found


def limit_string(action: str, scope: str) -> str:
    """"30 per 60 second;300 per 86400 second", or "" (no limit) for Flask-Limiter."""
    return ";".join(f"{n} per {seconds} second" for n, seconds in _rules().get((action, scope), ()))


def _email() -> str:
    if current_user.is_authenticated:
        return current_user.email
    return request.form.get("email", "")


def _key(scope: str) -> Callable[[], str]:
    def key() -> str:
        if scope == "address":
            return client_address()
        if scope == "network":
            return "net:" + network_of(client_address())
        if scope == "email_domain":
            if is_public_provider(_email()):
                # gmail.com, mail.ru...: their domain groups nobody (a national surge
                # registers there by the thousand); the address's own limits apply.
                return "domain-of:" + account_key(_email())
            return "domain:" + normalize_email(_email()).rpartition("@")[2]
        if scope == "email":
            return "email:" + account_key(_email())
        if current_user.is_authenticated:  # account
            return f"account:{current_user.id}"
        return client_address()
    return key


def limited(action: str, *, counted_when: Callable | None = None, counted_scopes: tuple[str, ...] = ()):
    """Decorate a view: every rule of `action` applies to its POSTs. For the scopes in
    `counted_scopes`, only requests whose response passes `counted_when` count (e.g. only
    accepted registrations count against an email address, so junk posts with someone's
    address cannot use up their day)."""
    def decorate(view):
        for scope in reversed(SCOPES):
            options = {}
            if scope in counted_scopes:
                options["deduct_when"] = counted_when
            view = limiter.limit(lambda scope=scope: limit_string(action, scope), methods=["POST"],
                                 key_func=_key(scope), scope=f"{action}:{scope}", **options)(view)
        return view
    return decorate
