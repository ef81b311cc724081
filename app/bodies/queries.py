"""The state bodies people choose from: in lists, filters and form choices."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.extensions import db
from app.models import BodyLevel, StateBody


def active_bodies() -> list[StateBody]:
    """Active bodies in the order of the official list (national first)."""
    return list(db.session.scalars(
        select(StateBody).where(StateBody.active.is_(True)).order_by(StateBody.sort_order, StateBody.code)))


def body_choices(language: str) -> list[SelectChoice]:
    """Choices for an "addressed to" field: active bodies named in `language`,
    national ones and regional akimats in two groups, after an empty prompt."""
    national, regional = str(_l("National bodies")), str(_l("Regional akimats"))
    return [SelectChoice("", str(_l("Choose a state body")))] + [
        SelectChoice(b.code, b.name(language), optgroup=national if b.level is BodyLevel.NATIONAL else regional)
        for b in active_bodies()
    ]
