"""Access-table rows of the calculators (joined in `access_rows`)."""

from __future__ import annotations

from lexcase.core.tests.access import E, Route

# The calculators are pure: every active staff member may use them.
API_ALL_STAFF = E(401, 401, 200, 200, 200, 200, 200, 200, 401)

TABLE: dict[str, Route] = {
    "api:fees_contingency_check": Route(
        "POST",
        lambda f: "/api/v1/fees/contingency-check",
        API_ALL_STAFF,
        body=lambda f: {"amount": "3000000", "matter_type": "civil"},
        json=True,
    ),
    "api:fees_court_fee": Route(
        "POST",
        lambda f: "/api/v1/fees/court-fee",
        API_ALL_STAFF,
        body=lambda f: {"amount": "1000000"},
        json=True,
    ),
}

API_OPERATIONS = {
    ("post", "/api/v1/fees/contingency-check"): "api:fees_contingency_check",
    ("post", "/api/v1/fees/court-fee"): "api:fees_court_fee",
}
