"""Shared vocabulary of the access table; each app adds its rows in `tests/access_rows.py`.

An app's `access_rows` module defines `TABLE` (URL name -> Route) and `API_OPERATIONS`
((method, path) -> TABLE key); `test_access_table` merges them and the meta-tests hold
every route and operation to account.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lexcase.testing import Firm

PERSONAS = (
    "anonymous",
    "inactive",
    "finance",
    "outsider",
    "assistant",
    "lead",
    "walled",
    "admin",
    # An outside helper (lexcase/collab): 404 on every page but their own (/collab/) and their
    # account's; 401 on the staff API, whatever token they hold.
    "collaborator",
)
# "L" = redirected to the login page; numbers are HTTP status codes.
LOGIN = "L"


@dataclass(frozen=True)
class Route:
    method: str
    path: Callable[[Firm], str]
    expect: tuple[Any, ...]  # one per persona, in PERSONAS order
    body: Callable[[Firm], dict] | None = None
    json: bool = False


def E(*statuses: Any) -> tuple[Any, ...]:
    assert len(statuses) == len(PERSONAS), (
        f"E() takes one status per persona, {len(PERSONAS)} in PERSONAS order "
        f"(the last is the collaborator): {statuses}"
    )
    return statuses


ALL_STAFF_200 = E(LOGIN, LOGIN, 200, 200, 200, 200, 200, 200, 404)
# Pages of one's own account (allauth: password, second factor), outside helpers included.
ALL_SIGNED_IN_200 = E(LOGIN, LOGIN, *[200] * 7)
MATTER_READ = E(LOGIN, LOGIN, 404, 404, 200, 200, 404, 200, 404)
API_MATTER_READ = E(401, 401, 404, 404, 200, 200, 404, 200, 401)
MATTER_WRITE = E(LOGIN, LOGIN, 404, 404, 302, 302, 404, 302, 404)
# Admitted, and the row's body refused (a disguised file, a refused stage): the form comes back
# as typed with its errors (matters.actions.matter_form_again), nothing written.
MATTER_FORM_AGAIN = E(LOGIN, LOGIN, 404, 404, 422, 422, 404, 422, 404)
API_MATTER_CREATE = E(401, 401, 404, 404, 201, 201, 404, 201, 401)
