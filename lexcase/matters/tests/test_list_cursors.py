"""The matter list's and the party directory's keyset cursors under attack: a forged cursor
(a date that is not one, a map, null, a lone surrogate, an integer past 64 bits) is ignored
like any unreadable cursor — the first page, never a server error — on the page and the API."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client

from lexcase.accounts.services import api_token_create
from lexcase.search.services import search_matters_reindex
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


def cursor(values) -> str:
    raw = json.dumps(values)  # ensure_ascii: "\ud800" travels as its escape
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


FORGED = [
    ["not-a-date", 1],
    ["2026-12-01T00:00:00+08:00", "not-an-id"],
    [5, 1],
    [{"a": 1}, [1]],
    [None, None],
    ["\ud800", 1],
    ["2026-12-01T00:00:00+08:00", 2**70],
    # The id as text past 64 bits, times at the ends of the calendar (year 0 in UTC): the
    # bound value overflowed in SQLite's adapter (HTTP 500).
    ["2026-12-01T00:00:00+08:00", str(2**70)],
    ["0001-01-01T00:00:00+08:00", 1],
    ["0001-01-01T00:00:00", 1],
    ["9999-12-31T23:59:59-12:00", 1],
]


@pytest.mark.parametrize("values", FORGED)
def test_a_forged_matter_list_cursor_gives_the_first_page(firm, values):
    after = cursor(values)
    web = client_for(firm.lead)
    web.raise_request_exception = False
    first = web.get("/matters/")
    page = web.get(f"/matters/?after={after}")
    assert page.status_code == 200
    assert page.context["page"].items == first.context["page"].items
    by_number = web.get(f"/matters/?sort=number&after={cursor([values[0], 1])}")
    assert by_number.status_code == 200
    _token, raw = api_token_create(user=firm.lead, name="t")
    api = Client(headers={"Authorization": f"Bearer {raw}"}, raise_request_exception=False)
    answer = api.get(f"/api/v1/matters?after={after}")
    assert answer.status_code == 200
    assert sorted(m["number"] for m in answer.json()["items"]) == sorted(
        [firm.matter.number, firm.confidential.number]
    )


@pytest.mark.parametrize("values", [["\ud800", 1], ["王", 2**70], ["王\x00", 1]])
def test_a_forged_party_directory_cursor_gives_the_first_page(firm, values):
    web = client_for(firm.lead)
    web.raise_request_exception = False
    page = web.get(f"/parties/?after={cursor(values)}")
    assert page.status_code == 200


@pytest.mark.parametrize("when", ["2030-12-01T00:00:00", "2030-12-01"])
@pytest.mark.parametrize("sort", ["activity", "created"])
def test_a_cursor_without_a_time_zone_on_a_searched_page_is_read_in_the_firms(firm, when, sort):
    # A searched page of a few matches is ordered and cut here, against the cursor's values:
    # a time without an offset must compare as the database compares it (local time).
    search_matters_reindex()
    web = client_for(firm.lead)
    web.raise_request_exception = False
    q = firm.matter.title[:2]
    assert web.get(f"/matters/?q={q}&sort={sort}").context["page"].total == 1
    page = web.get(f"/matters/?q={q}&sort={sort}&after={cursor([when, 2**40])}")
    assert page.status_code == 200
    assert page.context["page"].items == [firm.matter]  # older than the cursor: after it
    _token, raw = api_token_create(user=firm.lead, name="t")
    api = Client(headers={"Authorization": f"Bearer {raw}"}, raise_request_exception=False)
    first = api.get(f"/api/v1/matters?q={q}&sort={sort}").json()["items"]
    answer = api.get(f"/api/v1/matters?q={q}&sort={sort}&after={cursor([when, 2**40])}")
    assert answer.status_code == 200
    assert answer.json()["items"] == first
