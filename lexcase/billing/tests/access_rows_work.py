"""Access-table rows of the work area (joined in `access_rows`): `TABLE` (URL name → Route)
and `API_OPERATIONS` ((method, path) → TABLE key), as lexcase/core/tests/access.py says."""

from __future__ import annotations

from lexcase.core.tests.access import Route

TABLE: dict[str, Route] = {}
API_OPERATIONS: dict[tuple[str, str], str] = {}
