"""Access-table rows for this app (see lexcase/core/tests/access.py), one module per area
joined here so each area edits only its own: `access_rows_calculators`, `access_rows_work`,
`access_rows_bills`."""

from __future__ import annotations

from lexcase.billing.tests import access_rows_bills, access_rows_calculators, access_rows_work

_AREAS = (access_rows_calculators, access_rows_work, access_rows_bills)

TABLE = {key: route for area in _AREAS for key, route in area.TABLE.items()}
API_OPERATIONS = {op: key for area in _AREAS for op, key in area.API_OPERATIONS.items()}
assert len(TABLE) == sum(len(a.TABLE) for a in _AREAS), "two areas share a table key"
assert len(API_OPERATIONS) == sum(len(a.API_OPERATIONS) for a in _AREAS), "an operation twice"
