"""Money end to end: a lawyer records time and an expense; finance draws the bill, issues
it, records the client's payment; the receivable falls to zero."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

pytestmark = pytest.mark.e2e
PASSWORD = "lexcase-demo"  # the e2e users' password (tests/e2e/conftest.py)


@pytest.fixture
def fee_matter(users: dict[str, Any]) -> Any:
    from lexcase.accounts.services import user_create
    from lexcase.billing.services.agreements import (
        agreement_approve,
        agreement_create,
        agreement_submit,
    )
    from lexcase.conflicts.services import conflict_review_decide
    from lexcase.matters.services import PartyLink, matter_create, matter_open
    from lexcase.parties.services import party_create

    admin = user_create(username="boss", role="admin", password="x-long-password-1", name="主任")
    users["finance"] = user_create(
        username="finance", role="finance", password=PASSWORD, name="冯会计"
    )
    client = party_create(
        actor=users["lawyer"],
        kind="organization",
        name="北京华泰科技有限公司",
        credit_code="91350200776049653A",
    )
    matter = matter_create(
        actor=users["lawyer"],
        title="华泰科技诉远大贸易买卖合同纠纷",
        matter_type="civil",
        parties=[PartyLink(party=client, role="client", standing="原告")],
        lead_lawyer=users["lawyer"],
        responsible_partner=users["partner"],
    )
    conflict_review_decide(actor=admin, matter=matter, decision="approve")
    matter = matter_open(actor=admin, matter=matter)
    agreement = agreement_create(
        actor=users["lawyer"], matter=matter, kind="hourly", hourly_rate=Decimal("1200.00")
    )
    agreement = agreement_submit(
        actor=users["lawyer"], agreement=agreement, version=agreement.version
    )
    agreement_approve(actor=users["partner"], agreement=agreement, version=agreement.version)
    return matter


def test_time_and_expense_to_bill_to_payment_to_nothing_owed(
    page: Any, live_server: Any, users: dict[str, Any], login: Any, screenshot: Any, fee_matter: Any
) -> None:
    from lexcase.billing.models import Bill, Expense, TimeEntry

    url = live_server.url
    # The lawyer: 90 minutes of work and the court fee the firm advanced.
    login(page, "lawyer")
    page.goto(f"{url}/matters/{fee_matter.pk}/time/")
    page.fill("input[name=time-work_date]", "2026-03-02")
    page.fill("input[name=time-minutes]", "90")
    page.fill("textarea[name=time-description]", "起草起诉状")
    page.click("form[action$='/time/'] button.primary")
    page.wait_for_url(f"{url}/matters/{fee_matter.pk}/time/")
    page.goto(f"{url}/matters/{fee_matter.pk}/expenses/")
    page.select_option("select[name=kind]", "court_fee")
    page.fill("input[name=description]", "一审案件受理费")
    page.fill("input[name=amount]", "2300")
    page.fill("input[name=incurred_on]", "2026-03-03")
    page.select_option("select[name=paid_by]", "firm")
    page.click("form[enctype] button.primary")
    page.wait_for_url(f"{url}/matters/{fee_matter.pk}/expenses/")
    screenshot(page, "70-bills-lawyer-expense.png")
    assert TimeEntry.objects.get().rate == Decimal("1200.00")
    assert Expense.objects.get().amount == Decimal("2300.00")
    page.csp.assert_clean()

    # Finance: draw, check, issue.
    page.context.clear_cookies()
    login(page, "finance")
    page.goto(f"{url}/bills/new/")
    page.fill("#id_matter", fee_matter.number)
    with page.expect_navigation():
        page.click("form.form button.primary")
    bill = Bill.objects.get()
    assert bill.total == Decimal("4100.00")  # 1.5 h × ¥1,200 + ¥2,300
    assert "肆仟壹佰元整" in page.content()
    screenshot(page, "71-bills-draft.png")
    with page.expect_navigation():
        page.click(f"a[href='/bills/{bill.pk}/issue/']")
    assert "肆仟壹佰元整" in page.content()  # the confirmation names what is issued
    bill.refresh_from_db()
    assert bill.status == "draft"
    with page.expect_navigation():
        page.click("form[action$='/issue/'] button")
    bill.refresh_from_db()
    assert bill.status == "issued" and bill.number
    screenshot(page, "72-bills-issued.png")

    # The client pays the whole bill by bank transfer.
    with page.expect_navigation():
        page.click(f"a[href='/payments/new/?bill={bill.pk}']")
    assert page.input_value("#id_amount") == "4100.00"
    page.fill("#id_reference", "工行流水 20261205-001")
    with page.expect_navigation():
        page.click("form.form button.primary")
    screenshot(page, "73-bills-payment.png")
    bill.refresh_from_db()
    assert (bill.status, bill.paid) == ("paid", Decimal("4100.00"))

    page.goto(f"{url}/receivables/")
    assert page.locator("td.muted").inner_text() == "没有应收款。"
    screenshot(page, "74-bills-receivables.png")
    page.csp.assert_clean()


def test_a_payment_also_paying_a_confidential_bill_shows_only_its_amount_on_the_bill(
    page: Any, live_server: Any, users: dict[str, Any], login: Any, screenshot: Any, fee_matter: Any
) -> None:
    """One transfer paid the plain matter's bill and a confidential matter's bill of the same
    client. The partner (on the plain matter, not on the confidential one) sees on the bill
    the amount applied to it, neither the payer nor a link to the payment."""
    from datetime import date

    from lexcase.accounts.services import user_create
    from lexcase.billing.models import TimeEntry
    from lexcase.billing.services.bills import bill_draw, bill_issue
    from lexcase.billing.services.payments import AllocationIn, payment_record
    from lexcase.matters.models import MatterParty
    from lexcase.matters.services import PartyLink, matter_create

    client = MatterParty.objects.get(matter=fee_matter, role="client").party
    lawyer = users["lawyer"]
    other_partner = user_create(
        username="partner3", role="partner", password=PASSWORD, name="赵合伙"
    )
    secret = matter_create(
        actor=lawyer,
        title="华泰科技保密收购",
        matter_type="non_litigation",
        confidential=True,
        parties=[PartyLink(party=client, role="client")],
        lead_lawyer=lawyer,
        responsible_partner=other_partner,
    )
    bills = []
    for matter in (fee_matter, secret):
        TimeEntry.objects.create(
            matter=matter, lawyer=lawyer, work_date=date(2026, 4, 2), minutes=60,
            description="起草", billable=True, rate=Decimal("1000.00"),
        )  # fmt: skip
        bill = bill_draw(actor=users["finance"], matter=matter, as_of=date(2026, 6, 30))
        bills.append(bill_issue(actor=users["finance"], bill=bill, version=bill.version))
    payment_record(
        actor=users["finance"],
        client=client,
        matter=secret,
        received_on=date(2026, 5, 6),
        amount=Decimal("2000.00"),
        method="bank",
        payer="深圳隐名担保有限公司",
        allocations=[AllocationIn(bill=b, amount=Decimal("1000.00")) for b in bills],
    )
    login(page, "partner")
    page.goto(f"{live_server.url}/bills/{bills[0].pk}/")
    applied = page.locator("section", has_text="已核销的收款").inner_text()
    assert ("1,000.00" in applied, "付款（详情不予显示）" in applied) == (True, True)
    assert page.content().count("深圳隐名担保有限公司") == 0
    assert page.locator("a[href^='/payments/']").count() == 0
    screenshot(page, "75-bills-payment-not-shown.png")
    page.csp.assert_clean()


def test_an_invoice_reversed_on_the_bill_page_then_the_bill_voided(
    page: Any, live_server: Any, users: dict[str, Any], login: Any, screenshot: Any, fee_matter: Any
) -> None:
    """A live 发票 keeps its bill: the page offers its reversal (红冲), not the void; once the
    reversal is recorded, the invoice shows as reversed with its reason and the void is
    offered again."""
    from datetime import date

    from lexcase.billing.models import Bill, Invoice, TimeEntry
    from lexcase.billing.services.bills import bill_draw, bill_issue, invoice_record

    TimeEntry.objects.create(
        matter=fee_matter, lawyer=users["lawyer"], work_date=date(2026, 4, 2), minutes=60,
        description="起草起诉状", billable=True, rate=Decimal("1200.00"),
    )  # fmt: skip
    bill = bill_draw(actor=users["finance"], matter=fee_matter, as_of=date(2026, 6, 30))
    bill = bill_issue(actor=users["finance"], bill=bill, version=bill.version)
    invoice_record(
        actor=users["finance"],
        bills=[bill],
        kind="vat_special",
        number="24110000000012345678",
        issued_on=date(2026, 5, 6),
        amount=Decimal("1200.00"),
        buyer_name="北京华泰科技有限公司",
        buyer_tax_id="91350200776049653A",
    )
    login(page, "finance")
    page.goto(f"{live_server.url}/bills/{bill.pk}/")
    assert page.locator(f"form[action='/bills/{bill.pk}/void/']").count() == 0
    page.click("summary:has-text('红冲')")
    page.fill("form[action$='/reverse/'] textarea[name=reason]", "购买方税号有误，已开具红字发票")
    screenshot(page, "76-bills-invoice-reverse-form.png")
    with page.expect_navigation():
        page.click("form[action$='/reverse/'] button")
    invoices = page.locator("section", has_text="发票号码").inner_text()
    assert ("已红冲" in invoices, "购买方税号有误，已开具红字发票" in invoices) == (True, True)
    assert "红冲登记:" in invoices  # who recorded it and when, on the invoice itself
    assert page.locator(f"form[action='/bills/{bill.pk}/void/']").count() == 1
    screenshot(page, "77-bills-invoice-reversed.png")
    assert Invoice.objects.values_list("status", flat=True).get() == "reversed"
    page.fill(f"form[action='/bills/{bill.pk}/void/'] textarea[name=reason]", "重开")
    with page.expect_navigation():
        page.click(f"form[action='/bills/{bill.pk}/void/'] button")
    assert Bill.objects.get(pk=bill.pk).status == "void"
    page.csp.assert_clean()
