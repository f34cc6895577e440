"""Excel exports of bills, payments and receivables: the page's figures, amounts as numbers,
through the money gate, formulas from data neutralised."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from lexcase.billing.services.payments import AllocationIn, payment_record
from lexcase.billing.tests.bill_data import issued_bill
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db
D = Decimal


def sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return [list(r) for r in load_workbook(io.BytesIO(data)).active.values]


def test_bills_payments_and_receivables_export(firm):
    bill = issued_bill(firm)
    payment_record(
        actor=firm.finance,
        client=firm.client_party,
        received_on=date(2026, 5, 6),
        amount=D("400.00"),
        method="bank",
        payer='=HYPERLINK("x")',
        allocations=[AllocationIn(bill=bill, amount=D("400.00"))],
    )
    finance = client_for(firm.finance)
    bills = sheet(finance.get("/bills/export.xlsx"))
    assert bills[0][:3] == ["账单编号", "状态", "案件编号"]
    assert bills[1][0] == bill.number
    assert bills[1][7:10] == [1000, 400, 600]
    payments = sheet(finance.get("/payments/export.xlsx"))
    assert payments[1][2] == '\'=HYPERLINK("x")'
    assert payments[1][5:9] == [400, 400, 0, 0]
    owed = sheet(finance.get(f"/receivables/export.xlsx?as_of={bill.issued_on.isoformat()}"))
    assert owed[1][:6] == [
        "北京华泰科技有限公司",
        firm.matter.number,
        firm.matter.title,
        1000,
        400,
        600,
    ]
    assert owed[-1][0] == "合计" and owed[-1][5] == 600
    # Someone who does not see the matter exports nothing of it.
    assert len(sheet(client_for(firm.outsider).get("/bills/export.xlsx"))) == 1
