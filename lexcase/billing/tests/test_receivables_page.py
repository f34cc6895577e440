"""The receivables list is grouped in SQL with its names and paged: the page costs the same
number of queries whatever the number of matters owed on, and the totals cover every page;
the export streams every row in chunks (one query), the API pages them by keyset."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from lexcase.accounts.services import api_token_create
from lexcase.billing.models import Bill
from lexcase.billing.selectors.receivables import receivables, receivables_stream
from lexcase.billing.tests.bill_data import issued_bill
from lexcase.matters import services
from lexcase.matters.models import Matter, Status
from lexcase.parties.models import PartyKind
from lexcase.parties.services import party_create
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db
D = Decimal


def owed_on_new_matter(firm, i: int) -> Bill:
    client = party_create(actor=firm.lead, kind=PartyKind.ORGANIZATION, name=f"委托人{i:03d}公司")
    matter = services.matter_create(
        actor=firm.lead,
        title=f"买卖合同纠纷 {i}",
        matter_type="civil",
        parties=[services.PartyLink(party=client, role="client")],
        lead_lawyer=firm.lead,
        responsible_partner=firm.partner,
    )
    Matter.objects.filter(pk=matter.pk).update(status=Status.OPEN)
    bill = issued_bill(firm, matter, minutes=60 * (i + 1))
    Bill.objects.filter(pk=bill.pk).update(issued_on=timezone.localdate() - timedelta(days=40 * i))
    return bill


def queries_of_the_page(user) -> int:
    web = client_for(user)
    web.get("/receivables/")  # warm: session, translations
    with CaptureQueriesContext(connection) as ctx:
        page = web.get("/receivables/")
    assert page.status_code == 200
    return len(ctx.captured_queries)


def test_the_page_costs_the_same_queries_for_more_matters(firm):
    for i in range(2):
        owed_on_new_matter(firm, i)
    few = queries_of_the_page(firm.finance)
    for i in range(2, 8):
        owed_on_new_matter(firm, i)
    assert queries_of_the_page(firm.finance) == few
    assert queries_of_the_page(firm.lead) == queries_of_the_page(firm.lead)


def test_rows_are_paged_in_client_order_and_totals_cover_every_page(firm):
    bills = [owed_on_new_matter(firm, i) for i in range(5)]
    today = timezone.localdate()
    everything = receivables(user=firm.finance, as_of=today, page=None)
    assert len(everything.rows) == 5 and not everything.has_next
    names = [r.client_name for r in everything.rows]
    assert names == sorted(names)
    first = receivables(user=firm.finance, as_of=today, page=1, page_size=2)
    second = receivables(user=firm.finance, as_of=today, page=2, page_size=2)
    last = receivables(user=firm.finance, as_of=today, page=3, page_size=2)
    assert (first.has_next, second.has_next, last.has_next) == (True, True, False)
    paged = [r.matter_id for r in first.rows + second.rows + last.rows]
    assert paged == [r.matter_id for r in everything.rows]
    assert first.totals == everything.totals == last.totals
    assert everything.totals.open == sum((b.total for b in bills), D("0"))
    # Buckets by days since issue: 0, 40, 80, 120, 160 days.
    assert everything.totals.buckets == {
        "0_30": D("1000.00"),
        "31_90": D("5000.00"),
        "91_180": D("9000.00"),
        "over_180": D("0.00"),
    }
    # The page links to the next one.
    page = client_for(firm.finance).get("/receivables/")
    assert page.status_code == 200
    assert "page=2" not in page.content.decode()  # five rows fit on one page of 50


def test_the_stream_gives_every_row_and_the_same_totals_in_one_query(firm):
    for i in range(5):
        owed_on_new_matter(firm, i)
    today = timezone.localdate()
    everything = receivables(user=firm.finance, as_of=today, page=None)
    stream = receivables_stream(user=firm.finance, as_of=today, chunk_size=2)
    with CaptureQueriesContext(connection) as ctx:
        streamed = list(stream)
    assert len(ctx.captured_queries) == 1
    assert streamed == everything.rows
    assert stream.totals == everything.totals
    assert stream.totals.open == D("15000.00")
    # Iterated again, the totals are not counted twice.
    assert (len(list(stream)), stream.totals) == (5, everything.totals)
    # The money gate holds: a lawyer on none of these matters streams nothing.
    assert list(receivables_stream(user=firm.outsider, as_of=today)) == []


def test_the_export_streams_from_a_file(firm):
    for i in range(3):
        owed_on_new_matter(firm, i)
    response = client_for(firm.finance).get("/receivables/export.xlsx")
    assert (response.status_code, response.streaming) == (200, True)
    assert response["Content-Disposition"].startswith("attachment;")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = [list(r) for r in book.active.values]
    assert [r[0] for r in rows] == [
        "委托人",
        "委托人000公司",
        "委托人001公司",
        "委托人002公司",
        "合计",
    ]
    assert rows[-1][3:6] == [6000, 0, 6000]


def test_the_api_pages_every_row_by_keyset(firm):
    bills = [owed_on_new_matter(firm, i) for i in range(5)]
    _token, raw = api_token_create(user=firm.finance, name="t")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    everything = receivables(user=firm.finance, as_of=timezone.localdate(), page=None)
    first = api.get("/api/v1/receivables?limit=2").json()
    assert [r["matter_id"] for r in first["rows"]] == [r.matter_id for r in everything.rows[:2]]
    assert (first["totals"]["open"], first["next_after"] is not None) == ("15000.00", True)
    # A row of the first page settled meanwhile: the next page still starts after it.
    Bill.objects.filter(pk=bills[0].pk).update(paid=bills[0].total, status="paid")
    second = api.get(f"/api/v1/receivables?limit=2&after={first['next_after']}").json()
    third = api.get(f"/api/v1/receivables?limit=2&after={second['next_after']}").json()
    assert [r["matter_id"] for r in second["rows"] + third["rows"]] == [
        r.matter_id for r in everything.rows[2:]
    ]
    assert (second["totals"], third["totals"], third["next_after"]) == (None, None, None)
    bad = api.get("/api/v1/receivables?after=bm90LWEtY3Vyc29y")
    assert (bad.status_code, [e["field"] for e in bad.json()["errors"]]) == (422, ["after"])
    too_many = api.get("/api/v1/receivables?limit=1001")
    assert (too_many.status_code, [e["field"] for e in too_many.json()["errors"]]) == (
        422,
        ["limit"],
    )
