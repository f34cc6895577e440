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

PERSONAS = ("anonymous", "inactive", "finance", "outsider", "assistant", "lead", "walled", "admin")
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
    assert len(statuses) == len(PERSONAS)
    return statuses


ALL_STAFF_200 = E(LOGIN, LOGIN, 200, 200, 200, 200, 200, 200)
MATTER_READ = E(LOGIN, LOGIN, 404, 404, 200, 200, 404, 200)
API_MATTER_READ = E(401, 401, 404, 404, 200, 200, 404, 200)
MATTER_WRITE = E(LOGIN, LOGIN, 404, 404, 302, 302, 404, 302)
API_MATTER_CREATE = E(401, 401, 404, 404, 201, 201, 404, 201)
