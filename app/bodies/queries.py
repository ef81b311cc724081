"""The state bodies people choose from: in lists, filters and form choices."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.core.collation import alphabetical
from app.extensions import db
from app.models import BodyLevel, StateBody


def active_bodies(language: str | None = None) -> list[StateBody]:
    """Active bodies, national first: in the order of the official list, or, given a
    language, in its alphabetical order (national bodies by name, akimats by their
    region's name)."""
    bodies = list(db.session.scalars(
        select(StateBody).where(StateBody.active.is_(True)).order_by(StateBody.sort_order, StateBody.code)))
    if language is None:
        return bodies
    national = alphabetical((b for b in bodies if b.level is BodyLevel.NATIONAL), language, lambda b: b.name(language))
    regional = alphabetical((b for b in bodies if b.level is not BodyLevel.NATIONAL), language,
                            lambda b: b.region.name(language) if b.region else b.name(language))
    return national + regional


def body_choices(language: str) -> list[SelectChoice]:
    """Choices for an "addressed to" field: active bodies named in `language`,
    national ones and regional akimats in two groups, after an empty prompt."""
    national, regional = str(_l("National bodies")), str(_l("Regional akimats"))
    return [SelectChoice("", str(_l("Choose a state body")))] + [
        SelectChoice(b.code, b.name(language), optgroup=national if b.level is BodyLevel.NATIONAL else regional)
        for b in active_bodies(language)
    ]


def body_by_code(code: str) -> StateBody | None:
    """The state body with this code, active or not; None if there is none. The one
    lookup of a body by its code."""
    return db.session.scalar(select(StateBody).where(StateBody.code == code))
