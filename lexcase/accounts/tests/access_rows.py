"""Access-table rows for user administration (see lexcase/core/tests/access.py)."""

from __future__ import annotations

from lexcase.core.tests.access import LOGIN, E, Route

TABLE: dict[str, Route] = {
    "accounts:user_end_sessions": Route(
        "POST",
        lambda f: f"/team/users/{f.outsider.pk}/end-sessions/",
        E(LOGIN, LOGIN, *[403] * 5, 302),
    ),
}
API_OPERATIONS: dict[tuple[str, str], str] = {}
