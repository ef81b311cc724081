"""A petition's address before and after it is public.

A petition collecting sponsors or waiting for moderation (LINK_ONLY_STATES) is not public:
its page by number (/petitions/6) is a 404 to everyone but its author, those who signed
it and moderators, and it is reached through a link that carries its `link_key`
(/petitions/6/link/<key>), which its author shares with the people asked to sponsor it.
Once open, the same link leads on to the page by number, which is then everyone's."""

from __future__ import annotations

import secrets

from app.models import Petition
from app.models.petition import LINK_ONLY_STATES
from app.web.requests import absolute_url, share_url


def link_key_matches(petition: Petition, key: str | None) -> bool:
    return bool(key) and secrets.compare_digest(petition.link_key.encode(), key.encode())


def by_link_only(petition: Petition) -> bool:
    return petition.state in LINK_ONLY_STATES


def _endpoint(petition: Petition) -> tuple[str, dict]:
    if by_link_only(petition):
        return "petitions.shared", {"petition_id": petition.id, "key": petition.link_key}
    return "petitions.show", {"petition_id": petition.id}


def shareable_url(petition: Petition) -> str:
    """The address to pass on (no language: whoever opens it reads their own): the link
    while the petition is not public, its page by number once it is."""
    endpoint, values = _endpoint(petition)
    return share_url(endpoint, **values)


def url_for_reader(petition: Petition, lang: str) -> str:
    """The absolute address in `lang` for an email to someone entitled to read it."""
    endpoint, values = _endpoint(petition)
    return absolute_url(endpoint, lang=lang, **values)
