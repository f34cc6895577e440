"""A bill's or a payment's form that is refused keeps what was typed: nothing is written and
the page comes back with the form bound, each error beside its field (422). Before, the
errors were flashed above the page and the form came back empty (a void's reason, a
refund's reason, an invoice's twenty-digit number, a reversal's reason: typed again)."""

from __future__ import annotations

import re

import pytest

from lexcase.billing.models import Bill, Invoice, PaymentAllocation, Refund
from lexcase.billing.tests.access_rows_bills import (
    INVOICE,
    REFUND,
    REVERSAL,
    draft_bill,
    held_payment,
    issued,
    reverse_path,
)
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db
REQUIRED = '<p class="field-error">此项为必填项。</p>'
REASON = "金额计算有误：第三笔工时重复计入，" * 3


def textarea(html: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\n?(.*?)</textarea>', html, re.S)
    assert match is not None
    return match.group(1)


def test_a_void_without_its_reason_or_an_invoice_without_its_number(firm):
    client = client_for(firm.finance)
    bill = draft_bill(firm)
    response = client.post(f"/bills/{bill}/void/", {"version": 1, "reason": ""})
    assert response.status_code == 422
    assert REQUIRED in response.content.decode()
    assert Bill.objects.get(pk=bill).status == "draft"
    number = issued(firm).pk
    response = client.post(f"/bills/{number}/invoices/", {**INVOICE, "number": "", "note": REASON})
    html = response.content.decode()
    assert response.status_code == 422
    assert 'value="北京华泰科技有限公司"' in html and 'value="500.00"' in html
    assert REQUIRED in html
    assert Invoice.objects.count() == 0


def test_a_reversal_without_its_reason_opens_its_form_again(firm):
    path = reverse_path(firm)
    response = client_for(firm.finance).post(path, {**REVERSAL, "reason": ""})
    html = response.content.decode()
    assert response.status_code == 422
    assert "<details open>" in html
    assert '<p class="field-error">请填写红冲原因。</p>' in html
    assert Invoice.objects.get().status == "issued"


def test_a_refused_refund_or_allocation_keeps_what_was_typed(firm):
    client = client_for(firm.finance)
    payment = held_payment(firm)
    response = client.post(
        f"/payments/{payment}/refund/", {**REFUND, "amount": "0", "reason": REASON}
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert textarea(html, "reason") == REASON
    assert "确保该值大于或等于0.01。" in html
    bill = issued(firm)
    response = client.post(
        f"/payments/{payment}/allocate/", {"bill": "2026-不存在-0001", "amount": "50.00"}
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert 'value="2026-不存在-0001"' in html
    assert '<p class="field-error">没有此编号的账单。</p>' in html
    assert (Refund.objects.count(), PaymentAllocation.objects.count()) == (0, 0)
    assert bill.number != "2026-不存在-0001"
