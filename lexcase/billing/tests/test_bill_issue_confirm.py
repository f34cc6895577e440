"""Issuing a bill asks first (a page of its own, no JavaScript needed) and then says what
happened: the number and the amount (before: one POST button and 已保存。)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from lexcase.billing.models import Bill
from lexcase.billing.services.bills import bill_draw
from lexcase.billing.tests.bill_data import time_entry
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


def _draft(firm) -> Bill:
    time_entry(firm)  # 90 min × ¥1,500 = ¥2,250.00
    return bill_draw(actor=firm.finance, matter=firm.matter, as_of=date(2026, 6, 30))


def test_the_bill_page_leads_to_a_confirmation_that_issues_nothing(firm):
    bill = _draft(firm)
    finance = client_for(firm.finance)
    detail = finance.get(f"/bills/{bill.pk}/").content.decode()
    assert f'<a class="button primary" href="/bills/{bill.pk}/issue/">开具账单…</a>' in detail
    assert f'action="/bills/{bill.pk}/issue/"' not in detail
    confirm = finance.get(f"/bills/{bill.pk}/issue/")
    page = confirm.content.decode()
    assert confirm.status_code == 200
    assert "<dd><strong>¥2,250.00</strong></dd>" in page
    assert "<dd>贰仟贰佰伍拾元整</dd>" in page
    assert (
        "开具后账单将取得本年度的下一个编号，开具日期为今天，"
        "30 天后到期；此后不能再修改，只能作废。" in page
    )
    assert f'<form method="post" action="/bills/{bill.pk}/issue/"' in page
    bill.refresh_from_db()
    assert (bill.status, bill.number) == ("draft", None)


def test_confirming_issues_and_says_the_number_and_amount(firm):
    bill = _draft(firm)
    finance = client_for(firm.finance)
    response = finance.post(f"/bills/{bill.pk}/issue/", {"version": bill.version}, follow=True)
    bill.refresh_from_db()
    assert bill.status == "issued"
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [f"账单 {bill.number} 已开具，金额 ¥2,250.00，到期日 {due}。"]


def test_an_issued_bill_has_no_confirmation_page(firm):
    bill = _draft(firm)
    finance = client_for(firm.finance)
    finance.post(f"/bills/{bill.pk}/issue/", {"version": bill.version})
    again = finance.get(f"/bills/{bill.pk}/issue/")
    assert (again.status_code, again["Location"]) == (302, f"/bills/{bill.pk}/")
