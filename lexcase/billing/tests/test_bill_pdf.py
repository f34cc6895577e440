"""The bill PDF: Chinese text, the total in figures and in capital figures (大写), rendered
by weasyprint and read back with pdftotext (poppler)."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal

import pypdfium2 as pdfium
import pytest

from lexcase.billing.bill_document import bill_html, bill_pdf
from lexcase.billing.services.bills import bill_draw, bill_issue
from lexcase.billing.services.payments import AllocationIn, payment_record
from lexcase.billing.tests.bill_data import approved_fixed_fee, expense, time_entry
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db
D = Decimal


def a_bill(firm):
    approved_fixed_fee(firm)
    time_entry(firm, minutes=7, rate=D("1000.00"))
    expense(firm, amount=D("13800.00"))
    bill = bill_draw(actor=firm.finance, matter=firm.matter, as_of=date(2026, 6, 30))
    bill = bill_issue(actor=firm.finance, bill=bill, version=bill.version)
    payment_record(
        actor=firm.finance,
        client=firm.client_party,
        received_on=date(2026, 7, 1),
        amount=D("10000.00"),
        method="bank",
        payer="北京华泰科技有限公司",
        allocations=[AllocationIn(bill=bill, amount=D("10000.00"))],
    )
    bill.refresh_from_db()
    return bill


def test_the_html_is_chinese_with_the_capital_amount(firm):
    html = bill_html(bill=a_bill(firm), viewer=firm.finance)
    assert "律师服务费账单" in html
    assert "肆万叁仟玖佰壹拾陆元陆角柒分" in html  # ¥43,916.67
    assert "叁万叁仟玖佰壹拾陆元陆角柒分" in html  # still to pay ¥33,916.67
    assert "¥43,916.67" in html and "北京华泰科技有限公司" in html


def test_the_pdf_renders_the_chinese_text_and_ink(firm):
    pdf = bill_pdf(bill=a_bill(firm), viewer=firm.finance)
    assert pdf.startswith(b"%PDF")
    page = pdfium.PdfDocument(pdf)[0]
    text = page.get_textpage().get_text_range()
    image = page.render(scale=1.5).to_pil()
    if os.environ.get("LEXCASE_KEEP_BILL_PNG"):  # to look at the page
        image.save(os.environ["LEXCASE_KEEP_BILL_PNG"])
    assert "律师服务费账单" in text
    assert "肆万叁仟玖佰壹拾陆元陆角柒分" in text
    assert "43,916.67" in text
    # The glyphs were drawn (a missing CJK font renders empty boxes or nothing).
    assert sum(image.convert("L").histogram()[:200]) > 20_000


def test_the_pdf_page_is_the_money_gate_s(firm):
    bill = a_bill(firm)
    response = client_for(firm.finance).get(f"/bills/{bill.pk}/pdf/")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert client_for(firm.outsider).get(f"/bills/{bill.pk}/pdf/").status_code == 404
