"""The one refusal contract. A rule that says no raises a Refusal: `code` names the
reason, `field` the form field it is about (None: the whole form or page), `status` the
HTTP status the web answers with. Every domain derives its refusals from this base and
keeps their messages in one table (its `messages.py`), so the web can show any refusal
the same way (app.web.forms.refuse) and the request's transaction rolls back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar


class Refusal(Exception):  # noqa: N818 (a refusal is not an error of ours)
    """A rule refused the change. Subclasses set `messages` (the domain's table: code,
    or (field, code), to a lazy string or to a function of the refusal's details) and
    may set a default `status`."""

    status: int = 422
    messages: ClassVar[Mapping[Any, Any]] = {}

    def __init__(self, code: str, field: str | None = None, *, status: int | None = None, **details: Any):
        super().__init__(f"{field}: {code}" if field else code)
        self.code = code
        self.field = field
        self.details = details
        if status is not None:
            self.status = status

    def message(self) -> str:
        """What the person reads, in their language. Raises KeyError for a code the
        domain's table does not have (a test walks every code)."""
        table = self.messages
        text = table[(self.field, self.code)] if (self.field, self.code) in table else table[self.code]
        if isinstance(text, Callable):  # a message that says a setting or a detail
            text = text(self)
        return str(text)
