"""The identity seam: how a person proves who they are.

Petition code asks only for an `IdentityClaim` (a stable personal key and a birth
date). Today the claim comes from a self-declared IIN checked for form; an eGov
digital signature (EDS) or OpenID Connect provider would implement the same
`IdentityProvider` protocol and replace `SelfDeclaredIIN` in `provider()`.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from flask import current_app

from app.accounts.iin import parse_iin


@dataclass(frozen=True)
class IdentityClaim:
    person_key: bytes  # keyed hash: equal for the same person, meaningless without the key
    birth_date: date


class IdentityProvider(Protocol):
    def claim(self, evidence: str) -> IdentityClaim:
        """Turn the evidence (an IIN, a signed assertion...) into a claim.
        Raises app.accounts.iin.InvalidIIN (or the provider's own ValueError)."""


class SelfDeclaredIIN:
    def __init__(self, key: str):
        self._key = key.encode()

    def person_key(self, iin: str) -> bytes:
        return hmac.new(self._key, iin.encode(), hashlib.sha256).digest()

    def claim(self, evidence: str) -> IdentityClaim:
        normalized = evidence.strip().replace(" ", "")
        parsed = parse_iin(normalized)
        return IdentityClaim(person_key=self.person_key(normalized), birth_date=parsed.birth_date)


def provider() -> IdentityProvider:
    return SelfDeclaredIIN(current_app.config["IIN_HMAC_KEY"])
