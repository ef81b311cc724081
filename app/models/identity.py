"""How an identity, or a signature, was vouched for: the levels of assurance."""

from __future__ import annotations

import enum


class IdentityLevel(enum.Enum):
    """How the account's identity (its IIN, birth date and, past self-declared, its name)
    was established: typed by the person and checked only for form; given by the state's
    identity provider at sign-in (OpenID Connect); proved by a certificate of the National
    Certification Authority (an EDS)."""

    SELF_DECLARED = "self_declared"
    STATE_IDP = "state_idp"
    EDS = "eds"

    @property
    def verified(self) -> bool:
        return self is not IdentityLevel.SELF_DECLARED

    @property
    def rank(self) -> int:
        """Weakest 0, strongest 2: a rule counting from a level counts every level above."""
        return list(IdentityLevel).index(self)

    def and_above(self) -> tuple[IdentityLevel, ...]:
        return tuple(level for level in IdentityLevel if level.rank >= self.rank)
