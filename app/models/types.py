"""Column helpers shared by the models."""

import enum

from sqlalchemy import Enum


def enum_column(enum_cls: type[enum.Enum], name: str) -> Enum:
    """Store an enum by its value in a VARCHAR with a CHECK constraint, on every backend."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda members: [m.value for m in members],
    )
