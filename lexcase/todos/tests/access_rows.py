"""Access-table rows for this app (see lexcase/core/tests/access.py)."""

from __future__ import annotations

from lexcase.core.tests.access import Route

TABLE: dict[str, Route] = {}
API_OPERATIONS: dict[tuple[str, str], str] = {}
