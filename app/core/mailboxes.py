"""One spelling per address, one key per mailbox.

`normalize_email` is the address as mail is sent to it: trimmed, lower-cased, the domain
in its ASCII (IDNA) form. `mailbox_key` is the mailbox behind it, which one account may
hold: also the local part in Unicode NFKC, and, for the providers that deliver
"name+anything@" to "name@" (or ignore dots, or answer under several domains), those
differences taken away. Which providers do what is data (mailbox_providers.csv), kept
from their own documentation; a provider not listed is taken literally.
"""

from __future__ import annotations

import contextlib
import csv
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

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


@dataclass(frozen=True)
class Provider:
    domain: str
    plus_tags: bool      # "name+tag@" reaches "name@"
    dots_ignored: bool   # "n.a.m.e@" reaches "name@"
    public: bool         # a free-mail service anyone can use: its domain says nothing of who registers


@cache
def providers() -> dict[str, Provider]:
    """Each listed domain's rules, under the domain its mailboxes really live at."""
    found = {}
    with open(Path(__file__).with_name("mailbox_providers.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            found[row["domain"]] = Provider(row["same_as"] or row["domain"], row["plus_tags"] == "yes",
                                            row["dots_ignored"] == "yes", row["public"] == "yes")
    return found


def mailbox_key(email: str) -> str:
    """The mailbox an address reaches: "Aigerim.N+petitions@GoogleMail.com" and
    "aigerimn@gmail.com" are one mailbox, so one account."""
    address = normalize_email(email)
    local, at, domain = address.rpartition("@")
    if not at:
        return address
    local = unicodedata.normalize("NFKC", local).lower()
    provider = providers().get(domain)
    if provider is not None:
        domain = provider.domain
        if provider.plus_tags:
            local = local.split("+", 1)[0] or local
        if provider.dots_ignored:
            local = local.replace(".", "") or local
    return f"{local}@{domain}"


def is_public_provider(email: str) -> bool:
    """Whether the address is at a free-mail service anyone may use (its domain alone
    groups nobody)."""
    provider = providers().get(normalize_email(email).rpartition("@")[2])
    return provider is not None and provider.public
