"""Guarded state changes: the one way a petition (app.petitions.lifecycle) or a review
case (app.review.services) moves from state to state. (An invalidation run moves only
under its row lock, app.moderation.integrity.lock, so it needs no guard.)"""

from __future__ import annotations

from sqlalchemy import update

from app.extensions import db


def move_state(obj, sources: tuple, **values) -> bool:
    """UPDATE the row of `obj` with `values` only if its state, in the database, is one
    of `sources`; then reload `obj`. Returns whether the row moved. Because the check
    is part of the UPDATE, two requests racing for the same transition cannot both win.
    """
    model = type(obj)
    moved = db.session.execute(
        update(model)
        .where(model.id == obj.id, model.state.in_(sources))
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    db.session.refresh(obj)
    return moved
