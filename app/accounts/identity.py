"""The identity seam: what petition code knows of a person.

Petition code asks only for an `IdentityClaim` (a stable personal key and a birth date),
never for how it was proved. However an IIN arrives (typed at registration and checked
only for form, given by the state's identity provider at sign-in in
app.accounts.state_idp, or read from an NCA RK certificate in app.eds), it goes through
`provider().claim()` and leaves as the keyed hash: the raw number is never kept. How the
account's identity was established is recorded apart (users.identity_level).
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
