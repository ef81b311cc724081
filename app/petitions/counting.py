"""The one place that changes a petition's counts.

Today each signature adds one in a single atomic UPDATE (no read-modify-write).
The threshold-engine issue replaces this with batched aggregation; callers only
ever call `add_signature`.
"""

from __future__ import annotations

from sqlalchemy import update

from app.extensions import db
from app.models import Petition


def add_signature(petition_id: int, *, sponsor: bool) -> None:
    db.session.execute(
        update(Petition)
        .where(Petition.id == petition_id)
        .values(
            signature_count=Petition.signature_count + 1,
            sponsor_count=Petition.sponsor_count + (1 if sponsor else 0),
        )
        .execution_options(synchronize_session=False)
    )
