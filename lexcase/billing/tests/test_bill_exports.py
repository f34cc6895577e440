"""Excel exports of bills, payments and receivables: the page's figures, amounts as numbers,
through the money gate, formulas from data neutralised."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from lexcase.billing.models import Payment
from lexcase.billing.services.payments import AllocationIn, payment_record
from lexcase.billing.tests.bill_data import issued_bill
from lexcase.parties.models import Party
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db
D = Decimal


def sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return [list(r) for r in load_workbook(io.BytesIO(data)).active.values]


def paid_bill(firm, *, payer: str):
    """An issued bill of 1,000 with 400 of it paid by `payer`."""
    bill = issued_bill(firm)
    payment_record(
        actor=firm.finance,
        client=firm.client_party,
        received_on=date(2026, 5, 6),
        amount=D("400.00"),
        method="bank",
        payer=payer,
        allocations=[AllocationIn(bill=bill, amount=D("400.00"))],
    )
    return bill


def test_bills_payments_and_receivables_export(firm):
    bill = paid_bill(firm, payer='=HYPERLINK("x")')
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


def test_control_characters_leave_the_cells_and_never_fail_the_exports(firm):
    # openpyxl refuses a control character in a cell (IllegalCharacterError: an HTTP 500 for
    # the whole workbook). The money exports left them in (the parties export did not): a
    # client name pasted with one broke the bills, payments and receivables workbooks. They
    # are left out before the formula check, so "\x01=..." and "\t=..." stay text.
    bill = paid_bill(firm, payer="Payer")
    # Written as an import or an older version may have stored them.
    Payment.objects.filter(client=firm.client_party).update(payer="\t=HYPERLINK(2)\x0b")
    Party.objects.filter(pk=firm.client_party.pk).update(name="\x01=HYPERLINK(1)\x07")
    finance = client_for(firm.finance)
    bills = sheet(finance.get("/bills/export.xlsx"))
    assert bills[1][4] == "'=HYPERLINK(1)"
    payments = sheet(finance.get("/payments/export.xlsx"))
    assert payments[1][1:3] == ["'=HYPERLINK(1)", "'\t=HYPERLINK(2)"]
    owed = sheet(finance.get(f"/receivables/export.xlsx?as_of={bill.issued_on.isoformat()}"))
    assert owed[1][:4] == ["'=HYPERLINK(1)", firm.matter.number, firm.matter.title, 1000]
