"""The state bodies people choose from: in lists, filters and form choices."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from app.core.collation import sort_key
from app.extensions import db
from app.models import BodyLevel, StateBody

LEVEL_GROUPS = {
    BodyLevel.NATIONAL: _l("National bodies"),
    BodyLevel.REGIONAL: _l("Regions and cities of republican significance"),
    BodyLevel.DISTRICT: _l("Districts and cities"),
}


def active_bodies(language: str | None = None, levels: tuple[BodyLevel, ...] | None = None,
                  region_id: int | None = None) -> list[StateBody]:
    """Active bodies (of the given levels and region, or all), national first: in the
    order of the official list, or, given a language, in its alphabetical order (national
    bodies by name; local ones by their region's name, then their district's, then their
    own: the akimat before the maslikhat of a place)."""
    query = (select(StateBody).where(StateBody.active.is_(True))
             .options(selectinload(StateBody.region), selectinload(StateBody.district))
             .order_by(StateBody.sort_order, StateBody.code))
    if levels is not None:
        query = query.where(StateBody.level.in_(levels))
    if region_id is not None:
        query = query.where(StateBody.region_id == region_id)
    bodies = list(db.session.scalars(query))
    if language is None:
        return bodies
    key = sort_key(language)

    def place(body: StateBody) -> tuple:
        names = [] if body.region is None else [body.region.name(language)]
        names += [] if body.district is None else [body.district.name(language)]
        return (list(BodyLevel).index(body.level), *(key(n) for n in names), key(body.name(language)))

    return sorted(bodies, key=place)


def place_name(body: StateBody, language: str) -> str:
    """Where a local body serves, as a reader picks it: "Karaganda Region", or "Abai
    District (Karaganda Region)" (two regions have an Abai District); "" for a national one."""
    if body.district is not None:
        return f"{body.district.name(language)} ({body.region.name(language)})"
    return body.region.name(language) if body.region is not None else ""


def body_choices(language: str) -> list[SelectChoice]:
    """Choices for an "addressed to" field: active bodies named in `language`, grouped
    by level, after an empty prompt. Each option carries its level and place, from which
    the addressee picker (app/static/body-picker.js) offers a level, a place typed in
    part, then the body; without JavaScript the grouped list is the form."""
    return [SelectChoice("", str(_l("Choose a state body")))] + [
        SelectChoice(b.code, b.name(language), optgroup=str(LEVEL_GROUPS[b.level]),
                     render_kw={"data-level": b.level.value, "data-place": place_name(b, language)})
        for b in active_bodies(language)
    ]


def body_by_code(code: str) -> StateBody | None:
    """The state body with this code, active or not; None if there is none. The one
    lookup of a body by its code."""
    return db.session.scalar(select(StateBody).where(StateBody.code == code))
