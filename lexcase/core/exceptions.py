from __future__ import annotations


class StaleEdit(Exception):
    """The object changed since the editor loaded it (optimistic locking on `version`)."""


class NotAllowed(Exception):
    """The actor may see the object but not perform this change. `fields` names the fields
    a field-level refusal is about (the API reports each; empty: the whole action)."""

    def __init__(self, perm: str = "", *, fields: tuple[str, ...] = (), message: str = "") -> None:
        super().__init__(perm)
        self.perm = perm
        self.fields = tuple(fields)
        self.message = message


class AlreadySent(Exception):
    """A form (or an API request with an Idempotency-Key) that was already carried out came
    again: a double click, a reload, a retry after a timeout (core.once). Nothing is done."""
