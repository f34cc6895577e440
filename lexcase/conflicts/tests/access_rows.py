"""Access-table rows for this app (see lexcase/core/tests/access.py).

The older conflicts routes (review, run_check, check) and API operations are still listed
in lexcase/core/tests/test_access_table.py itself; the rows below are the ones added since.
"""

from __future__ import annotations

from lexcase.conflicts.engine import staff_relative_add
from lexcase.core.tests.access import ALL_STAFF_200, LOGIN, E, Route
from lexcase.testing import Firm


def make_relative(f: Firm) -> int:
    return staff_relative_add(user=f.lead, name="林小芳", relation="spouse").pk


TABLE: dict[str, Route] = {
    # Posted: the typed row may carry an ID number, which must stay out of URLs and logs.
    "conflicts:suggest": Route(
        "POST",
        lambda f: "/conflicts/suggest/",
        E(LOGIN, LOGIN, 403, 200, 200, 200, 200, 200, 404),
        body=lambda f: {"name": "华泰"},
    ),
    "conflicts:relatives": Route("GET", lambda f: "/conflicts/relatives/", ALL_STAFF_200),
    # Only the owner (the lead) and an administrator may remove; to anyone else the relative
    # does not exist.
    "conflicts:relative_remove": Route(
        "POST",
        lambda f: f"/conflicts/relatives/{make_relative(f)}/remove/",
        E(LOGIN, LOGIN, 404, 404, 404, 302, 404, 302, 404),
    ),
}
API_OPERATIONS: dict[tuple[str, str], str] = {}
