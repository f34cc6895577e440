"""The receivables list is grouped in SQL with its names and paged: the page costs the same
number of queries whatever the number of matters owed on, and the totals cover every page."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lexcase.billing.models import Bill
from lexcase.billing.selectors.receivables import receivables
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
