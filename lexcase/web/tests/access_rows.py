"""Access-table rows for the pages `web` composes (see lexcase/core/tests/access.py)."""

from __future__ import annotations

from lexcase.core.tests.access import LOGIN, E, Route

# A person's data: the party through the gate (404 outside it), then partners and
# administrators only (403 for the rest).
PERSONAL_DATA = E(LOGIN, LOGIN, 404, 404, 403, 403, 404, 200, 404)

TABLE: dict[str, Route] = {
    "parties:personal_data_json": Route(
        "GET", lambda f: f"/parties/{f.client_party.pk}/personal-data.json", PERSONAL_DATA
    ),
    "parties:personal_data_pdf": Route(
        "GET", lambda f: f"/parties/{f.client_party.pk}/personal-data.pdf", PERSONAL_DATA
    ),
}

API_OPERATIONS: dict[tuple[str, str], str] = {}
