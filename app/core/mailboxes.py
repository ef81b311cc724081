"""One spelling per mailbox."""

from __future__ import annotations

import contextlib
from functools import lru_cache

import idna


def normalize_email(email: str) -> str:
    """Trimmed, lower-cased, and the domain in its ASCII (IDNA) form, so that
    "aigerim@қазақстан.kz" and "aigerim@xn--80aaa0a0avt8a1h.kz" are one mailbox, not two
    accounts. A domain that is not a valid IDNA name (the form's validator refuses those
    first) is only lower-cased."""
    email = email.strip()
    local, at, domain = email.rpartition("@")
    if not at:
        return email.lower()
    with contextlib.suppress(idna.IDNAError, UnicodeError):
        domain = idna.encode(domain.rstrip("."), uts46=True).decode("ascii")
    return f"{local.lower()}@{domain.lower()}"


@lru_cache(maxsize=1)
def _disposable() -> frozenset[str]:
    # Loaded on first use: 10,000 domains a worker never needs.
    from disposable_email_domains import blocklist

    return frozenset(blocklist)


def is_disposable(email: str) -> bool:
    """Whether the address is at a temporary-mailbox service (the maintained list of the
    `disposable-email-domains` project), or at a subdomain of one."""
    domain = normalize_email(email).rpartition("@")[2]
    parts = domain.split(".")
    blocked = _disposable()
    return any(".".join(parts[i:]) in blocked for i in range(len(parts) - 1))
