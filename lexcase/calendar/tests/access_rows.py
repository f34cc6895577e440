"""Access-table rows for the calendar's newer routes (see lexcase/core/tests/access.py)."""

from __future__ import annotations

from datetime import date

from lexcase.calendar.models import ServedDocument
from lexcase.core.tests.access import API_MATTER_READ, MATTER_WRITE, Route
from lexcase.testing import Firm


def served_judgment(f: Firm) -> int:
    """A first-instance judgment served long enough ago for its appeal period to have ended."""
    return ServedDocument.objects.create(
        matter=f.matter, kind="judgment", service_date=date(2026, 10, 9), method="post"
    ).pk


TABLE = {
    "calendar:served_effective": Route(
        "POST", lambda f: f"/served/{served_judgment(f)}/effective/", MATTER_WRITE
    ),
    "api:served_effective": Route(
        "POST",
        lambda f: f"/api/v1/served-documents/{served_judgment(f)}/effective",
        API_MATTER_READ,
        body=lambda f: {},
        json=True,
    ),
}

API_OPERATIONS = {
    ("post", "/api/v1/served-documents/{document_id}/effective"): "api:served_effective",
}
