"""One spelling per mailbox."""

from __future__ import annotations

import contextlib

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
