from __future__ import annotations


class StaleEdit(Exception):
    """The object changed since the editor loaded it (optimistic locking on `version`)."""


class NotAllowed(Exception):
    """The actor may see the object but not perform this change."""
