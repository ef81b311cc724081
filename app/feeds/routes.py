"""Atom 1.0 feeds in the reader's language, public and cacheable like the pages:
/<lang>/feeds/petitions.atom, /<lang>/feeds/responses.atom, and both per state body
(/<lang>/feeds/bodies/<code>/petitions.atom, .../responses.atom)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import desc, select

from app.bodies.queries import body_by_code
from app.extensions import db
from app.models import CaseState, Petition, PetitionState, ReviewCase, StateBody
from app.models.petition import PUBLIC_STATES
from app.web.caching import public
from app.web.requests import absolute_url

bp = Blueprint("feeds", __name__)  # mounted at /<lang>/feeds
SIZE = 50
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)  # "updated" of a feed with no entry yet


def _body(code: str | None) -> StateBody | None:
    if code is None:
        return None
    body = body_by_code(code)
    if body is None:
        abort(404)
    return body


def _atom(title: str, self_endpoint: str, entries: list[dict], **values):
    updated = max((e["updated"] for e in entries), default=EPOCH)
    xml = render_template("feeds/atom.xml", title=title, entries=entries, updated=updated,
                          self_url=absolute_url(self_endpoint, **values), lang=str(get_locale()),
                          home=absolute_url("site.home"))
    return xml, 200, {"Content-Type": "application/atom+xml; charset=utf-8"}


@bp.route("/petitions.atom")
@bp.route("/bodies/<code>/petitions.atom")
@public
def petitions(code: str | None = None):
    """Petitions newly opened for signatures, newest first."""
    body = _body(code)
    query = (select(Petition).where(Petition.state.in_((PetitionState.OPEN, PetitionState.CLOSED)),
                                    Petition.opened_at.is_not(None))
             .order_by(desc(Petition.opened_at), desc(Petition.id)).limit(SIZE))
    if body is not None:
        query = query.where(Petition.body_id == body.id)
    lang = str(get_locale())
    entries = [{"id": absolute_url("petitions.show", petition_id=p.id), "title": p.title, "language": p.language,
                "updated": p.opened_at, "summary": p.summary, "content": None,
                "category": p.body.name(lang)}
               for p in db.session.scalars(query).unique()]
    title = (_("Dauys: new petitions to %(body)s", body=body.name(lang)) if body
             else _("Dauys: new petitions"))
    return _atom(title, "feeds.petitions", entries, **({"code": code} if code else {}))


@bp.route("/responses.atom")
@bp.route("/bodies/<code>/responses.atom")
@public
def responses(code: str | None = None):
    """Official responses, newest first."""
    body = _body(code)
    query = (select(ReviewCase).join(Petition, ReviewCase.petition_id == Petition.id)
             .where(ReviewCase.state == CaseState.ANSWERED, Petition.state.in_(PUBLIC_STATES))
             .order_by(desc(ReviewCase.answered_at), desc(ReviewCase.id)).limit(SIZE))
    if body is not None:
        query = query.where(ReviewCase.body_id == body.id)
    lang = str(get_locale())
    entries = [{"id": absolute_url("petitions.show", petition_id=c.petition_id) + "#response",
                "title": _("%(body)s responded: %(title)s", body=c.body.name(lang), title=c.petition.title),
                "language": c.petition.language, "updated": c.answered_at, "summary": None,
                "content": c.response_text, "category": c.body.name(lang)}
               for c in db.session.scalars(query).unique()]
    title = (_("Dauys: responses of %(body)s", body=body.name(lang)) if body else _("Dauys: official responses"))
    return _atom(title, "feeds.responses", entries, **({"code": code} if code else {}))
