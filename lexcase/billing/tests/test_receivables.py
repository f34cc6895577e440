"""Receivables = issued − allocated per client and matter on a day, in aging buckets by
days since issue (0–30, 31–90, 91–180, over 180), through the money gate."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client

from lexcase.accounts.services import api_token_create
from lexcase.billing.models import Bill, PaymentAllocation
from lexcase.billing.selectors.receivables import matter_fees_open, receivables
from lexcase.billing.services.bills import bill_void
from lexcase.billing.services.payments import AllocationIn, payment_record
from lexcase.billing.tests.bill_data import issued_bill

pytestmark = pytest.mark.django_db
D = Decimal
AS_OF = date(2026, 12, 5)


def bill_issued(firm, days_ago: int, amount_minutes: int = 60, matter=None) -> Bill:
    bill = issued_bill(firm, matter, minutes=amount_minutes)
    Bill.objects.filter(pk=bill.pk).update(issued_on=AS_OF - timedelta(days=days_ago))
    bill.refresh_from_db()
    return bill


def pay(firm, bill: Bill, amount: str, on: date) -> None:
    payment = payment_record(
        actor=firm.finance,
        client=bill.client,
        received_on=date(2026, 1, 2),
        amount=D(amount),
        method="bank",
        payer="华泰科技",
        allocations=[AllocationIn(bill=bill, amount=D(amount))],
    )
    PaymentAllocation.objects.filter(payment=payment).update(allocated_on=on)


def buckets(user, as_of=AS_OF) -> dict:
    result = receivables(user=user, as_of=as_of)
    return {(r.matter_number, "open"): r.open for r in result.rows} | {
        (r.matter_number, k): v for r in result.rows for k, v in r.buckets.items() if v
    }


def test_the_bucket_boundaries_are_days_since_issue(firm):
    for days in (0, 30, 31, 90, 91, 180, 181):
        bill_issued(firm, days)
    result = receivables(user=firm.finance, as_of=AS_OF)
    (row,) = result.rows
    assert row.buckets == {
        "0_30": D("2000.00"),
        "31_90": D("2000.00"),
        "91_180": D("2000.00"),
        "over_180": D("1000.00"),
    }
    assert (row.issued, row.allocated, row.open) == (D("7000.00"), D("0.00"), D("7000.00"))
    assert result.totals.buckets == row.buckets


def test_receivable_is_issued_less_allocated_on_the_day(firm):
    recent = bill_issued(firm, 15)
    old = bill_issued(firm, 95, amount_minutes=120)
    pay(firm, recent, "400.00", AS_OF - timedelta(days=10))
    pay(firm, old, "2000.00", AS_OF + timedelta(days=1))  # after the day: still owed then
    draft_total = Bill.objects.filter(status="draft").count()
    assert draft_total == 0
    (row,) = receivables(user=firm.finance, as_of=AS_OF).rows
    assert (row.client_name, row.issued, row.allocated, row.open) == (
        "北京华泰科技有限公司",
        D("3000.00"),
        D("400.00"),
        D("2600.00"),
    )
    assert row.buckets == {
        "0_30": D("600.00"),
        "31_90": D("0.00"),
        "91_180": D("2000.00"),
        "over_180": D("0.00"),
    }
    # A day later the old bill is paid; before the recent bill was issued it was not owed.
    assert receivables(user=firm.finance, as_of=AS_OF + timedelta(days=1)).rows[0].open == D(
        "600.00"
    )
    (earlier,) = receivables(user=firm.finance, as_of=AS_OF - timedelta(days=20)).rows
    assert (earlier.issued, earlier.open) == (D("2000.00"), D("2000.00"))
    assert matter_fees_open(matter=firm.matter) == D("600.00")


def test_void_and_settled_bills_owe_nothing(firm):
    paid = bill_issued(firm, 5)
    pay(firm, paid, "1000.00", AS_OF)
    void = issued_bill(firm)
    bill_void(actor=firm.finance, bill=void, version=void.version, reason="重开")
    assert receivables(user=firm.finance, as_of=AS_OF).rows == []
    (settled,) = receivables(user=firm.finance, as_of=AS_OF, include_settled=True).rows
    assert (settled.issued, settled.open) == (D("1000.00"), D("0.00"))
    assert matter_fees_open(matter=firm.matter) == D("0.00")


def test_the_money_gate_decides_whose_receivables_show(firm):
    bill_issued(firm, 3)
    bill_issued(firm, 3, matter=firm.confidential)
    seen = {
        persona: sorted(
            r.matter_title for r in receivables(user=getattr(firm, persona), as_of=AS_OF).rows
        )
        for persona in ("finance", "admin", "lead", "assistant", "outsider", "walled")
    }
    both = sorted(["华泰科技诉王伟买卖合同纠纷", "保密并购项目"])
    assert seen == {
        "finance": both,
        "admin": both,
        "lead": both,
        "assistant": ["华泰科技诉王伟买卖合同纠纷"],
        "outsider": [],
        "walled": [],
    }


def test_the_receivables_api(firm):
    bill_issued(firm, 40)
    _token, raw = api_token_create(user=firm.finance, name="t")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    body = client.get(f"/api/v1/receivables?as_of={AS_OF.isoformat()}").json()
    assert body["as_of"] == "2026-12-05"
    assert body["rows"] == [
        {
            "client_id": firm.client_party.pk,
            "client_name": "北京华泰科技有限公司",
            "matter_id": firm.matter.pk,
            "matter_number": firm.matter.number,
            "matter_title": "华泰科技诉王伟买卖合同纠纷",
            "issued": "1000.00",
            "allocated": "0.00",
            "open": "1000.00",
            "buckets": {"0_30": "0.00", "31_90": "1000.00", "91_180": "0.00", "over_180": "0.00"},
        }
    ]
    assert body["totals"]["open"] == "1000.00"
    bad = client.get("/api/v1/receivables?as_of=1800-01-01")
    assert (bad.status_code, [e["field"] for e in bad.json()["errors"]]) == (422, ["as_of"])
    assert json.loads(client.get("/api/v1/receivables?as_of=2026-01-01").content)["rows"] == []
