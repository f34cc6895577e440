"""Access-table rows for this app (see lexcase/core/tests/access.py).

Searching is open to all staff (hits are gated row by row, see test_gate.py); an explicit
matter filter is a read of that matter: 404 to whoever cannot see it.
"""

from __future__ import annotations

from lexcase.core.tests.access import API_MATTER_READ, MATTER_READ, Route

TABLE: dict[str, Route] = {
    "search:search": Route("GET", lambda f: f"/search/?q=华泰&matter={f.matter.pk}", MATTER_READ),
    "api:search": Route(
        "GET", lambda f: f"/api/v1/search?q=华泰&matter={f.matter.pk}", API_MATTER_READ
    ),
}
API_OPERATIONS: dict[tuple[str, str], str] = {("get", "/api/v1/search"): "api:search"}
